package io.fttcp.roles.metrics;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One number an operator watches: what a role reports of itself, read at the moment it is asked
 * (the command line serves them as Prometheus metrics). A counter only ever grows; a gauge is a
 * level. Names follow Prometheus's rules ({@code fttcp_} prefix, snake case, none of the
 * suffixes the exposition reserves: a counter's {@code _total} is added there).
 *
 * @param labels at most a few, for a number per state or per cluster
 */
public record Reading(String name, String help, Kind kind, Map<String, String> labels, double value) {
    public enum Kind { GAUGE, COUNTER }

    /** Snake case after the prefix, and none of the suffixes the exposition reserves (it adds them itself). */
    private static final Pattern NAME = Pattern.compile("fttcp_[a-z0-9_]+");
    private static final List<String> RESERVED_SUFFIXES = List.of("_total", "_created", "_bucket", "_info");

    public Reading {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(help, "help");
        Objects.requireNonNull(kind, "kind");
        labels = Map.copyOf(labels);
        if (!NAME.matcher(name).matches() || RESERVED_SUFFIXES.stream().anyMatch(name::endsWith)) {
            throw new IllegalArgumentException("not a metric name: " + name);
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

    /** One flag per value of {@code current}'s enum, labelled {@code state}: 1 for {@code current}, 0 for the others. */
    public static List<Reading> state(String name, String help, Enum<?> current) {
        return Arrays.stream(current.getDeclaringClass().getEnumConstants())
                .map(v -> flag(name, help, v == current).labelled("state", v.name())).toList();
    }

    /** The same number with one label more. */
    public Reading labelled(String label, String value) {
        Map<String, String> more = new LinkedHashMap<>(labels);
        more.put(label, value);
        return new Reading(name, help, kind, more, this.value);
    }
}
