package io.fttcp.replication.record;

import io.fttcp.stack.tcp.FourTuple;

/**
 * A random seed the application drew through the runtime, so the backup draws the same numbers.
 * {@code context} is the connection the drawing thread was working on ({@link Clock#NO_CONTEXT} if none).
 */
public record Seed(FourTuple context, long value) implements Record {

    public Seed {
        java.util.Objects.requireNonNull(context, "context");
    }

    /** A seed drawn outside any connection's context. */
    public Seed(long value) {
        this(Clock.NO_CONTEXT, value);
    }
}
