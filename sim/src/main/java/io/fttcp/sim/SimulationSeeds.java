package io.fttcp.sim;

import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * Runs a simulation test over many seeds and names the failing one, so that any failure can be
 * replayed exactly.
 *
 * <ul>
 *   <li>{@code -Dfttcp.sim.seeds=N}: run N seeds instead of the test's default count;</li>
 *   <li>{@code -Dfttcp.sim.seed=S}: run only seed S (replay a failure).</li>
 * </ul>
 * Seeds are drawn from a {@link SplittableRandom} seeded with the test's base seed, so the
 * first N seeds are the same whatever the count.
 */
public final class SimulationSeeds {
    public static final String SEED_PROPERTY = "fttcp.sim.seed";
    public static final String COUNT_PROPERTY = "fttcp.sim.seeds";

    /** A test body for one seed. */
    @FunctionalInterface
    public interface SeededRun {
        void run(long seed) throws Exception;
    }

    private SimulationSeeds() {
    }

    /** The seeds to run: the replay seed if set, else {@code count} (or the count property) seeds derived from {@code baseSeed}. */
    public static long[] seeds(long baseSeed, int defaultCount) {
        String replay = System.getProperty(SEED_PROPERTY);
        if (replay != null && !replay.isBlank()) {
            return new long[] {parse(SEED_PROPERTY, replay)};
        }
        int count = defaultCount;
        String countProperty = System.getProperty(COUNT_PROPERTY);
        if (countProperty != null && !countProperty.isBlank()) {
            count = (int) parse(COUNT_PROPERTY, countProperty);
        }
        if (count < 1) {
            throw new IllegalArgumentException("seed count must be >= 1, got " + count);
        }
        SplittableRandom generator = new SplittableRandom(baseSeed);
        long[] seeds = new long[count];
        for (int i = 0; i < count; i++) {
            seeds[i] = generator.nextLong();
        }
        return seeds;
    }

    /**
     * Runs {@code body} for each seed; the first failure is rethrown as an AssertionError whose
     * message names the seed and how to replay it (the original failure is its cause).
     */
    public static void forEach(long baseSeed, int defaultCount, SeededRun body) {
        long[] seeds = seeds(baseSeed, defaultCount);
        for (int i = 0; i < seeds.length; i++) {
            long seed = seeds[i];
            try {
                body.run(seed);
            } catch (Throwable failure) {
                if (failure instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                throw new AssertionError(describe(seed, i, seeds.length) + ": " + failure, failure);
            }
        }
    }

    /** As {@link #forEach}, giving the body a fresh {@link Simulation} per seed. */
    public static void forEachSimulation(long baseSeed, int defaultCount, Consumer<Simulation> body) {
        forEach(baseSeed, defaultCount, seed -> body.accept(new Simulation(seed)));
    }

    /** The failure prefix for {@code seed}, e.g. for a test that runs its own loop. */
    public static String describe(long seed, int index, int count) {
        return "simulation failed with seed " + seed + " (run " + (index + 1) + " of " + count
                + "); replay with -D" + SEED_PROPERTY + "=" + seed;
    }

    private static long parse(String property, String value) {
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("-D" + property + " must be an integer, got '" + value + "'", e);
        }
    }
}
