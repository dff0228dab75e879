package io.fttcp.stack.tcp;

import java.nio.ByteBuffer;

/**
 * A FIFO of bytes stored in fixed-size chunks that are allocated on demand and dropped as soon
 * as they are consumed, so an idle connection holds no buffer memory at all. Chunk offsets are
 * computable in O(1) because every chunk has the same size.
 */
final class ByteQueue {
    static final int CHUNK_SHIFT = 14;
    static final int CHUNK = 1 << CHUNK_SHIFT;
    private static final int MASK = CHUNK - 1;
    /**
     * Recycled chunks shared by all connections and threads (applications write on their threads,
     * the host acknowledges on its own, so a per-thread cache would not balance). Zeroing fresh
     * chunks was the largest cost of a bulk transfer.
     */
    private static final ChunkPool POOL = new ChunkPool(256);

    /** Ring of chunks; null while the queue is empty. Each chunk is a heap buffer used by absolute access. */
    private ByteBuffer[] ring;
    private int ringHead;
    private int chunkCount;
    /** Read position in the first chunk. */
    private int headOffset;
    private int size;

    int size() { return size; }

    boolean isEmpty() { return size == 0; }

    /** Appends {@code len} bytes of {@code src} starting at absolute index {@code from}, without moving src's position. */
    void append(ByteBuffer src, int from, int len) {
        while (len > 0) {
            int abs = headOffset + size;
            int tail = abs & MASK;
            ByteBuffer chunk = (abs >>> CHUNK_SHIFT) == chunkCount ? addChunk() : chunk(abs >>> CHUNK_SHIFT);
            int n = Math.min(len, CHUNK - tail);
            src.get(from, chunk.array(), tail, n);
            from += n;
            len -= n;
            size += n;
        }
    }

    void append(byte[] src, int from, int len) {
        append(ByteBuffer.wrap(src), from, len);
    }

    /** Moves up to dst.remaining() bytes into dst; returns the count. */
    int read(ByteBuffer dst) {
        int total = Math.min(dst.remaining(), size);
        int left = total;
        while (left > 0) {
            int n = Math.min(left, CHUNK - headOffset);
            dst.put(chunk(0).array(), headOffset, n);
            left -= n;
            discard(n);
        }
        return total;
    }

    /** Drops the first n bytes (n <= size). */
    void discard(int n) {
        if (n <= 0) return;
        size -= n;
        headOffset += n;
        while (headOffset >= CHUNK) {
            dropFirstChunk();
            headOffset -= CHUNK;
        }
        if (size == 0) clear();
    }

    void clear() {
        for (int i = 0; i < chunkCount; i++) {
            recycle(chunk(i));
            ring[(ringHead + i) & (ring.length - 1)] = null;
        }
        if (ring != null && ring.length > 8) ring = null; // a small ring is cheaper to keep than to regrow
        ringHead = chunkCount = headOffset = size = 0;
    }

    /** Copies len bytes starting at offset into dst[dstOff..]. */
    void copyTo(int offset, byte[] dst, int dstOff, int len) {
        while (len > 0) {
            int abs = headOffset + offset;
            int within = abs & MASK;
            int n = Math.min(len, CHUNK - within);
            System.arraycopy(chunk(abs >>> CHUNK_SHIFT).array(), within, dst, dstOff, n);
            offset += n;
            dstOff += n;
            len -= n;
        }
    }

    byte[] toArray() {
        byte[] a = new byte[size];
        copyTo(0, a, 0, size);
        return a;
    }

    /**
     * A buffer whose position..limit holds bytes [offset, offset+len): the chunk itself when the
     * range lies in one chunk, otherwise a copy in {@code scratch} (which must be large enough).
     * Valid until the queue is next modified.
     */
    ByteBuffer view(int offset, int len, ByteBuffer scratch) {
        int abs = headOffset + offset;
        int within = abs & MASK;
        if (within + len <= CHUNK) {
            ByteBuffer c = chunk(abs >>> CHUNK_SHIFT);
            c.clear().position(within).limit(within + len);
            return c;
        }
        scratch.clear();
        copyTo(offset, scratch.array(), 0, len);
        scratch.limit(len);
        return scratch;
    }

    private static void recycle(ByteBuffer c) {
        POOL.give(c);
    }

    private ByteBuffer chunk(int i) {
        return ring[(ringHead + i) & (ring.length - 1)];
    }

    private ByteBuffer addChunk() {
        if (ring == null) {
            ring = new ByteBuffer[4];
        } else if (chunkCount == ring.length) {
            ByteBuffer[] bigger = new ByteBuffer[ring.length * 2];
            for (int i = 0; i < chunkCount; i++) bigger[i] = chunk(i);
            ring = bigger;
            ringHead = 0;
        }
        ByteBuffer c = POOL.take();
        if (c == null) c = ByteBuffer.allocate(CHUNK);
        ring[(ringHead + chunkCount) & (ring.length - 1)] = c;
        chunkCount++;
        return c;
    }

    private void dropFirstChunk() {
        recycle(ring[ringHead]);
        ring[ringHead] = null;
        ringHead = (ringHead + 1) & (ring.length - 1);
        chunkCount--;
    }
}
