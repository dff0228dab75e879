package io.fttcp.apps.http;

import java.time.Duration;

/**
 * The time one part of a request (its head) may take to arrive, on a clock passed in: all of
 * it within {@code timeout} of its first read.
 */
final class ReadDeadline {

    private final long timeoutNanos;
    private boolean started;
    private long deadline;

    private ReadDeadline(long timeoutNanos) {
        this.timeoutNanos = timeoutNanos;
    }

    /** All of it within {@code timeout} of its first read. */
    static ReadDeadline whole(Duration timeout) {
        return new ReadDeadline(timeout.toNanos());
    }

    /** How long the read about to be made may wait, in nanoseconds, at {@code now}; zero or less when the deadline has passed. */
    long allowedWait(long now) {
        if (!started) {
            started = true;
            deadline = now + timeoutNanos;
        }
        return deadline - now;
    }
}
