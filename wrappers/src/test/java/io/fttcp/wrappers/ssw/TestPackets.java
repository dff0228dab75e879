package io.fttcp.wrappers.ssw;

import io.fttcp.stack.packet.Checksum;
import io.fttcp.stack.packet.Ipv4Packet;
import io.fttcp.stack.packet.TcpCodec;
import io.fttcp.stack.tcp.TcpSegment;

import java.nio.ByteBuffer;

/** Builds and parses TCP/IPv4 packets for the wrapper's tests, with the stack's own codecs. */
final class TestPackets {
    static final int SERVICE = 0xC612000A; // 198.18.0.10
    static final int CLIENT = 0xC6120001;  // 198.18.0.1
    static final int OTHER = 0xC6120063;   // 198.18.0.99
    static final int PORT = 80;
    static final int CLIENT_PORT = 40_000;

    private TestPackets() {
    }

    /** A fresh segment with the given header fields and no options. */
    static TcpSegment seg(int flags, int seq, int ack, int window) {
        TcpSegment s = new TcpSegment();
        s.flags = flags;
        s.seq = seq;
        s.ack = ack;
        s.window = window;
        return s;
    }

    static TcpSegment withTimestamps(TcpSegment s, int tsVal, int tsEcr) {
        s.hasTimestamp = true;
        s.tsVal = tsVal;
        s.tsEcr = tsEcr;
        return s;
    }

    static ByteBuffer packet(int src, int sport, int dst, int dport, TcpSegment s, byte[] payload, boolean partial) {
        s.payload = payload == null || payload.length == 0 ? null : ByteBuffer.wrap(payload);
        ByteBuffer b = ByteBuffer.allocate(20 + 60 + (payload == null ? 0 : payload.length));
        int len = TcpCodec.write(s, sport, dport, src, dst, b, 20, partial);
        Ipv4Packet.writeHeader(b, 0, len, Ipv4Packet.PROTOCOL_TCP, src, dst, 7, 64);
        b.limit(20 + len).position(0);
        s.payload = null;
        return b;
    }

    /** Client to service. */
    static ByteBuffer fromClient(TcpSegment s, byte[] payload) {
        return packet(CLIENT, CLIENT_PORT, SERVICE, PORT, s, payload, false);
    }

    /** Service (the stack) to client. */
    static ByteBuffer fromStack(TcpSegment s, byte[] payload) {
        return packet(SERVICE, PORT, CLIENT, CLIENT_PORT, s, payload, false);
    }

    static ByteBuffer copy(ByteBuffer p) {
        ByteBuffer c = ByteBuffer.allocate(p.remaining());
        c.put(p.duplicate()).flip();
        return c;
    }

    static byte[] bytes(ByteBuffer p) {
        byte[] a = new byte[p.remaining()];
        p.duplicate().get(a);
        return a;
    }

    /** A parsed packet: header fields, payload, and whether its TCP checksum is complete and valid. */
    record Parsed(TcpSegment seg, int sourcePort, int destinationPort, byte[] payload, boolean checksumValid) {
        int ack() {
            return seg.ack;
        }

        int window() {
            return seg.window;
        }
    }

    static Parsed parse(ByteBuffer p) {
        Ipv4Packet ip = new Ipv4Packet();
        if (ip.parse(p.duplicate()) != null) throw new AssertionError("bad IPv4 packet");
        TcpCodec codec = new TcpCodec();
        TcpSegment s = new TcpSegment();
        if (codec.parse(ip, true, s) != null) throw new AssertionError("bad TCP segment");
        byte[] payload = new byte[codec.payloadLength()];
        p.get(codec.payloadOffset(), payload);
        s.payload = null;
        int pseudo = Checksum.pseudoHeaderSum(ip.source(), ip.destination(), Ipv4Packet.PROTOCOL_TCP, ip.payloadLength());
        boolean valid = Checksum.verifies(p, ip.payloadOffset(), ip.payloadLength(), pseudo);
        return new Parsed(s, codec.sourcePort(), codec.destinationPort(), payload, valid);
    }
}
