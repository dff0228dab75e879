package io.fttcp.wrappers.ssw;

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

    /** Sets the sequence number of the TCP header at absolute offset {@code tcp}. */
    static void seq(ByteBuffer buf, int tcp, int seq, boolean partialChecksum) {
        if (partialChecksum) {
            buf.putInt(tcp + TcpCodec.SEQ_OFFSET, seq);
        } else {
            TcpCodec.rewriteSeq(buf, tcp, seq);
        }
    }
}
