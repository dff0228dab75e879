package io.fttcp.replication.record;

/** A time value the application read through the runtime. */
public record Clock(Source source, long value) implements Record {
    public enum Source { MONOTONIC_NANOS, WALL_MILLIS }
}
