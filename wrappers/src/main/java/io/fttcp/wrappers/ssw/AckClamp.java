package io.fttcp.wrappers.ssw;

import io.fttcp.stack.packet.TcpCodec;

import java.nio.ByteBuffer;

/**
 * Rewrites an outgoing segment's acknowledgement down to the stable client sequence and widens
 * its window so the right edge the client sees never moves left (DESIGN.md §3 rule 1).
 */
final class AckClamp {
    private AckClamp() {
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

    /**
     * Sets ack and window of the TCP header at absolute {@code tcp}. A full checksum is updated
     * incrementally (RFC 1624); a partial one (pseudo-header sum only, completed by the device)
     * covers neither field and is left alone.
     */
    static void rewrite(ByteBuffer buf, int tcp, int ack, int window, boolean partialChecksum) {
        if (partialChecksum) {
            buf.putInt(tcp + TcpCodec.ACK_OFFSET, ack);
            buf.putShort(tcp + TcpCodec.WINDOW_OFFSET, (short) window);
        } else {
            TcpCodec.rewriteAck(buf, tcp, ack);
            TcpCodec.rewriteWindow(buf, tcp, window);
        }
    }
}
