package io.fttcp.sim.net;

import java.util.Arrays;

/**
 * The learning switch's forwarding table: 48-bit MAC to port, open addressing with linear
 * probing so a lookup per frame allocates nothing.
 */
final class MacTable {
    private long[] keys = new long[64];
    private SimPort[] ports = new SimPort[64];
    private int size;

    SimPort lookup(long mac) {
        int mask = keys.length - 1;
        for (int i = slot(mac, mask); ports[i] != null; i = (i + 1) & mask) {
            if (keys[i] == mac) {
                return ports[i];
            }
        }
        return null;
    }

    void learn(long mac, SimPort port) {
        int mask = keys.length - 1;
        int i = slot(mac, mask);
        for (; ports[i] != null; i = (i + 1) & mask) {
            if (keys[i] == mac) {
                ports[i] = port;
                return;
            }
        }
        keys[i] = mac;
        ports[i] = port;
        if (++size * 2 > keys.length) {
            rebuild(keys.length * 2, null);
        }
    }

    /** Forgets every MAC learned on {@code port} (its link went down). */
    void forget(SimPort port) {
        rebuild(keys.length, port);
    }

    int size() {
        return size;
    }

    private void rebuild(int capacity, SimPort without) {
        long[] oldKeys = keys;
        SimPort[] oldPorts = ports;
        keys = new long[capacity];
        ports = new SimPort[capacity];
        size = 0;
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldPorts[i] != null && oldPorts[i] != without) {
                learn(oldKeys[i], oldPorts[i]);
            }
        }
        Arrays.fill(oldPorts, null);
    }

    private static int slot(long mac, int mask) {
        long h = mac * 0x9E3779B97F4A7C15L;
        return (int) (h >>> 40) & mask;
    }
}
