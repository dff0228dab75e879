package io.fttcp.stack.packet;

import java.nio.ByteBuffer;
import java.util.HexFormat;

/** Test helpers: hex literals and a deliberately naive reference checksum. */
final class Bytes {
    private Bytes() {
    }

    static byte[] hex(String text) {
        return HexFormat.of().parseHex(text.replaceAll("\\s+", ""));
    }

    static ByteBuffer buffer(String text) {
        return ByteBuffer.wrap(hex(text));
    }

    /** RFC 1071 the slow way: byte pairs, big-endian, carries folded at the end. */
    static int referenceSum(byte[] data, int offset, int length) {
        long s = 0;
        for (int i = 0; i < length; i += 2) {
            int hi = data[offset + i] & 0xFF;
            int lo = i + 1 < length ? data[offset + i + 1] & 0xFF : 0;
            s += (hi << 8) | lo;
        }
        while ((s >>> 16) != 0) s = (s & 0xFFFF) + (s >>> 16);
        return (int) s;
    }

    static int referenceSum(ByteBuffer buf, int offset, int length) {
        byte[] copy = new byte[length];
        buf.get(offset, copy);
        return referenceSum(copy, 0, length);
    }

    static int referenceChecksum(byte[] data, int offset, int length) {
        return ~referenceSum(data, offset, length) & 0xFFFF;
    }

    /** Reference TCP checksum with the pseudo-header built as bytes, not via Checksum. */
    static int referenceTcpChecksum(ByteBuffer buf, int offset, int length, int srcIp, int dstIp) {
        byte[] all = new byte[12 + length];
        ByteBuffer.wrap(all).putInt(srcIp).putInt(dstIp).put((byte) 0).put((byte) 6).putShort((short) length);
        buf.get(offset, all, 12, length);
        return referenceChecksum(all, 0, all.length);
    }
}
