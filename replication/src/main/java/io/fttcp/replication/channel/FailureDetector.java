package io.fttcp.replication.channel;

/**
 * Suspects the peer after a silence (sans I/O: fed times, in nanoseconds of a monotonic clock).
 * Anything valid the peer sends counts as hearing it: records, acknowledgements, heartbeats.
 *
 * <p><b>Default timeout: 150 ms with heartbeats every 20 ms.</b> Why:
 * <ul>
 * <li>Upper bound. A primary whose host is cut off is found only by this timeout, and the
 *     client's stall across such a failover is about this long (issue 3 asks for at most the
 *     timeout + 50 ms). 150 ms also stays under Linux's minimum RTO (200 ms), so a client that
 *     sent data just before the failure has not yet backed its timer off when the backup answers.
 *     A killed primary is found at once anyway: its kernel closes the connection.</li>
 * <li>Lower bound. A live peer can be silent for one heartbeat interval (20 ms) plus its
 *     scheduling delay and GC pauses (tens of milliseconds on a loaded two-core host) plus one
 *     lost TCP segment on the replication connection, which Linux repairs by tail-loss probe or
 *     fast retransmit (the next heartbeats make the duplicate ACKs) in a few tens of ms. 150 ms
 *     is 7 heartbeat intervals: a false suspicion needs about 6 heartbeats in a row to be late.</li>
 * <li>It must leave room for the primary's {@link Lease} (100 ms by default) plus a safety margin;
 *     see {@link ChannelConfig}.</li>
 * </ul>
 *
 * <p><b>Warm-up.</b> For a while after the channel opens the timeout is longer
 * ({@link #WARMUP_TIMEOUT_NANOS}, for {@link #WARMUP_NANOS} by default): two freshly started JVMs compiling
 * their hot paths on a busy host were measured silent for over 150 ms right after the handshake.
 * A longer timeout is always safe for the lease rule (the backup only waits longer).
 *
 * <p><b>Our own pauses.</b> The observer ({@link #observe}) gives no verdict right after a pause
 * of its own (a collector's stop-the-world pause, a starved host): our reader stopped too, and
 * the peer's frames may be waiting in our socket. It looks again a grace later, when the reader
 * has had its turn. A CI run saw a live backup taken for silent after 179 ms, the primary's
 * ticker itself 29 ms late. Waiting longer is always safe for the lease rule, as above.
 */
public final class FailureDetector {
    /** How long after the start the warm-up timeout applies, by default. */
    public static final long WARMUP_NANOS = 2_000_000_000L;
    /** The timeout during warm-up (or the normal one, if longer). */
    public static final long WARMUP_TIMEOUT_NANOS = 600_000_000L;

    private final long timeoutNanos;
    private final long ownPauseNanos;
    private final long graceNanos;
    private long warmupEnd;
    private long lastHeard;
    private boolean observed;
    private long lastObserved;
    private boolean deferred;
    private boolean everDeferred;
    /** The {@link #lastHeard} of the silence whose verdict was deferred last. */
    private long deferredSilenceFrom;
    private long recheckAt;
    private long verdictsDeferred;

    /** @param startNanos counts as hearing the peer (so a peer that never speaks is suspected after the timeout) */
    public FailureDetector(long timeoutNanos, long startNanos) {
        this(timeoutNanos, startNanos, 0);
    }

    /** @param warmupNanos how long after {@code startNanos} the longer warm-up timeout applies (0: none) */
    public FailureDetector(long timeoutNanos, long startNanos, long warmupNanos) {
        this(timeoutNanos, startNanos, warmupNanos, Long.MAX_VALUE, 0);
    }

    /**
     * @param ownPauseNanos a gap between two of {@link #observe}'s calls longer than this is a pause of ours
     * @param graceNanos    how long after such a pause the verdict waits
     */
    public FailureDetector(long timeoutNanos, long startNanos, long warmupNanos, long ownPauseNanos, long graceNanos) {
        if (timeoutNanos <= 0) {
            throw new IllegalArgumentException("timeout must be positive: " + timeoutNanos);
        }
        if (ownPauseNanos <= 0 || graceNanos < 0) {
            throw new IllegalArgumentException("own pause " + ownPauseNanos + " must be positive and grace " + graceNanos + " not negative");
        }
        this.ownPauseNanos = ownPauseNanos;
        this.graceNanos = graceNanos;
        this.timeoutNanos = timeoutNanos;
        this.lastHeard = startNanos;
        this.warmupEnd = startNanos + warmupNanos;
    }

    /** Starts the warm-up anew at {@code now} (the channel's handshake just completed); counts as hearing the peer. */
    public void restartWarmup(long now, long warmupNanos) {
        warmupEnd = now + warmupNanos;
        heard(now);
    }

    /** The timeout in force for a silence that would end at {@code at}. */
    private long timeoutAt(long at) {
        return at - warmupEnd < 0 ? Math.max(timeoutNanos, WARMUP_TIMEOUT_NANOS) : timeoutNanos;
    }

    public void heard(long now) {
        if (now - lastHeard > 0) {
            lastHeard = now;
        }
    }

    /** The peer has been silent for the timeout or longer. */
    public boolean suspect(long now) {
        return now - lastHeard >= timeoutAt(now);
    }

    /**
     * The observer's verdict at {@code now} (call it at least every {@link #deadline()}): as
     * {@link #suspect}, except right after a pause of our own, when the verdict waits a grace;
     * once per silence, so that an observer paused again and again still reaches its verdict.
     */
    public boolean observe(long now) {
        boolean pausedBefore = observed && now - lastObserved > ownPauseNanos;
        if (pausedBefore && suspect(now) && !(everDeferred && deferredSilenceFrom == lastHeard)) {
            deferred = true;
            everDeferred = true;
            deferredSilenceFrom = lastHeard;
            recheckAt = now + graceNanos;
            verdictsDeferred++;
        }
        observed = true;
        lastObserved = now;
        if (deferred && now - recheckAt < 0) {
            return false;
        }
        deferred = false;
        return suspect(now);
    }

    /** How many times a verdict (the peer silent for the timeout) waited after a pause of ours. */
    public long verdictsDeferred() {
        return verdictsDeferred;
    }

    public long lastHeard() {
        return lastHeard;
    }

    public long silenceNanos(long now) {
        return now - lastHeard;
    }

    /** When the peer becomes suspect if it stays silent (after a pause of ours, not before the grace ends). */
    public long deadline() {
        long normal = lastHeard + timeoutNanos;
        long silent = normal - warmupEnd < 0 ? Math.min(lastHeard + timeoutAt(lastHeard), Math.max(normal, warmupEnd)) : normal;
        return deferred && recheckAt - silent > 0 ? recheckAt : silent;
    }

    public long timeoutNanos() {
        return timeoutNanos;
    }
}
