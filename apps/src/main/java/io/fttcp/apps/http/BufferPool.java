package io.fttcp.apps.http;

import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Large streaming buffers shared by all connections: a connection borrows one for a response
 * or an upload and returns it after, so idle keep-alive connections hold no large buffer.
 */
final class BufferPool {

    private final int bufferSize;
    private final int maxPooled;
    private final ConcurrentLinkedDeque<ByteBuffer> free = new ConcurrentLinkedDeque<>();
    private final AtomicInteger pooled = new AtomicInteger();

    BufferPool(int bufferSize, int maxPooled) {
        this.bufferSize = bufferSize;
        this.maxPooled = maxPooled;
    }

    ByteBuffer acquire() {
        ByteBuffer buffer = free.pollFirst();
        if (buffer == null) {
            return ByteBuffer.allocate(bufferSize);
        }
        pooled.decrementAndGet();
        return buffer.clear();
    }

    void release(ByteBuffer buffer) {
        if (pooled.incrementAndGet() <= maxPooled) {
            free.offerFirst(buffer);
        } else {
            pooled.decrementAndGet();
        }
    }
}
