package io.fttcp.sim.stack;

import io.fttcp.sim.Simulation;
import org.junit.jupiter.api.Test;

class DebugSeedTest {
    @Test
    void replay() {
        String s = System.getProperty("debug.seed");
        if (s == null) return;
        long seed = Long.parseLong(s);
        SegmentLog log = new SegmentLog(200000);
        RandomTransfersSimulationTest.observer = log;
        try {
            RandomTransfersSimulationTest.run(seed);
        } catch (Throwable t) {
            System.out.println(log.dump(System.getProperty("debug.filter", "")));
            throw t;
        }
    }
}
