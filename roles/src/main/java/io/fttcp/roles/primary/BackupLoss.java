package io.fttcp.roles.primary;

import io.fttcp.replication.channel.CloseReason;

/**
 * What a primary does when its backup's channel ends (sans I/O: the facts are passed in).
 * The backup takes over only once the primary's lease has surely expired, and when it does it
 * closes the channel with a word (REJECT) or lets it fall silent. Hence:
 * <ul>
 *   <li>the backup never acknowledged us (no handshake, or no lease ever granted: a stale
 *       connection from an earlier attempt, say): it protected nothing; keep waiting for one;</li>
 *   <li>the backup spoke (closed deliberately) after our lease expired, or this process was
 *       frozen (SIGSTOP, a stalled VM) beyond the detection timeout since the lease was last
 *       valid: the backup may be serving our clients; step down;</li>
 *   <li>otherwise the backup died (or is cut off from us, which we cannot tell apart):
 *       continue unprotected.</li>
 * </ul>
 */
public final class BackupLoss {
    public enum Verdict { KEEP_WAITING, STEP_DOWN, CONTINUE_UNPROTECTED }

    private BackupLoss() {}

    public static Verdict decide(CloseReason.Kind why, boolean joined, boolean leaseValid, boolean frozenSinceLeaseValid) {
        if (!joined) return Verdict.KEEP_WAITING;
        if (leaseValid) return Verdict.CONTINUE_UNPROTECTED;
        if (why == CloseReason.Kind.PEER_ABORTED || frozenSinceLeaseValid) return Verdict.STEP_DOWN;
        return Verdict.CONTINUE_UNPROTECTED;
    }
}
