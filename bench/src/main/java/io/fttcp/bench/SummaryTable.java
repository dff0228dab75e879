package io.fttcp.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;

/** The summary: per metric, the median of each variant's trials and the stack-over-kernel ratio. */
public final class SummaryTable {
    private static final String ROW = "%-28s %-6s %11s %11s %7s  %-19s %-19s %8s  %s";

    private SummaryTable() {
    }

    public static List<String> lines(Measurements m, BenchPlan plan) {
        List<String> lines = new ArrayList<>();
        lines.add(String.format(Locale.ROOT, ROW, "metric (median of trials)", "unit", "kernel (a)", "stack (b)", "b/a",
                "range a", "range b", "best b/a", "").stripTrailing());
        for (Metric metric : Metric.values()) {
            String label = metric == Metric.AGGREGATE ? "download, " + plan.aggregateConnections() + " connections" : metric.label();
            OptionalDouble ratio = m.ratio(metric);
            boolean memory = metric == Metric.IDLE_CONNECTION_BYTES || metric == Metric.KERNEL_SLAB_BYTES;
            int failures = m.failures(metric, Variant.KERNEL) + m.failures(metric, Variant.STACK);
            String note = (metric == Metric.IDLE_CONNECTION_BYTES ? "kernel (a): JVM heap only" : "")
                    + (metric == Metric.KERNEL_SLAB_BYTES ? "machine-wide: client sockets (+ server's on a) + noise" : "")
                    + (failures > 0 ? " FAILED TRIALS: " + failures : "");
            lines.add(String.format(Locale.ROOT, ROW, label, metric.unit(),
                    value(m.median(metric, Variant.KERNEL), metric), value(m.median(metric, Variant.STACK), metric),
                    memory ? "-" : format(ratio),
                    range(m.samples(metric, Variant.KERNEL), metric), range(m.samples(metric, Variant.STACK), metric),
                    memory ? "-" : format(m.bestRatio(metric)), note).stripTrailing());
        }
        return lines;
    }

    private static String format(OptionalDouble ratio) {
        return ratio.isPresent() ? String.format(Locale.ROOT, "%.3f", ratio.getAsDouble()) : "n/a";
    }

    /** Smallest and largest trial, so the noise on the machine shows beside the median. */
    static String range(List<Double> samples, Metric metric) {
        if (samples.size() < 2) {
            return "";
        }
        double min = samples.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
        double max = samples.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
        return value(OptionalDouble.of(min), metric) + ".." + value(OptionalDouble.of(max), metric);
    }

    static String value(OptionalDouble v, Metric metric) {
        if (v.isEmpty()) {
            return "n/a";
        }
        return metric == Metric.IDLE_CONNECTION_BYTES || metric == Metric.KERNEL_SLAB_BYTES
                ? String.format(Locale.ROOT, "%d", Math.round(v.getAsDouble()))
                : String.format(Locale.ROOT, "%.1f", v.getAsDouble());
    }
}
