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

    /** During a catch-up, which accepts any increasing LSN below {@code catchUpEnd}. */
    public OutOfOrderRecordException(long expected, long received, long catchUpEnd) {
        super("replication catch-up out of order: received LSN " + received + " after " + (expected - 1) + " ("
                + (received < expected ? "duplicate or reordering" : "at or above " + catchUpEnd
                + ", where the handshake said the contiguous stream starts; records there come after CAUGHT_UP") + ")");
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
