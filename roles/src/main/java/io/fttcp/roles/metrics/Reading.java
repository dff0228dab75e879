package io.fttcp.roles.metrics;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One number an operator watches: what a role reports of itself, read at the moment it is asked
 * (the command line serves them as Prometheus metrics). A counter only ever grows; a gauge is a
 * level. Names follow Prometheus's rules ({@code fttcp_} prefix, snake case; a counter's name
 * without {@code _total}, which the exposition adds).
 *
 * @param labels at most a few, for a number per state or per cluster
 */
public record Reading(String name, String help, Kind kind, Map<String, String> labels, double value) {
    public enum Kind { GAUGE, COUNTER }

    public Reading {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(help, "help");
        Objects.requireNonNull(kind, "kind");
        labels = Map.copyOf(labels);
        if (!name.matches("fttcp_[a-z0-9_]+") || kind == Kind.COUNTER && name.endsWith("_total")) {
            throw new IllegalArgumentException("not a metric name for a " + kind + ": " + name);
        }
    }

    public static Reading gauge(String name, String help, double value) {
        return new Reading(name, help, Kind.GAUGE, Map.of(), value);
    }

    public static Reading counter(String name, String help, double value) {
        return new Reading(name, help, Kind.COUNTER, Map.of(), value);
    }

    /** A gauge of 1 or 0. */
    public static Reading flag(String name, String help, boolean on) {
        return gauge(name, help, on ? 1 : 0);
    }

    /** The same number with one label more. */
    public Reading labelled(String label, String value) {
        Map<String, String> more = new LinkedHashMap<>(labels);
        more.put(label, value);
        return new Reading(name, help, kind, more, this.value);
    }
}
