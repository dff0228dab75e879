package io.fttcp.replication.channel;

import io.fttcp.replication.codec.ReplicationProtocolException;

/** The peer's handshake does not match ours (protocol version, role, cluster id, epoch or LSN). */
public final class HandshakeException extends ReplicationProtocolException {
    public HandshakeException(String message) {
        super(message);
    }
}
