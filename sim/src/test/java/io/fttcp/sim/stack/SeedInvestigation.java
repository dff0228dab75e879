package io.fttcp.sim.stack;

import io.fttcp.sim.SimulationSeeds;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Tools for investigating failures, not part of the normal run (run with
 * {@code -Dtest=SeedInvestigation} and one of the properties):
 * {@code -Ddebug.seed=S} replays one random-transfer seed and prints its TCP segments
 * ({@code -Ddebug.filter=text} keeps matching lines); {@code -Ddebug.scan=N} runs N seeds
 * without stopping and lists every failing one.
 */
class SeedInvestigation {
    @Test
    @EnabledIfSystemProperty(named = "debug.seed", matches = ".+")
    void replayWithSegmentLog() {
        String s = System.getProperty("debug.seed");
        SegmentLog log = new SegmentLog(200_000);
        RandomTransfersSimulationTest.observer = log;
        try {
            RandomTransfersSimulationTest.run(Long.parseLong(s));
        } catch (Throwable t) {
            System.out.println(log.dump(System.getProperty("debug.filter", "")));
            throw t;
        } finally {
            RandomTransfersSimulationTest.observer = null;
        }
    }

    @Test
    @EnabledIfSystemProperty(named = "debug.scan", matches = "\\d+")
    void scan() {
        String n = System.getProperty("debug.scan");
        long[] seeds = SimulationSeeds.seeds(RandomTransfersSimulationTest.BASE_SEED, Integer.parseInt(n));
        int failures = 0;
        for (int i = 0; i < seeds.length; i++) {
            try {
                RandomTransfersSimulationTest.run(seeds[i]);
            } catch (Throwable t) {
                failures++;
                String message = String.valueOf(t.getMessage());
                System.out.println("FAIL run " + (i + 1) + " seed " + seeds[i] + ": " + message.substring(0, Math.min(200, message.length())));
            }
        }
        System.out.println("scan: " + failures + " of " + seeds.length + " seeds failed");
    }
}
