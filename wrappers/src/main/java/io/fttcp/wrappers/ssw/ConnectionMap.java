package io.fttcp.wrappers.ssw;

import java.util.Arrays;
import java.util.function.Consumer;

/**
 * Protected connections by client address, client port and service port, packed into one long
 * (the service address is fixed), with open addressing so a lookup per packet allocates nothing.
 */
final class ConnectionMap<V> {
    private static final Object TOMBSTONE = new Object();
    private long[] keys = new long[64];
    private Object[] values = new Object[64];
    private int size;
    private int tombstones;

    static long key(int clientAddress, int clientPort, int servicePort) {
        return (long) clientAddress << 32 | (long) (clientPort & 0xFFFF) << 16 | (servicePort & 0xFFFF);
    }

    int size() {
        return size;
    }

    @SuppressWarnings("unchecked")
    V get(long key) {
        int mask = values.length - 1;
        for (int i = slot(key, mask); ; i = (i + 1) & mask) {
            Object v = values[i];
            if (v == null) return null;
            if (v != TOMBSTONE && keys[i] == key) return (V) v;
        }
    }

    void put(long key, V value) {
        if ((size + tombstones + 1) * 2 > values.length) {
            rehash(size * 4 + 4 > values.length ? values.length * 2 : values.length);
        }
        int mask = values.length - 1;
        int free = -1;
        for (int i = slot(key, mask); ; i = (i + 1) & mask) {
            Object v = values[i];
            if (v == null) {
                if (free < 0) free = i;
                break;
            }
            if (v == TOMBSTONE) {
                if (free < 0) free = i;
            } else if (keys[i] == key) {
                values[i] = value;
                return;
            }
        }
        if (values[free] == TOMBSTONE) tombstones--;
        keys[free] = key;
        values[free] = value;
        size++;
    }

    void remove(long key) {
        int mask = values.length - 1;
        for (int i = slot(key, mask); ; i = (i + 1) & mask) {
            Object v = values[i];
            if (v == null) return;
            if (v != TOMBSTONE && keys[i] == key) {
                values[i] = TOMBSTONE;
                size--;
                tombstones++;
                return;
            }
        }
    }

    @SuppressWarnings("unchecked")
    void forEach(Consumer<V> action) {
        Object[] snapshot = values.clone(); // the action may remove entries
        for (Object v : snapshot) {
            if (v != null && v != TOMBSTONE) action.accept((V) v);
        }
    }

    private void rehash(int capacity) {
        long[] oldKeys = keys;
        Object[] oldValues = values;
        keys = new long[capacity];
        values = new Object[capacity];
        size = 0;
        tombstones = 0;
        for (int i = 0; i < oldValues.length; i++) {
            Object v = oldValues[i];
            if (v != null && v != TOMBSTONE) {
                @SuppressWarnings("unchecked") V value = (V) v;
                put(oldKeys[i], value);
            }
        }
        Arrays.fill(oldValues, null);
    }

    private static int slot(long key, int mask) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h >>> 40) & mask;
    }
}
