package io.fttcp.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/** The trials' values per metric and variant, their medians, the stack-over-kernel ratios, and failed trials. */
public final class Measurements {
    private final Map<Metric, Map<Variant, List<Double>>> samples = new EnumMap<>(Metric.class);
    private final Map<Metric, Map<Variant, Integer>> failures = new EnumMap<>(Metric.class);

    public void add(Metric metric, Variant variant, double value) {
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException(metric + " " + variant + ": not a finite value: " + value);
        }
        samples.computeIfAbsent(metric, m -> new EnumMap<>(Variant.class))
                .computeIfAbsent(variant, v -> new ArrayList<>()).add(value);
    }

    public void addFailure(Metric metric, Variant variant) {
        failures.computeIfAbsent(metric, m -> new EnumMap<>(Variant.class)).merge(variant, 1, Integer::sum);
    }

    public List<Double> samples(Metric metric, Variant variant) {
        return Collections.unmodifiableList(samples.getOrDefault(metric, Map.of()).getOrDefault(variant, List.of()));
    }

    public int failures(Metric metric, Variant variant) {
        return failures.getOrDefault(metric, Map.of()).getOrDefault(variant, 0);
    }

    public int totalFailures() {
        return failures.values().stream().flatMap(m -> m.values().stream()).mapToInt(Integer::intValue).sum();
    }

    public OptionalDouble median(Metric metric, Variant variant) {
        return median(samples(metric, variant));
    }

    /** Stack over kernel (b/a) of the medians; empty if either is missing or the kernel's is zero. */
    public OptionalDouble ratio(Metric metric) {
        return ratio(median(metric, Variant.STACK), median(metric, Variant.KERNEL));
    }

    /**
     * Stack over kernel (b/a) of each variant's best trial (highest throughput, lowest latency):
     * other work on the machine only ever makes a trial worse, so the best trials are the least disturbed.
     */
    public OptionalDouble bestRatio(Metric metric) {
        return ratio(best(metric, Variant.STACK), best(metric, Variant.KERNEL));
    }

    public OptionalDouble best(Metric metric, Variant variant) {
        var values = samples(metric, variant).stream().mapToDouble(Double::doubleValue);
        return metric.higherIsBetter() ? values.max() : values.min();
    }

    /** The median; for an even count, the mean of the two middle values. */
    public static OptionalDouble median(List<Double> values) {
        if (values.isEmpty()) {
            return OptionalDouble.empty();
        }
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        return OptionalDouble.of(n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2);
    }

    public static OptionalDouble ratio(OptionalDouble b, OptionalDouble a) {
        if (b.isEmpty() || a.isEmpty() || a.getAsDouble() == 0) {
            return OptionalDouble.empty();
        }
        return OptionalDouble.of(b.getAsDouble() / a.getAsDouble());
    }
}
