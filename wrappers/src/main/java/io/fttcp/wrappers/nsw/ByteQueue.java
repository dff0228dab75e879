package io.fttcp.wrappers.nsw;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Iterator;

/**
 * A window {@code [start, end)} of a byte stream, addressed by absolute stream offsets: bytes
 * are appended at the end and discarded from the start. Held as a run of slices: chunks of its
 * own that copied bytes fill, or arrays the caller hands over ({@link #appendShared}), so that
 * appending and discarding never move the bytes already held. Not thread-safe.
 */
final class ByteQueue {

    private static final int CHUNK = 16 * 1024;
    /**
     * Shorter runs are copied even when offered to share: a slice per few-byte segment would
     * cost more (an object, and an array kept whole for a few bytes) than copying them.
     */
    private static final int SHARE_MIN = 1024;

    /** {@code length} bytes of {@code array} from {@code from}; an owned slice is one of our chunks, filled up to its length. */
    private static final class Slice {
        final byte[] array;
        final int from;
        int length;
        final boolean owned;

        Slice(byte[] array, int from, int length, boolean owned) {
            this.array = array;
            this.from = from;
            this.length = length;
            this.owned = owned;
        }
    }

    private final ArrayDeque<Slice> slices = new ArrayDeque<>();
    /** Offset of the first byte of the first slice (at or below start). */
    private long sliceBase;
    private long start;
    private long end;

    ByteQueue(long start) {
        this.sliceBase = start;
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
            Slice last = slices.peekLast();
            if (last == null || !last.owned || last.length == CHUNK) {
                last = new Slice(new byte[CHUNK], 0, 0, true);
                slices.addLast(last);
            }
            int n = Math.min(CHUNK - last.length, src.remaining());
            src.get(last.array, last.length, n);
            last.length += n;
            end += n;
        }
    }

    /**
     * Appends {@code length} bytes of {@code bytes} from {@code offset} without copying them
     * (short runs excepted): the caller hands them over and never changes them afterwards (a
     * logged record's payload). Saves the backup a copy of every byte a client uploads.
     */
    void appendShared(byte[] bytes, int offset, int length) {
        if (length < SHARE_MIN) {
            append(bytes, offset, length);
            return;
        }
        slices.addLast(new Slice(bytes, offset, length, false));
        end += length;
    }

    /** Copies {@code length} bytes from stream offset {@code from} (within the window) into {@code dst}. */
    void copy(long from, ByteBuffer dst, int length) {
        if (from < start || from + length > end) {
            throw new IndexOutOfBoundsException("[" + from + ", " + (from + length) + ") is outside [" + start + ", " + end + ")");
        }
        if (length == 0) {
            return;
        }
        long at = from - sliceBase;
        Iterator<Slice> it = slices.iterator();
        Slice slice = it.next();
        while (at >= slice.length) {
            at -= slice.length;
            slice = it.next();
        }
        int within = (int) at;
        while (true) {
            int n = Math.min(slice.length - within, length);
            dst.put(slice.array, slice.from + within, n);
            length -= n;
            if (length == 0) {
                return;
            }
            within = 0;
            slice = it.next();
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
            slices.clear();
            sliceBase = offset;
            start = offset;
            end = offset;
            return;
        }
        start = offset;
        while (start - sliceBase >= slices.peekFirst().length) {
            sliceBase += slices.removeFirst().length;
        }
    }
}
