package io.fttcp.wrappers.nsw;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;

/**
 * A window {@code [start, end)} of a byte stream, addressed by absolute stream offsets: bytes
 * are appended at the end and discarded from the start. Stored in fixed-size chunks, so
 * appending and discarding never move the bytes already held. Not thread-safe.
 */
final class ByteQueue {

    private static final int CHUNK = 16 * 1024;

    private final ArrayDeque<byte[]> chunks = new ArrayDeque<>();
    /** Offset of the first byte of the first chunk (at or below start). */
    private long chunkBase;
    private long start;
    private long end;

    ByteQueue(long start) {
        this.chunkBase = start;
        this.start = start;
        this.end = start;
    }

    long start() {
        return start;
    }

    long end() {
        return end;
    }

    long size() {
        return end - start;
    }

    void append(byte[] bytes, int offset, int length) {
        append(ByteBuffer.wrap(bytes, offset, length));
    }

    /** Appends {@code src}'s remaining bytes, consuming them. */
    void append(ByteBuffer src) {
        while (src.hasRemaining()) {
            int used = (int) ((end - chunkBase) % CHUNK);
            if (used == 0 && end - chunkBase == (long) chunks.size() * CHUNK) {
                chunks.addLast(new byte[CHUNK]);
            }
            byte[] last = chunks.peekLast();
            int n = Math.min(CHUNK - used, src.remaining());
            src.get(last, used, n);
            end += n;
        }
    }

    /** Copies {@code length} bytes from stream offset {@code from} (within the window) into {@code dst}. */
    void copy(long from, ByteBuffer dst, int length) {
        if (from < start || from + length > end) {
            throw new IndexOutOfBoundsException("[" + from + ", " + (from + length) + ") is outside [" + start + ", " + end + ")");
        }
        long at = from - chunkBase;
        int index = (int) (at / CHUNK);
        int within = (int) (at % CHUNK);
        var it = chunks.iterator();
        for (int i = 0; i < index; i++) {
            it.next();
        }
        while (length > 0) {
            byte[] chunk = it.next();
            int n = Math.min(CHUNK - within, length);
            dst.put(chunk, within, n);
            length -= n;
            within = 0;
        }
    }

    byte[] toArray(long from, long to) {
        byte[] out = new byte[(int) (to - from)];
        copy(from, ByteBuffer.wrap(out), out.length);
        return out;
    }

    /** Forgets the bytes below {@code offset}; an offset beyond the end empties the queue and moves it there. */
    void discardBefore(long offset) {
        if (offset <= start) {
            return;
        }
        if (offset >= end) {
            chunks.clear();
            chunkBase = offset;
            start = offset;
            end = offset;
            return;
        }
        start = offset;
        while (start - chunkBase >= CHUNK) {
            chunks.removeFirst();
            chunkBase += CHUNK;
        }
    }
}
