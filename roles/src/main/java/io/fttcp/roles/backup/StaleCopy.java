package io.fttcp.roles.backup;

import io.fttcp.roles.primary.BackupLoss;

/**
 * Whether a backup's copy may lack what its primary served unprotected before it died (sans
 * I/O). A primary that loses its backup serves on unprotected only after its claim window
 * ({@link BackupLoss#claimWindowNanos}), counted from when its channel ended, so no earlier than
 * the claim window after the last frame we heard it send. (It serves on at once only if its
 * channel ended while its lease still ran, which a silence cannot do; after a close we ask it,
 * and find it alive unless it died within that moment.) A backup that finds the primary gone
 * sooner than that (the usual takeover: silence for the detection timeout, or its kernel closing
 * the channel) holds everything the primary's output rested on. One that finds it gone later (it
 * was cut off and waited for its link, or was itself stalled, and the primary died meanwhile)
 * may hold a copy the clients have moved past: an upload's bytes the primary acknowledged while
 * unprotected, which its client never sends again (restored, the upload hangs), or requests it
 * answered (restored, a replayed answer may not be the bytes the client already has: a wrong
 * byte). Such a takeover restores none of the connections it knows and resets their clients,
 * as one from an incomplete catch-up does.
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
     * @param foundGoneAt           when we concluded the primary is gone (its silence, or the answer to our question)
     */
    public static boolean possible(long lastSentNoEarlierThan, long foundGoneAt, long detectionTimeoutNanos) {
        return foundGoneAt - lastSentNoEarlierThan >= BackupLoss.claimWindowNanos(detectionTimeoutNanos) - TRANSIT_MARGIN_NANOS;
    }
}
