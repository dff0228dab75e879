package io.fttcp.roles.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs a simulation over its seeds without stopping at the first failure, counting the census
 * keys each seed's run returns (the phases its failure hit, the paths its takeover took), so
 * that one run shows how often and in which ways a defect shows up, and whether the scenarios
 * meant to be exercised were. Prints the census when asked or when a seed failed, then fails
 * listing every failing seed.
 */
final class SeedCensus {
    /** One seed's run: its census keys, or a thrown failure (whose message names the seed). */
    interface SeedRun {
        List<String> run(long seed);
    }

    private static final int MESSAGE_LIMIT = 4000;

    private SeedCensus() {
    }

    /**
     * @param print  print the census even when every seed passed
     * @param detail more to print before the census (evaluated after the run)
     */
    static TreeMap<String, Integer> run(String name, long[] seeds, boolean print, Supplier<String> detail, SeedRun run) {
        long started = System.nanoTime();
        TreeMap<String, Integer> census = new TreeMap<>();
        List<String> failures = new ArrayList<>();
        for (long seed : seeds) {
            try {
                for (String key : run.run(seed)) census.merge(key, 1, Integer::sum);
            } catch (Throwable t) {
                String m = t.getMessage() != null && t.getMessage().contains("seed " + seed) ? t.getMessage() : "seed " + seed + " (" + name + "): " + t;
                failures.add(m.substring(0, Math.min(m.length(), MESSAGE_LIMIT)));
            }
        }
        if (print || !failures.isEmpty()) {
            System.out.printf("%s: %d seeds, %d failed, %.1f s; %s%s%n", name, seeds.length, failures.size(), (System.nanoTime() - started) / 1e9,
                    detail.get(), census);
        }
        assertTrue(failures.isEmpty(), failures.size() + " of " + seeds.length + " seeds failed:\n" + String.join("\n", failures));
        return census;
    }
}
