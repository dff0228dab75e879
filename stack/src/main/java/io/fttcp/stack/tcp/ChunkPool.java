package io.fttcp.stack.tcp;

import java.nio.ByteBuffer;

/** A bounded, thread-safe stack of spare buffer chunks. Taken and given once per 16 KiB, so a lock is cheap. */
final class ChunkPool {
    private final ByteBuffer[] spare;
    private int size;

    ChunkPool(int capacity) {
        spare = new ByteBuffer[capacity];
    }

    /** A recycled chunk (contents undefined), or null when none is spare. */
    synchronized ByteBuffer take() {
        if (size == 0) return null;
        ByteBuffer c = spare[--size];
        spare[size] = null;
        return c;
    }

    synchronized void give(ByteBuffer c) {
        if (size < spare.length) spare[size++] = c;
    }

    synchronized int spareCount() {
        return size;
    }
}
