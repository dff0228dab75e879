package io.fttcp.wrappers.ssw;

import io.fttcp.stack.packet.Checksum;
import io.fttcp.stack.packet.TcpCodec;

import java.nio.ByteBuffer;

/**
 * In-place rewrites of an outgoing segment's header: the acknowledgement clamped down to the
 * stable client sequence with the window widened so the right edge the client sees never moves
 * left (DESIGN.md §3 rule 1), and the sequence number of a bare ACK or RST pulled back to what
 * the client was sent. A full checksum is updated incrementally (RFC 1624); a partial one (the
 * pseudo-header sum only, completed by the device) covers none of these fields and is left alone.
 */
final class SegmentRewrite {
    private static final int TIMESTAMPS = 8;

    private SegmentRewrite() {
    }

    /**
     * The window field that keeps {@code rightEdge} reachable from {@code ack} at window scale
     * {@code shift}: rounded up (the edge may move right by less than one unit, never left),
     * capped at 65535 (the one case where it cannot be kept).
     */
    static int windowFor(int rightEdge, int ack, int shift) {
        int room = rightEdge - ack;
        if (room <= 0) return 0;
        long units = ((long) room + (1L << shift) - 1) >>> shift;
        return (int) Math.min(65535, units);
    }

    /** Sets ack and window of the TCP header at absolute offset {@code tcp}. */
    static void ackAndWindow(ByteBuffer buf, int tcp, int ack, int window, boolean partialChecksum) {
        if (partialChecksum) {
            buf.putInt(tcp + TcpCodec.ACK_OFFSET, ack);
            buf.putShort(tcp + TcpCodec.WINDOW_OFFSET, (short) window);
        } else {
            TcpCodec.rewriteAck(buf, tcp, ack);
            TcpCodec.rewriteWindow(buf, tcp, window);
        }
    }

    /**
     * Sets the TSval of the timestamp option of the TCP header at absolute offset {@code tcp};
     * returns false (changing nothing) if the header has no well-formed timestamp option.
     */
    static boolean tsVal(ByteBuffer buf, int tcp, int tsVal, boolean partialChecksum) {
        int end = tcp + ((buf.get(tcp + 12) & 0xFF) >>> 4) * 4;
        int i = tcp + TcpCodec.MIN_HEADER_LENGTH;
        while (i < end) {
            int kind = buf.get(i) & 0xFF;
            if (kind == 0) return false;
            if (kind == 1) {
                i++;
                continue;
            }
            if (i + 1 >= end) return false;
            int length = buf.get(i + 1) & 0xFF;
            if (length < 2 || i + length > end) return false;
            if (kind == TIMESTAMPS && length == 10) {
                int at = i + 2;
                int old = buf.getInt(at);
                buf.putInt(at, tsVal);
                if (!partialChecksum) {
                    int checksum = buf.getShort(tcp + TcpCodec.CHECKSUM_OFFSET) & 0xFFFF;
                    // adjust32 works on 16-bit words: exact at any even offset from the header start.
                    int adjusted = (at - tcp) % 2 == 0 ? Checksum.adjust32(checksum, old, tsVal)
                            : Checksum.adjust32(checksum, Integer.rotateLeft(old, 8), Integer.rotateLeft(tsVal, 8));
                    buf.putShort(tcp + TcpCodec.CHECKSUM_OFFSET, (short) adjusted);
                }
                return true;
            }
            i += length;
        }
        return false;
    }

    /** Sets the sequence number of the TCP header at absolute offset {@code tcp}. */
    static void seq(ByteBuffer buf, int tcp, int seq, boolean partialChecksum) {
        if (partialChecksum) {
            buf.putInt(tcp + TcpCodec.SEQ_OFFSET, seq);
        } else {
            TcpCodec.rewriteSeq(buf, tcp, seq);
        }
    }
}
