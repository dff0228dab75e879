package io.fttcp.bench.failover;

import io.fttcp.bench.Measurements;
import io.fttcp.bench.Metric;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/** The trials of (b): values per metric and protection, medians, protected-over-unprotected ratios, failures. */
public final class ServiceComparison {
    private final Map<Metric, Map<Protection, List<Double>>> samples = new EnumMap<>(Metric.class);
    private int failures;

    public void add(Metric metric, Protection protection, double value) {
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException(metric + " " + protection + ": not a finite value: " + value);
        }
        samples.computeIfAbsent(metric, m -> new EnumMap<>(Protection.class))
                .computeIfAbsent(protection, p -> new ArrayList<>()).add(value);
    }

    public void addFailure() {
        failures++;
    }

    public int failures() {
        return failures;
    }

    public List<Double> samples(Metric metric, Protection protection) {
        return Collections.unmodifiableList(samples.getOrDefault(metric, Map.of()).getOrDefault(protection, List.of()));
    }

    public OptionalDouble median(Metric metric, Protection protection) {
        return Measurements.median(samples(metric, protection));
    }

    /** Protected over unprotected (b/a) of the medians. */
    public OptionalDouble ratio(Metric metric) {
        return Measurements.ratio(median(metric, Protection.PROTECTED), median(metric, Protection.UNPROTECTED));
    }

    /** Protected minus unprotected (b − a) of the medians. */
    public OptionalDouble added(Metric metric) {
        OptionalDouble b = median(metric, Protection.PROTECTED);
        OptionalDouble a = median(metric, Protection.UNPROTECTED);
        return a.isPresent() && b.isPresent() ? OptionalDouble.of(b.getAsDouble() - a.getAsDouble()) : OptionalDouble.empty();
    }
}
