package io.fttcp.bench;

/**
 * Uncounted warm-up until a server runs at its steady state: pairs of a download and an upload,
 * at least {@code minPairs}, then more until two pairs in a row set no record in either direction
 * (a record: over {@link #RECORD} times the best before it; one pair without could be noise), up to
 * {@code maxPairs}.
 *
 * <p>Why: a JIT compiling on two busy cores took the protected pair (more code, and less CPU
 * left to compile it with) through several GB before its speed settled (a backup-mode upload:
 * 222, 290, 343, 406, 403, 433, 412, 370, 428, 483, 512, 515 MB/s in a row), while the
 * unprotected server settled within three pairs. A fixed count measured one variant warm and the
 * other still warming. Every variant follows the same rule.
 */
public record SteadyWarmUp(int minPairs, int maxPairs) {
    /** A speed this much above the best before it is a record: the server was still warming. */
    static final double RECORD = 1.05;

    public SteadyWarmUp {
        if (minPairs < 1 || maxPairs < minPairs) {
            throw new IllegalArgumentException("warm-up of " + minPairs + " to " + maxPairs + " pairs");
        }
    }

    /** Always {@code pairs} pairs (quick runs, which must stay short). */
    public static SteadyWarmUp fixed(int pairs) {
        return new SteadyWarmUp(pairs, pairs);
    }

    public Run start() {
        return new Run();
    }

    /** One server's warm-up. */
    public final class Run {
        private int pairs;
        private int withoutRecord;
        private double bestDown;
        private double bestUp;

        /** Takes a pair's speeds; whether another pair is due. */
        public boolean another(double downMbPerS, double upMbPerS) {
            pairs++;
            boolean record = pairs == 1 || downMbPerS > bestDown * RECORD || upMbPerS > bestUp * RECORD;
            bestDown = Math.max(bestDown, downMbPerS);
            bestUp = Math.max(bestUp, upMbPerS);
            withoutRecord = record ? 0 : withoutRecord + 1;
            return pairs < minPairs || (withoutRecord < 2 && pairs < maxPairs);
        }

        public int pairs() {
            return pairs;
        }
    }
}
