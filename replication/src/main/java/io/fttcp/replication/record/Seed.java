package io.fttcp.replication.record;

/** A random seed the application drew through the runtime, so the backup draws the same numbers. */
public record Seed(long value) implements Record {
}
