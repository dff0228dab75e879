package io.fttcp.replication.codec;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * The first frame each way on a replication connection.
 *
 * @param protocolVersion the replication protocol the sender speaks
 * @param role            the sender's role
 * @param clusterId       the protected service both replicas must agree on (at most 255 UTF-8 bytes, no control
 *                        characters: it goes into log lines, see {@link PeerText})
 * @param epoch           the primary's epoch (incremented at each takeover); a backup states the
 *                        highest epoch it has seen
 * @param lsn             primary: the next LSN it will send contiguously (its stable LSN + 1; a
 *                        peer holding nothing gets a catch-up below it, see
 *                        {@link FrameKind#CAUGHT_UP}); backup or logger holding records: the last
 *                        LSN it holds; logger serving a fetch: the LSN after the last one it sends
 * @param livenessPort    a primary dialing a logger: the TCP port on its host where its process
 *                        answers (accepts and closes) for as long as it lives, so that a logger
 *                        whose channel closed without a word can ask whether the primary died;
 *                        0 when it offers none (and always 0 from the other roles)
 * @param unprotectedAfterMillis a primary dialing a logger: how soon after its channel ends it may
 *                        serve its clients without the logger (its claim window, under the
 *                        {@code continue} policy), so that a logger serving a recovery later knows
 *                        its records may be behind the clients; 0 when it never serves past the log
 *                        (the {@code stall} policy; and always 0 from the other roles)
 */
public record Handshake(int protocolVersion, Role role, String clusterId, long epoch, long lsn, int livenessPort,
                        int unprotectedAfterMillis) {
    public static final int MAX_CLUSTER_ID_BYTES = 255;

    /** A handshake offering no liveness port, from a peer that never serves past the log. */
    public Handshake(int protocolVersion, Role role, String clusterId, long epoch, long lsn) {
        this(protocolVersion, role, clusterId, epoch, lsn, 0, 0);
    }

    public Handshake {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(clusterId, "clusterId");
        if (clusterId.getBytes(StandardCharsets.UTF_8).length > MAX_CLUSTER_ID_BYTES) {
            throw new IllegalArgumentException("cluster id over " + MAX_CLUSTER_ID_BYTES + " UTF-8 bytes: " + PeerText.printable(clusterId));
        }
        if (PeerText.hasControlCharacter(clusterId)) {
            throw new IllegalArgumentException("cluster id has a control character: '" + PeerText.printable(clusterId) + "'");
        }
        if (protocolVersion < 0 || protocolVersion > 0xffff) {
            throw new IllegalArgumentException("protocol version not a u16: " + protocolVersion);
        }
        if (livenessPort < 0 || livenessPort > 0xffff) {
            throw new IllegalArgumentException("liveness port not a u16: " + livenessPort);
        }
        if (unprotectedAfterMillis < 0) {
            throw new IllegalArgumentException("unprotected-after must not be negative: " + unprotectedAfterMillis);
        }
        if (lsn < 0) {
            throw new IllegalArgumentException("negative LSN " + lsn);
        }
    }
}
