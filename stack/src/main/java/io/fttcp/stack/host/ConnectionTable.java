package io.fttcp.stack.host;

import java.util.Arrays;
import java.util.function.Consumer;

/**
 * Demultiplexing table from a four-tuple to a value, with open addressing over two long keys so
 * a lookup per received packet allocates nothing.
 */
final class ConnectionTable<V> {
    private long[] addrKeys = new long[64];
    private long[] portKeys = new long[64];
    private Object[] values = new Object[64];
    private int size;
    private int tombstones;
    private static final Object TOMBSTONE = new Object();

    static long addressKey(int localAddress, int remoteAddress) {
        return (long) localAddress << 32 | (remoteAddress & 0xffffffffL);
    }

    static long portKey(int localPort, int remotePort) {
        return (long) localPort << 16 | remotePort;
    }

    @SuppressWarnings("unchecked")
    V get(int localAddress, int localPort, int remoteAddress, int remotePort) {
        long a = addressKey(localAddress, remoteAddress), p = portKey(localPort, remotePort);
        int mask = values.length - 1;
        for (int i = slot(a, p, mask); ; i = (i + 1) & mask) {
            Object v = values[i];
            if (v == null) return null;
            if (v != TOMBSTONE && addrKeys[i] == a && portKeys[i] == p) return (V) v;
        }
    }

    void put(int localAddress, int localPort, int remoteAddress, int remotePort, V value) {
        if ((size + tombstones + 1) * 2 > values.length) rehash(size * 2 + 2 > values.length ? values.length * 2 : values.length);
        long a = addressKey(localAddress, remoteAddress), p = portKey(localPort, remotePort);
        int mask = values.length - 1;
        int free = -1;
        for (int i = slot(a, p, mask); ; i = (i + 1) & mask) {
            Object v = values[i];
            if (v == null) {
                if (free < 0) free = i;
                break;
            }
            if (v == TOMBSTONE) {
                if (free < 0) free = i;
            } else if (addrKeys[i] == a && portKeys[i] == p) {
                values[i] = value;
                return;
            }
        }
        if (values[free] == TOMBSTONE) tombstones--;
        addrKeys[free] = a;
        portKeys[free] = p;
        values[free] = value;
        size++;
    }

    boolean remove(int localAddress, int localPort, int remoteAddress, int remotePort, V expected) {
        long a = addressKey(localAddress, remoteAddress), p = portKey(localPort, remotePort);
        int mask = values.length - 1;
        for (int i = slot(a, p, mask); ; i = (i + 1) & mask) {
            Object v = values[i];
            if (v == null) return false;
            if (v != TOMBSTONE && addrKeys[i] == a && portKeys[i] == p) {
                if (v != expected) return false;
                values[i] = TOMBSTONE;
                size--;
                tombstones++;
                return true;
            }
        }
    }

    int size() {
        return size;
    }

    @SuppressWarnings("unchecked")
    void forEach(Consumer<V> action) {
        for (Object v : values.clone()) {
            if (v != null && v != TOMBSTONE) action.accept((V) v);
        }
    }

    private static int slot(long a, long p, int mask) {
        long h = a * 0x9E3779B97F4A7C15L ^ p * 0xC2B2AE3D27D4EB4FL;
        return (int) (h ^ (h >>> 29)) & mask;
    }

    private void rehash(int capacity) {
        long[] oa = addrKeys, op = portKeys;
        Object[] ov = values;
        addrKeys = new long[capacity];
        portKeys = new long[capacity];
        values = new Object[capacity];
        size = 0;
        tombstones = 0;
        int mask = capacity - 1;
        for (int j = 0; j < ov.length; j++) {
            Object v = ov[j];
            if (v == null || v == TOMBSTONE) continue;
            int i = slot(oa[j], op[j], mask);
            while (values[i] != null) i = (i + 1) & mask;
            addrKeys[i] = oa[j];
            portKeys[i] = op[j];
            values[i] = v;
            size++;
        }
        Arrays.fill(ov, null);
    }
}
