package io.fttcp.replication.retention;

import io.fttcp.replication.record.Segment;

import java.util.Arrays;

/**
 * The SEGMENT records of one connection that CHECKPOINTED retention still keeps (all of them
 * until a checkpoint lets some go), in LSN order, each with what the rules read from it when it
 * arrived: its place in the client's stream and its acknowledgement, read as the backup reads
 * them (from lengths, sequence and acknowledgement numbers, never payload bytes). Parallel
 * arrays, so adding a segment allocates nothing but the occasional doubling. Not thread-safe.
 */
final class SegmentTrail {
    /** The offset of a segment lying before the client's SYN: the backup does not place it. */
    static final long NOT_PLACED = Long.MIN_VALUE;
    /** The acknowledgement of a segment without ACK (or not placed). */
    static final long NO_ACK = Long.MIN_VALUE;

    private long[] lsns = new long[8];
    private Segment[] segments = new Segment[8];
    private long[] offsets = new long[8];
    private int[] lengths = new int[8];
    private long[] acks = new long[8];
    private int size;
    private long payloadBytes;

    void add(long lsn, Segment segment, long offset, int length, long ack) {
        if (size == lsns.length) {
            int n = size * 2;
            lsns = Arrays.copyOf(lsns, n);
            segments = Arrays.copyOf(segments, n);
            offsets = Arrays.copyOf(offsets, n);
            lengths = Arrays.copyOf(lengths, n);
            acks = Arrays.copyOf(acks, n);
        }
        lsns[size] = lsn;
        segments[size] = segment;
        offsets[size] = offset;
        lengths[size] = length;
        acks[size] = ack;
        size++;
        payloadBytes += length;
    }

    int size() {
        return size;
    }

    long lsn(int i) {
        return lsns[i];
    }

    Segment segment(int i) {
        return segments[i];
    }

    /** Stream offset of its first byte (its sequence number's), or {@link #NOT_PLACED}. */
    long offset(int i) {
        return offsets[i];
    }

    int length(int i) {
        return lengths[i];
    }

    /** Its acknowledgement as an offset in our stream, or {@link #NO_ACK}. */
    long ack(int i) {
        return acks[i];
    }

    /** Payload bytes of the segments held. */
    long payloadBytes() {
        return payloadBytes;
    }

    /** Keeps only the segments {@code keep} marks, in order. */
    void retain(boolean[] keep) {
        int to = 0;
        payloadBytes = 0;
        for (int i = 0; i < size; i++) {
            if (keep[i]) {
                lsns[to] = lsns[i];
                segments[to] = segments[i];
                offsets[to] = offsets[i];
                lengths[to] = lengths[i];
                acks[to] = acks[i];
                payloadBytes += lengths[i];
                to++;
            }
        }
        Arrays.fill(segments, to, size, null);
        size = to;
    }
}
