package io.fttcp.roles;

/**
 * Notices when this process did not run for a while (SIGSTOP, a stalled VM, a long pause):
 * someone calls {@link #tick} regularly; a gap between ticks longer than the threshold is a
 * stall. A replica that finds it was stalled while its peer went quiet cannot trust its own
 * view of the peer's silence. Sans I/O: times are passed in; thread-safe.
 */
public final class StallWatch {
    private final long thresholdNanos;
    private long lastTick;
    private long lastStallEnd = Long.MIN_VALUE;
    private long lastStallNanos;

    public StallWatch(long thresholdNanos, long now) {
        this.thresholdNanos = thresholdNanos;
        this.lastTick = now;
    }

    public synchronized void tick(long now) {
        if (now - lastTick > thresholdNanos) {
            lastStallEnd = now;
            lastStallNanos = now - lastTick;
        }
        lastTick = now;
    }

    /** Whether a stall ended after {@code since}, or one is going on now (the ticker has not run yet). */
    public synchronized boolean stalledSince(long since, long now) {
        return now - lastTick > thresholdNanos || lastStallEnd != Long.MIN_VALUE && lastStallEnd - since > 0;
    }

    /** The longest of the last stall and the current gap, for messages. */
    public synchronized long lastStallNanos(long now) {
        return Math.max(lastStallNanos, now - lastTick);
    }

    /**
     * The earliest a peer's frame we read at {@code heardAt} may have been sent: then, unless this
     * process stalled around that moment (frames that waited in our socket through a stall are
     * read the moment it ends, possibly before the ticker notices it ended), in which case the
     * stall's beginning.
     */
    public synchronized long sentNoEarlierThan(long heardAt, long now) {
        long sent = heardAt;
        if (now - lastTick > thresholdNanos) sent = earlier(sent, lastTick); // a stall going on: the ticker has not run since it began
        if (lastStallEnd != Long.MIN_VALUE && lastStallEnd - heardAt > -thresholdNanos) sent = earlier(sent, lastStallEnd - lastStallNanos);
        return sent;
    }

    /** The earlier of two System.nanoTime() values (compared by difference: they may wrap). */
    private static long earlier(long a, long b) {
        return a - b < 0 ? a : b;
    }
}
