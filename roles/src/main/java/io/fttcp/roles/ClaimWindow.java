package io.fttcp.roles;

/**
 * How long a primary that may have been taken over stays fenced, listening for the backup's
 * announcement of the service address (3 at once, then one a second), before it serves on
 * unprotected: its <em>claim window</em>. 2.5 s, or two and a half detection timeouts and a
 * second if that is longer: a backup that finds the primary silent (one timeout), saw itself
 * stalled meanwhile (from half a timeout on) and so asks the primary first (one timeout more),
 * must still be heard first. Both
 * replicas read the timeout from the same configuration. A backup and a logger rely on it too:
 * a primary last heard less than this long ago has served nothing they lack, unless its channel
 * ended while its lease still ran ({@link StaleCopy}).
 */
public final class ClaimWindow {
    static final long LEAST_NANOS = 2_500_000_000L;
    static final long BEYOND_DETECTION_NANOS = 1_000_000_000L;

    private ClaimWindow() {}

    public static long nanos(long detectionTimeoutNanos) {
        return Math.max(LEAST_NANOS, detectionTimeoutNanos * 5 / 2 + BEYOND_DETECTION_NANOS);
    }
}
