package io.fttcp.apps.http;

import java.time.Duration;

/**
 * The time one part of a request (its head, or its body) may take to arrive, on a clock passed
 * in. The part has {@code timeout} from its first read on. For a head that is all. For a body,
 * each byte received also moves the deadline on by the time it is worth at a minimum rate, but
 * never further than {@code timeout} past the present: a minimum rate with {@code timeout} of
 * slack. A stall uses up the slack, a trickle slower than the rate falls further behind until it
 * runs out, a client at the rate or faster never does, however large its body, and a fast start
 * buys no more than {@code timeout} of slowness after it.
 */
final class ReadDeadline {

    private static final long SECOND = 1_000_000_000L;

    private final long timeoutNanos;
    /** Whether bytes move the deadline on at all. */
    private final boolean paced;
    /** The rate bytes must keep to; 0: any bytes restore the whole timeout. */
    private final long bytesPerSecond;
    private boolean started;
    private long deadline;
    private long uncredited;

    private ReadDeadline(long timeoutNanos, boolean paced, long bytesPerSecond) {
        this.timeoutNanos = timeoutNanos;
        this.paced = paced;
        this.bytesPerSecond = bytesPerSecond;
    }

    /** All of it within {@code timeout} of its first read. */
    static ReadDeadline whole(Duration timeout) {
        return new ReadDeadline(timeout.toNanos(), false, 0);
    }

    /** At least {@code minBytesPerSecond} (0: no rate, only {@code timeout} between bytes), at most {@code timeout} behind. */
    static ReadDeadline atLeast(long minBytesPerSecond, Duration timeout) {
        if (minBytesPerSecond < 0) {
            throw new IllegalArgumentException("negative rate: " + minBytesPerSecond);
        }
        return new ReadDeadline(timeout.toNanos(), true, minBytesPerSecond);
    }

    /**
     * How long the read about to be made may wait, in nanoseconds, at {@code now}; zero or less
     * when the deadline has passed. Bytes received since the last call are credited first: they
     * arrived before it, while a read was allowed to wait.
     */
    long allowedWait(long now) {
        if (!started) {
            started = true;
            deadline = now + timeoutNanos;
        } else if (uncredited > 0 && paced) {
            long credit = bytesPerSecond == 0 || uncredited >= Long.MAX_VALUE / SECOND ? Long.MAX_VALUE : uncredited * SECOND / bytesPerSecond;
            // Bytes worth the whole slack restore it (also where the server's own work, between reads, went past the deadline).
            deadline = credit >= timeoutNanos ? now + timeoutNanos : Math.min(deadline + credit, now + timeoutNanos);
        }
        uncredited = 0;
        return deadline - now;
    }

    /** Counts {@code bytes} received by the last read. */
    void received(int bytes) {
        uncredited += bytes;
    }
}
