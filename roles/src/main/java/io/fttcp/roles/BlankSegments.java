package io.fttcp.roles;

import io.fttcp.replication.record.Record;
import io.fttcp.replication.record.Segment;

import java.util.Arrays;

/**
 * SEGMENT records with their payload replaced by zeros of the same length, shared: what a
 * {@link io.fttcp.replication.retention.LiveRecordSet} decides by without holding client bytes
 * (its rules read a payload's length, never its bytes). The logger's retained index and the
 * primary's ledger of the connections whose records it gave up both feed their sets these.
 * Not thread-safe: each owner has its own.
 */
public final class BlankSegments {
    /** At most this many bytes of shared zeros (one array per payload length seen); other lengths get arrays of their own. */
    private static final long MAX_SHARED_BYTES = 16L << 20;

    private byte[][] zeros = new byte[0][];
    private long sharedBytes;

    /** {@code record} itself, or for a SEGMENT with payload the same segment with a blank payload. */
    public Record blank(Record record) {
        return record instanceof Segment s && s.payload() != null && s.payload().length > 0 ? blank(s) : record;
    }

    private Segment blank(Segment s) {
        return new Segment(s.tuple(), s.seq(), s.ack(), s.flags(), s.window(), s.tsVal(), s.tsEcr(), zeros(s.payload().length));
    }

    /** A zero array of {@code length} bytes, shared with every caller asking for that length while within the bound. */
    public byte[] zeros(int length) {
        if (length < zeros.length && zeros[length] != null) return zeros[length];
        if (sharedBytes + length > MAX_SHARED_BYTES) return new byte[length];
        if (length >= zeros.length) zeros = Arrays.copyOf(zeros, Math.max(length + 1, zeros.length * 2));
        sharedBytes += length;
        return zeros[length] = new byte[length];
    }
}
