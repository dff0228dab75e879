package io.fttcp.replication.retention;

/**
 * Items in increasing LSN order: appended at the tail, removed at the head. A ring of two
 * arrays, so adding allocates nothing but the occasional doubling. Not thread-safe.
 */
final class LsnQueue<T> {
    private long[] lsns;
    private Object[] items;
    private int head;
    private int size;

    LsnQueue(int capacity) {
        int c = Math.max(2, Integer.highestOneBit(Math.max(1, capacity - 1)) << 1);
        lsns = new long[c];
        items = new Object[c];
    }

    void add(long lsn, T item) {
        if (size == lsns.length) {
            grow();
        }
        int at = (head + size) & (lsns.length - 1);
        lsns[at] = lsn;
        items[at] = item;
        size++;
    }

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** LSN of the {@code i}th item from the head. */
    long lsn(int i) {
        return lsns[(head + i) & (lsns.length - 1)];
    }

    @SuppressWarnings("unchecked")
    T item(int i) {
        return (T) items[(head + i) & (lsns.length - 1)];
    }

    void removeFirst() {
        if (size == 0) {
            throw new IllegalStateException("empty");
        }
        items[head] = null;
        head = (head + 1) & (lsns.length - 1);
        size--;
    }

    private void grow() {
        long[] l = new long[lsns.length * 2];
        Object[] o = new Object[lsns.length * 2];
        for (int i = 0; i < size; i++) {
            l[i] = lsn(i);
            o[i] = items[(head + i) & (lsns.length - 1)];
        }
        lsns = l;
        items = o;
        head = 0;
    }
}
