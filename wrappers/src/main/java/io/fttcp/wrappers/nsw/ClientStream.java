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
 *
 * <p>A recovery from a checkpoint replays, before it, only the segments retention kept (rule C3
 * of {@code io.fttcp.replication.retention}): holes from the SYN on, with kept segments, anchors
 * among them, never 2^30 or more apart. Until {@link #endChaining} a sequence number is
 * therefore read nearest the furthest position known (the end of the furthest segment placed,
 * with or without bytes, or the contiguous end), so that the reading chains from one kept
 * segment to the next; {@link #skipTo} then re-bases the stream at the checkpoint's read
 * offset. Afterwards, as for a stream replayed whole, nearest the contiguous end: a client's
 * garbage far ahead cannot move that. Not thread-safe.
 */
final class ClientStream {

    /** Sequence number of stream offset 0: the client's ISN + 1. */
    private final int base;
    private final ByteQueue contiguous;
    private final TreeMap<Long, byte[]> ahead = new TreeMap<>();
    private long finOffset = -1;
    /** Sequence numbers are read nearest {@link #furthest} rather than the contiguous end (see the class comment). */
    private boolean chained;
    /** The end of the furthest segment placed, or the contiguous end if further. */
    private long furthest;

    ClientStream(int clientIsn) {
        this(clientIsn, false);
    }

    /** @param chained read sequence numbers nearest the furthest known position until {@link #endChaining} */
    ClientStream(int clientIsn, boolean chained) {
        this.base = clientIsn + 1;
        this.contiguous = new ByteQueue(0);
        this.chained = chained;
    }

    /** From now on sequence numbers are read nearest the contiguous end (the stream is replayed whole from here). */
    void endChaining() {
        chained = false;
    }

    /**
     * The stream offset of sequence number {@code seq}: the one nearest the contiguous end, or
     * while chaining the furthest known position (sequence numbers wrap).
     */
    long offsetOf(int seq) {
        long near = chained ? Math.max(furthest, contiguous.end()) : contiguous.end();
        return near + (int) ((seq - base) - (int) near);
    }

    /** Adds a logged segment's payload (and FIN). */
    void offer(int seq, byte[] payload, boolean fin) {
        long offset = offsetOf(seq);
        if (fin && finOffset < 0) {
            finOffset = offset + payload.length;
        }
        furthest = Math.max(furthest, offset + payload.length);
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
        takeInHeld();
    }

    /** Appends the held segments that became contiguous (their part beyond the contiguous end). */
    private void takeInHeld() {
        for (Map.Entry<Long, byte[]> e = ahead.firstEntry(); e != null && e.getKey() <= contiguous.end(); e = ahead.firstEntry()) {
            ahead.pollFirstEntry();
            if (e.getKey() + e.getValue().length > contiguous.end()) {
                appendFrom(e.getKey(), e.getValue());
            }
        }
    }

    /** Logged payloads are never changed once recorded, so the queue may keep them as they are. */
    private void appendFrom(long offset, byte[] payload) {
        int skip = (int) (contiguous.end() - offset);
        contiguous.appendShared(payload, skip, payload.length - skip);
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
     * forgets the bytes before it. Beyond the contiguous end (retention let go of the segments
     * the application read, leaving holes) the stream is re-based there: segments held wholly
     * below it go, those reaching it become contiguous from it; bytes at {@code offset} not
     * received yet are fine (the client has not sent them). False, changing nothing, when the
     * offset lies beyond the client's FIN: no records can make that right.
     */
    boolean skipTo(long offset) {
        if (offset <= contiguous.end()) {
            contiguous.discardBefore(offset);
            return true;
        }
        if (finOffset >= 0 && offset > finOffset) {
            return false;
        }
        contiguous.discardBefore(offset); // empties it, moved to the offset
        furthest = Math.max(furthest, offset);
        takeInHeld(); // those wholly below the offset go too
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
