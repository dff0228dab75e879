package io.fttcp.roles.sim;

import io.fttcp.sim.SimulationSeeds;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs a simulation test over its seeds (see {@link SimulationSeeds}: {@code -Dfttcp.sim.seeds=N},
 * {@code -Dfttcp.sim.seed=S}) without stopping at the first failure, then fails naming every
 * failing seed, so one run shows how often and in which ways a defect shows up.
 */
final class EverySeed {
    private EverySeed() {
    }

    static int run(long baseSeed, int defaultCount, SimulationSeeds.SeededRun body) {
        long[] seeds = SimulationSeeds.seeds(baseSeed, defaultCount);
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < seeds.length; i++) {
            try {
                body.run(seeds[i]);
            } catch (Throwable t) {
                String m = String.valueOf(t.getMessage());
                failures.add(SimulationSeeds.describe(seeds[i], i, seeds.length) + ": " + m.substring(0, Math.min(m.length(), 2000)));
            }
        }
        assertTrue(failures.isEmpty(), failures.size() + " of " + seeds.length + " seeds failed:\n" + String.join("\n", failures));
        return seeds.length;
    }
}
