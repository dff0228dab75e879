package io.fttcp.replication.record;

import io.fttcp.stack.tcp.FourTuple;

/**
 * A time value the application read through the runtime. {@code context} is the connection the
 * reading thread was working on ({@link #NO_CONTEXT} if none), so the backup hands the value to
 * the thread working on the same connection rather than to whichever thread asks first.
 */
public record Clock(FourTuple context, Source source, long value) implements Record {
    public enum Source { MONOTONIC_NANOS, WALL_MILLIS }

    /** The context of a value read by a thread that has used no connection (an accept loop, say). */
    public static final FourTuple NO_CONTEXT = new FourTuple(0, 0, 0, 0);

    public Clock {
        java.util.Objects.requireNonNull(context, "context");
        java.util.Objects.requireNonNull(source, "source");
    }

    /** A value read outside any connection's context. */
    public Clock(Source source, long value) {
        this(NO_CONTEXT, source, value);
    }
}
