package io.fttcp.wrappers.ssw;

import io.fttcp.stack.packet.Ipv4Packet;
import io.fttcp.stack.packet.TcpCodec;
import io.fttcp.stack.tcp.FourTuple;
import io.fttcp.stack.tcp.TcpSegment;

import java.nio.ByteBuffer;

/** Builds the pure ACKs the wrapper sends itself, into one reused buffer, with full checksums. */
final class WrapperAckWriter {
    static final int TTL = 64;

    private final TcpSegment seg = new TcpSegment();
    private final ByteBuffer buffer = ByteBuffer.allocate(Ipv4Packet.MIN_HEADER_LENGTH + TcpCodec.MAX_HEADER_LENGTH);
    private int nextId;

    /** The packet (position..limit), valid until the next call. */
    ByteBuffer write(FourTuple t, int seq, int ack, int window, boolean timestamps, int tsVal, int tsEcr) {
        seg.clear();
        seg.seq = seq;
        seg.ack = ack;
        seg.flags = TcpSegment.ACK;
        seg.window = window;
        if (timestamps) {
            seg.hasTimestamp = true;
            seg.tsVal = tsVal;
            seg.tsEcr = tsEcr;
        }
        buffer.clear();
        int tcpLength = TcpCodec.write(seg, t.localPort(), t.remotePort(), t.localAddress(), t.remoteAddress(),
                buffer, Ipv4Packet.MIN_HEADER_LENGTH);
        Ipv4Packet.writeHeader(buffer, 0, tcpLength, Ipv4Packet.PROTOCOL_TCP, t.localAddress(), t.remoteAddress(),
                nextId++ & 0xFFFF, TTL);
        buffer.limit(Ipv4Packet.MIN_HEADER_LENGTH + tcpLength).position(0);
        return buffer;
    }
}
