package io.fttcp.stack.host;

import java.util.Arrays;

/**
 * An indexed binary min-heap of timer entries keyed by deadline. Each entry remembers its heap
 * position, so re-arming a connection's timer (on nearly every ACK) is O(log n) with no
 * allocation.
 */
final class TimerQueue<E extends TimerQueue.Entry> {

    /** Something with one deadline; {@link Long#MAX_VALUE} means not armed. */
    abstract static class Entry {
        long deadline = Long.MAX_VALUE;
        int heapIndex = -1;
    }

    private Entry[] heap = new Entry[64];
    private int size;

    /** Sets (or clears, with Long.MAX_VALUE) the entry's deadline. */
    void update(E e, long deadline) {
        if (deadline == Long.MAX_VALUE) {
            remove(e);
            return;
        }
        long old = e.deadline;
        e.deadline = deadline;
        if (e.heapIndex < 0) {
            if (size == heap.length) heap = Arrays.copyOf(heap, size * 2);
            e.heapIndex = size;
            heap[size++] = e;
            siftUp(e.heapIndex);
        } else if (deadline < old) {
            siftUp(e.heapIndex);
        } else if (deadline > old) {
            siftDown(e.heapIndex);
        }
    }

    void remove(E e) {
        int i = e.heapIndex;
        e.deadline = Long.MAX_VALUE;
        if (i < 0) return;
        e.heapIndex = -1;
        Entry last = heap[--size];
        heap[size] = null;
        if (i < size) {
            heap[i] = last;
            last.heapIndex = i;
            siftDown(i);
            siftUp(last.heapIndex);
        }
    }

    long earliest() {
        return size == 0 ? Long.MAX_VALUE : heap[0].deadline;
    }

    /** The entry with the earliest deadline if it is due at {@code now}, else null. It stays queued. */
    @SuppressWarnings("unchecked")
    E due(long now) {
        return size > 0 && heap[0].deadline <= now ? (E) heap[0] : null;
    }

    int size() {
        return size;
    }

    private void siftUp(int i) {
        Entry e = heap[i];
        while (i > 0) {
            int p = (i - 1) >>> 1;
            if (heap[p].deadline <= e.deadline) break;
            heap[i] = heap[p];
            heap[i].heapIndex = i;
            i = p;
        }
        heap[i] = e;
        e.heapIndex = i;
    }

    private void siftDown(int i) {
        Entry e = heap[i];
        while (true) {
            int c = 2 * i + 1;
            if (c >= size) break;
            if (c + 1 < size && heap[c + 1].deadline < heap[c].deadline) c++;
            if (heap[c].deadline >= e.deadline) break;
            heap[i] = heap[c];
            heap[i].heapIndex = i;
            i = c;
        }
        heap[i] = e;
        e.heapIndex = i;
    }
}
