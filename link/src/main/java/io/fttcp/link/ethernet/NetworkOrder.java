package io.fttcp.link.ethernet;

import java.nio.ByteBuffer;

/** Big-endian field access at absolute indexes, independent of the buffer's byte order. */
final class NetworkOrder {
    private NetworkOrder() {
    }

    static int u16(ByteBuffer buf, int index) {
        return ((buf.get(index) & 0xff) << 8) | (buf.get(index + 1) & 0xff);
    }

    static int i32(ByteBuffer buf, int index) {
        return (buf.get(index) << 24) | ((buf.get(index + 1) & 0xff) << 16)
                | ((buf.get(index + 2) & 0xff) << 8) | (buf.get(index + 3) & 0xff);
    }

    static void putU16(ByteBuffer buf, int index, int value) {
        buf.put(index, (byte) (value >>> 8));
        buf.put(index + 1, (byte) value);
    }

    static void putI32(ByteBuffer buf, int index, int value) {
        buf.put(index, (byte) (value >>> 24));
        buf.put(index + 1, (byte) (value >>> 16));
        buf.put(index + 2, (byte) (value >>> 8));
        buf.put(index + 3, (byte) value);
    }
}
