package io.fttcp.roles;

/**
 * Whether the records a replica holds may be behind what the primary served before it was lost
 * (sans I/O). A primary that loses its backup, or under the {@code continue} policy its logger,
 * serves on unprotected only after its claim window ({@link ClaimWindow}),
 * counted from when its channel ended, so no earlier than the claim window after the last frame
 * we heard it send. Found gone sooner than that (the usual takeover: silence for the detection
 * timeout, or its kernel closing the channel), it served nothing we lack. Found gone later (a
 * backup that was cut off and waited for its link, or was itself stalled; a logger that serves a
 * recovery long after it lost the primary), it may have: an upload's bytes acknowledged while
 * unprotected, which the client never sends again (restored, the upload hangs), or requests it
 * answered (restored, a replayed answer may not be the bytes the client already has: a wrong
 * byte). A takeover from such records restores none of the connections they name and resets
 * their clients, as one from an incomplete catch-up does. (A primary serves on at once only if
 * its channel ended while its lease still ran, which a silence cannot do; after a close it is
 * asked, and found alive unless it died within that moment.)
 */
public final class StaleCopy {
    /**
     * How long the last frame we heard may have taken from the primary's send to our read, at
     * most: the link, and our socket's queue (at most the replication window in flight).
     */
    static final long TRANSIT_MARGIN_NANOS = 100_000_000L;

    private StaleCopy() {}

    /**
     * @param lastSentNoEarlierThan when the last frame we heard from the primary was sent, at the earliest
     * @param foundGoneAt           when we concluded the primary is gone (its silence, the answer to our question, a recovery served)
     * @param claimWindowNanos      how long the primary stays fenced after losing its channel before it serves on
     */
    public static boolean possible(long lastSentNoEarlierThan, long foundGoneAt, long claimWindowNanos) {
        return foundGoneAt - lastSentNoEarlierThan >= claimWindowNanos - TRANSIT_MARGIN_NANOS;
    }
}
