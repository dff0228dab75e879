package io.fttcp.stack.packet;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The Internet checksum (RFC 1071): the 16-bit one's complement of the one's complement sum of
 * 16-bit big-endian words, with RFC 1624 incremental updates.
 *
 * <p>Two kinds of values appear here. A <em>sum</em> is a folded one's complement sum in
 * {@code 0..0xFFFF}, not complemented; sums of adjacent ranges combine with {@link #add}, as long as
 * each range starts at an even distance from the start of the checksummed data. A
 * <em>checksum</em> is what goes on the wire: {@link #finish} of a sum.
 */
public final class Checksum {
    private Checksum() {
    }

    /**
     * The folded one's complement sum of {@code length} bytes at {@code offset} (absolute, the
     * buffer's position and limit are not used or changed). An odd trailing byte is padded with
     * zero. Reads 8 bytes at a time; works in either byte order of the buffer.
     */
    public static int sum(ByteBuffer buf, int offset, int length) {
        long acc = 0;
        int i = offset;
        int end = offset + length;
        // Summing 32-bit halves into a 64-bit accumulator defers all carries to the final fold.
        for (; end - i >= 8; i += 8) {
            long v = buf.getLong(i);
            acc += (v >>> 32) + (v & 0xFFFF_FFFFL);
        }
        if (end - i >= 4) {
            acc += buf.getInt(i) & 0xFFFF_FFFFL;
            i += 4;
        }
        if (end - i >= 2) {
            acc += buf.getShort(i) & 0xFFFF;
            i += 2;
        }
        boolean bigEndian = buf.order() == ByteOrder.BIG_ENDIAN;
        if (i < end) {
            int last = buf.get(i) & 0xFF;
            acc += bigEndian ? last << 8 : last;
        }
        int folded = fold((int) ((acc & 0xFFFF) + ((acc >>> 16) & 0xFFFF) + ((acc >>> 32) & 0xFFFF) + (acc >>> 48)));
        // The one's complement sum is byte-order independent up to a final swap (RFC 1071 §2(B)).
        return bigEndian ? folded : Integer.reverseBytes(folded) >>> 16;
    }

    /** The sum of the IPv4 pseudo-header for TCP/UDP: addresses, protocol and transport length. */
    public static int pseudoHeaderSum(int source, int destination, int protocol, int transportLength) {
        int s = (source >>> 16) + (source & 0xFFFF) + (destination >>> 16) + (destination & 0xFFFF)
                + (protocol & 0xFF) + (transportLength & 0xFFFF);
        return fold(s);
    }

    /** One's complement addition of two sums. */
    public static int add(int sumA, int sumB) {
        return fold((sumA & 0xFFFF) + (sumB & 0xFFFF));
    }

    /** The checksum to put on the wire for a sum. */
    public static int finish(int sum) {
        return ~sum & 0xFFFF;
    }

    /** The checksum of a range on its own (e.g. an IPv4 header with its checksum field zeroed). */
    public static int compute(ByteBuffer buf, int offset, int length) {
        return finish(sum(buf, offset, length));
    }

    /** True if a range that includes its checksum field verifies (sums to negative zero). */
    public static boolean verifies(ByteBuffer buf, int offset, int length, int initialSum) {
        return add(sum(buf, offset, length), initialSum) == 0xFFFF;
    }

    /**
     * RFC 1624 eqn. 3: the new checksum after one 16-bit word of the covered data changed from
     * {@code oldValue} to {@code newValue}: HC' = ~(~HC + ~m + m').
     */
    public static int adjust16(int checksum, int oldValue, int newValue) {
        int s = (~checksum & 0xFFFF) + (~oldValue & 0xFFFF) + (newValue & 0xFFFF);
        return ~fold(s) & 0xFFFF;
    }

    /** {@link #adjust16} for an aligned 32-bit field (e.g. a sequence or acknowledgment number). */
    public static int adjust32(int checksum, int oldValue, int newValue) {
        int s = (~checksum & 0xFFFF)
                + (~oldValue >>> 16) + (~oldValue & 0xFFFF)
                + (newValue >>> 16) + (newValue & 0xFFFF);
        return ~fold(s) & 0xFFFF;
    }

    /** Folds carries above bit 15 back in, end-around; the argument must be non-negative. */
    static int fold(int s) {
        s = (s & 0xFFFF) + (s >>> 16);
        s = (s & 0xFFFF) + (s >>> 16);
        return s;
    }
}
