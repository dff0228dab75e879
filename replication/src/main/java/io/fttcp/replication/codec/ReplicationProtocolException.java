package io.fttcp.replication.codec;

import java.io.IOException;

/**
 * The peer of a replication stream broke the protocol (corrupt frame, records out of order, a
 * refused handshake...). The stream cannot continue: close the connection and report this.
 */
public class ReplicationProtocolException extends IOException {
    public ReplicationProtocolException(String message) {
        super(message);
    }
}
