package io.fttcp.replication.channel;

/**
 * The primary's right to emit (sans I/O). A primary that has a backup sends nothing to its
 * clients (no data, ACK, RST or FIN) unless {@link #valid(long)}; so a primary that is cut off
 * falls silent before its backup takes over.
 *
 * <p>Renewal uses the primary's own clock only: the backup echoes the {@code sentAtNanos} of
 * the latest primary heartbeat it heard, and the lease runs to that time plus its duration.
 * The backup heard that heartbeat after it was sent, and suspects the primary only after a
 * detection timeout of silence from then on, so with
 * <pre>  lease + margin &lt;= backup's detection timeout</pre>
 * the lease has run out before the backup can suspect the primary and speak. The margin covers
 * what the primary may still emit after its last check (packets queued in its stack and
 * device), and the two hosts' clock rates differing (parts per million of the timeout).
 * Defaults: detection 150 ms, lease 100 ms, margin 50 ms. Because the backup's suspicion
 * implies the lease expired, it need not wait any longer once it suspects the primary.
 *
 * <p>Starts expired: a primary is leased only once a backup has answered a heartbeat.
 */
public final class Lease {
    /** The echo a backup sends before it has heard any primary heartbeat. */
    public static final long NO_ECHO = Long.MIN_VALUE;

    private final long durationNanos;
    private boolean granted;
    private long expiresAt;

    public Lease(long durationNanos) {
        if (durationNanos <= 0) {
            throw new IllegalArgumentException("lease duration must be positive: " + durationNanos);
        }
        this.durationNanos = durationNanos;
    }

    /**
     * The backup echoed {@code echoedSentAtNanos}, a time the primary put in a heartbeat.
     *
     * @return whether the lease was extended (an older echo, {@link #NO_ECHO}, or a time in the
     *         future, which only a faulty backup would send, are ignored)
     */
    public boolean renew(long echoedSentAtNanos, long now) {
        if (echoedSentAtNanos == NO_ECHO || echoedSentAtNanos - now > 0) {
            return false;
        }
        long candidate = echoedSentAtNanos + durationNanos;
        if (granted && candidate - expiresAt <= 0) {
            return false;
        }
        granted = true;
        expiresAt = candidate;
        return true;
    }

    /** Whether any renewal ever succeeded (the backup ever acknowledged us). */
    public boolean everGranted() {
        return granted;
    }

    public boolean valid(long now) {
        return granted && now - expiresAt < 0;
    }

    /** Time of expiry (meaningless before the first renewal). */
    public long expiresAt() {
        return expiresAt;
    }

    /** Nanoseconds of validity left, 0 if expired. */
    public long remainingNanos(long now) {
        return valid(now) ? expiresAt - now : 0;
    }

    public long durationNanos() {
        return durationNanos;
    }
}
