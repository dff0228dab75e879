package io.fttcp.replication.stream;

import io.fttcp.replication.codec.ReplicationProtocolException;

/** A record arrived with an LSN other than the next one: a gap, a duplicate, or reordering. */
public final class OutOfOrderRecordException extends ReplicationProtocolException {
    private final long expected;
    private final long received;

    public OutOfOrderRecordException(long expected, long received) {
        super("replication stream out of order: expected LSN " + expected + ", received " + received + " ("
                + (received < expected ? "duplicate or replay" : "gap of " + (received - expected) + " records") + ")");
        this.expected = expected;
        this.received = received;
    }

    public long expected() {
        return expected;
    }

    public long received() {
        return received;
    }
}
