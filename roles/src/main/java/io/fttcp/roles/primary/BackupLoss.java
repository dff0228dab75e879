package io.fttcp.roles.primary;

/**
 * What a primary does when its backup's channel ends (sans I/O: the facts are passed in).
 * The backup takes over only once the primary's lease has surely expired, and when it does it
 * announces the service address (gratuitous ARP at once, then every second). Hence:
 * <ul>
 *   <li>the channel never completed its handshake: it was no backup; keep waiting for one;</li>
 *   <li>our lease is still valid: the backup cannot have taken over; continue unprotected;</li>
 *   <li>our lease expired (or was never granted), whatever the reason the channel ended: the backup may be serving our
 *       clients (it found us silent as we found it: a cut between the two replicas, or this
 *       process stalled), or it died. Stay fenced and listen for its announcement for a while ({@link io.fttcp.roles.ClaimWindow}):
 *       step down if it comes, else continue unprotected.</li>
 * </ul>
 * Continuing at once on a silence after the lease expired was a split brain: the false-takeover
 * simulation cut the link both ways, both sides found the other silent at once, and the old
 * primary released held output and acknowledged client bytes the new one never had (the
 * client's upload then hung for good, as once seen end to end). A backup replicates, and takes
 * over on a silence, from its handshake on, while our lease starts only with the first
 * acknowledgement that echoes a heartbeat: a primary frozen between the two (its first records
 * acknowledged, so its first output released) once took the backup's loss for a failed join and
 * served on unprotected while the backup took over (1 of 40,000 false-takeover seeds).
 */
public final class BackupLoss {
    public enum Verdict { KEEP_WAITING, AWAIT_CLAIM, CONTINUE_UNPROTECTED }

    private BackupLoss() {}

    /**
     * @param joined     the backup completed its handshake (it may have taken over since, lease or not)
     * @param leaseValid the lease its acknowledgements renewed is still running (what ended the
     *                   channel, and whether this process stalled, change nothing once it has run out)
     */
    public static Verdict decide(boolean joined, boolean leaseValid) {
        if (!joined) return Verdict.KEEP_WAITING;
        if (leaseValid) return Verdict.CONTINUE_UNPROTECTED;
        return Verdict.AWAIT_CLAIM;
    }
}
