package io.fttcp.roles.sim;

import io.fttcp.sim.stack.SimStackHost;
import io.fttcp.stack.packet.Ipv4Packet;
import io.fttcp.stack.packet.TcpCodec;
import io.fttcp.stack.tcp.FourTuple;
import io.fttcp.stack.tcp.TcpSegment;

import java.nio.ByteBuffer;

/**
 * Sends TCP segments the backup's stack would not send by itself (through its Ethernet
 * interface, as the stack's own packets go): the takeover's stand-ins for what the repair API
 * cannot do yet. Test code.
 */
final class RawSegments {
    private final SimStackHost host;
    private int ipId;
    long sent;

    RawSegments(SimStackHost host) {
        this.host = host;
    }

    /** Sends {@code seg} on connection {@code t} (local = the backup's end). */
    void send(FourTuple t, TcpSegment seg) {
        int tcpLength = TcpCodec.headerLength(seg) + seg.payloadLength();
        ByteBuffer packet = ByteBuffer.allocate(Ipv4Packet.MIN_HEADER_LENGTH + tcpLength);
        Ipv4Packet.writeHeader(packet, 0, tcpLength, Ipv4Packet.PROTOCOL_TCP, t.localAddress(), t.remoteAddress(), ipId++, 64);
        TcpCodec.write(seg, t.localPort(), t.remotePort(), t.localAddress(), t.remoteAddress(), packet, Ipv4Packet.MIN_HEADER_LENGTH);
        sent++;
        host.call(() -> host.ethernet().accept(packet, host.now()));
    }
}
