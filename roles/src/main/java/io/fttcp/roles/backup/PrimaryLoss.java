package io.fttcp.roles.backup;

import io.fttcp.replication.channel.CloseReason;

/**
 * What a backup does when its channel to the primary ends (sans I/O).
 * <ul>
 *   <li>Not yet replicating (refused, or gone during the handshake): retry, unless the primary
 *       refused us (then stop: the configuration is wrong).</li>
 *   <li>The primary's kernel closed or reset the connection without a word: its process died,
 *       and a dead process emits nothing: take over at once.</li>
 *   <li>Silence for the detection timeout: dead, frozen or cut off; its lease (shorter than the
 *       timeout by the margin) has expired, so it is silent: take over.</li>
 *   <li>Anything else (it said it is dropping the channel, a corrupt or unexpected frame): the
 *       primary may be alive and serving; never take over then: stop.</li>
 * </ul>
 */
public final class PrimaryLoss {
    public enum Verdict { RETRY, TAKE_OVER, STOP }

    private PrimaryLoss() {}

    public static Verdict decide(CloseReason.Kind why, boolean replicating) {
        if (!replicating) return why == CloseReason.Kind.HANDSHAKE_REFUSED ? Verdict.STOP : Verdict.RETRY;
        return why == CloseReason.Kind.PEER_CLOSED || why == CloseReason.Kind.PEER_SILENT ? Verdict.TAKE_OVER : Verdict.STOP;
    }
}
