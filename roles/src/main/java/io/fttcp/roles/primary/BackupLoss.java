package io.fttcp.roles.primary;

import io.fttcp.replication.channel.CloseReason;

/**
 * What a primary does when its backup's channel ends (sans I/O: the facts are passed in).
 * The backup takes over only once the primary's lease has surely expired, and when it does it
 * announces the service address (gratuitous ARP at once, then every second). Hence:
 * <ul>
 *   <li>the backup never acknowledged us (no handshake, or no lease ever granted: a stale
 *       connection from an earlier attempt, say): it protected nothing; keep waiting for one;</li>
 *   <li>our lease is still valid: the backup cannot have taken over; continue unprotected;</li>
 *   <li>the backup spoke (closed deliberately) after our lease expired, or this process was
 *       stalled (SIGSTOP, a stalled VM) since the lease was last valid: the backup may be serving
 *       our clients, or may have given up on us for good. Stay fenced and listen for its
 *       announcement for a while: step down if it comes, else continue unprotected;</li>
 *   <li>otherwise the backup died (or is cut off from us, which we cannot tell apart):
 *       continue unprotected.</li>
 * </ul>
 */
public final class BackupLoss {
    public enum Verdict { KEEP_WAITING, AWAIT_CLAIM, CONTINUE_UNPROTECTED }

    private BackupLoss() {}

    public static Verdict decide(CloseReason.Kind why, boolean joined, boolean leaseValid, boolean stalledSinceLeaseValid) {
        if (!joined) return Verdict.KEEP_WAITING;
        if (leaseValid) return Verdict.CONTINUE_UNPROTECTED;
        if (why == CloseReason.Kind.PEER_ABORTED || stalledSinceLeaseValid) return Verdict.AWAIT_CLAIM;
        return Verdict.CONTINUE_UNPROTECTED;
    }
}
