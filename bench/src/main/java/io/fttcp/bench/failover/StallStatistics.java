package io.fttcp.bench.failover;

import java.util.List;
import java.util.OptionalDouble;

/** The p50 and maximum of the stalls of one kind of failure, over the trials that saw data after it. */
public record StallStatistics(int trials, int measured, OptionalDouble p50Millis, OptionalDouble maxMillis) {

    public static StallStatistics of(List<StallTrial> trials, Failure failure) {
        double[] stalls = trials.stream().filter(t -> t.failure() == failure && t.stallNanos() >= 0)
                .mapToDouble(StallTrial::stallMillis).sorted().toArray();
        int total = (int) trials.stream().filter(t -> t.failure() == failure).count();
        if (stalls.length == 0) {
            return new StallStatistics(total, 0, OptionalDouble.empty(), OptionalDouble.empty());
        }
        return new StallStatistics(total, stalls.length, OptionalDouble.of(percentile50(stalls)), OptionalDouble.of(stalls[stalls.length - 1]));
    }

    /** The median of sorted values; for an even count, the mean of the two middle ones. */
    static double percentile50(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
