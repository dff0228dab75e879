package io.fttcp.sim.stack;

import io.fttcp.sim.SimulationSeeds;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/** A seed replays exactly: the same random transfers twice give the same network trace. */
class StackDeterminismTest {
    @Test
    void sameSeedSameTrace() {
        SimulationSeeds.forEach(0xDE7E_0001L, 6, seed -> {
            var first = RandomTransfersSimulationTest.run(seed);
            var second = RandomTransfersSimulationTest.run(seed);
            assertEquals(first.trace(), second.trace(), "trace digest of a replay");
            assertEquals(first.bytes(), second.bytes());
            assertNotEquals(first.trace(), RandomTransfersSimulationTest.run(seed + 1).trace(), "another seed, another trace");
        });
    }
}
