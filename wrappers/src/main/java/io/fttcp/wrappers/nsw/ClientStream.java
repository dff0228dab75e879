package io.fttcp.wrappers.nsw;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The client's byte stream of one connection, rebuilt on the backup from SEGMENT records in
 * the order they were logged (which is arrival order at the primary, so out of order,
 * duplicated and overlapping). Offsets count from the first byte after the client's SYN.
 * Keeps the contiguous bytes the application has not read yet, and segments beyond a hole.
 * Not thread-safe.
 */
final class ClientStream {

    /** Sequence number of stream offset 0: the client's ISN + 1. */
    private final int base;
    private final ByteQueue contiguous;
    private final TreeMap<Long, byte[]> ahead = new TreeMap<>();
    private long finOffset = -1;

    ClientStream(int clientIsn) {
        this.base = clientIsn + 1;
        this.contiguous = new ByteQueue(0);
    }

    /** The stream offset of sequence number {@code seq}: the one nearest the contiguous end (sequence numbers wrap). */
    long offsetOf(int seq) {
        long end = contiguous.end();
        return end + (int) ((seq - base) - (int) end);
    }

    /** Adds a logged segment's payload (and FIN). */
    void offer(int seq, byte[] payload, boolean fin) {
        long offset = offsetOf(seq);
        if (fin && finOffset < 0) {
            finOffset = offset + payload.length;
        }
        if (payload.length == 0 || offset + payload.length <= contiguous.end()) {
            return; // nothing new
        }
        if (offset > contiguous.end()) {
            byte[] held = ahead.get(offset);
            if (held == null || held.length < payload.length) {
                ahead.put(offset, payload);
            }
            return;
        }
        appendFrom(offset, payload);
        for (Map.Entry<Long, byte[]> e = ahead.firstEntry(); e != null && e.getKey() <= contiguous.end(); e = ahead.firstEntry()) {
            ahead.pollFirstEntry();
            if (e.getKey() + e.getValue().length > contiguous.end()) {
                appendFrom(e.getKey(), e.getValue());
            }
        }
    }

    private void appendFrom(long offset, byte[] payload) {
        int skip = (int) (contiguous.end() - offset);
        contiguous.append(payload, skip, payload.length - skip);
    }

    /** End of the contiguous bytes: the next offset the client must send (rcv_nxt, without the FIN). */
    long end() {
        return contiguous.end();
    }

    /** Offset of the next byte the application reads. */
    long readOffset() {
        return contiguous.start();
    }

    long available() {
        return contiguous.size();
    }

    /** True once the FIN is logged and every byte before it is contiguous. */
    boolean finReached() {
        return finOffset >= 0 && contiguous.end() >= finOffset;
    }

    /** True once the application has read everything up to the FIN. */
    boolean endOfStream() {
        return finReached() && contiguous.start() >= finOffset;
    }

    /** Moves {@code count} bytes (all available) to {@code dst} and forgets them. */
    void read(ByteBuffer dst, int count) {
        contiguous.copy(contiguous.start(), dst, count);
        contiguous.discardBefore(contiguous.start() + count);
    }

    /**
     * A restored connection's application has read up to {@code offset} already (a checkpoint):
     * forgets the bytes before it. False, changing nothing, when the logged bytes do not reach it.
     */
    boolean skipTo(long offset) {
        if (offset > contiguous.end()) {
            return false;
        }
        contiguous.discardBefore(offset);
        return true;
    }

    byte[] unread() {
        return contiguous.toArray(contiguous.start(), contiguous.end());
    }

    /** Segments held beyond a hole, by stream offset. */
    List<ConnectionImage.Piece> outOfOrder() {
        List<ConnectionImage.Piece> pieces = new ArrayList<>();
        for (Map.Entry<Long, byte[]> e : ahead.entrySet()) {
            pieces.add(new ConnectionImage.Piece(e.getKey(), e.getValue().clone()));
        }
        return pieces;
    }
}
