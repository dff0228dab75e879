package io.fttcp.stack.host;

import io.fttcp.stack.packet.DropCounters;
import io.fttcp.stack.packet.DropReason;
import io.fttcp.stack.packet.IcmpPacket;
import io.fttcp.stack.packet.Ipv4Packet;
import io.fttcp.stack.packet.TcpCodec;
import io.fttcp.stack.tcp.TcpSegment;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The host's packet views and its reusable output buffer: parses a received packet once, counts
 * drops by reason, and serializes emitted segments. One per host; not thread-safe.
 */
public final class PacketCodec {
    static final int PROTO_ICMP = Ipv4Packet.PROTOCOL_ICMP;
    static final int PROTO_TCP = Ipv4Packet.PROTOCOL_TCP;
    static final int IP_HEADER_LENGTH = Ipv4Packet.MIN_HEADER_LENGTH;

    enum IcmpKind { ECHO_REQUEST, ERROR, OTHER, INVALID }

    private final HostConfig config;
    private final Ipv4Packet ip = new Ipv4Packet();
    private final TcpCodec tcp = new TcpCodec();
    private final IcmpPacket icmp = new IcmpPacket();
    private final DropCounters drops = new DropCounters();
    private final ByteBuffer out;
    private int nextId;
    /** Set by the link when it already verified checksums of the packet being received. */
    private boolean checksumVerified;

    PacketCodec(HostConfig config) {
        this.config = config;
        int max = Math.max(config.mtu(), config.segmentOffload() + 40 + 60);
        this.out = ByteBuffer.allocateDirect(Math.min(65535, max)).order(ByteOrder.BIG_ENDIAN);
    }

    public DropCounters drops() {
        return drops;
    }

    /** The link verified the checksum of the next received packet (receive checksum offload). */
    public void markChecksumVerified(boolean verified) {
        this.checksumVerified = verified;
    }

    boolean parseIp(ByteBuffer packet) {
        DropReason r = ip.parse(packet);
        if (r != null) {
            drops.count(r);
            return false;
        }
        return true;
    }

    int ipSource() {
        return ip.source();
    }

    int ipDestination() {
        return ip.destination();
    }

    int ipProtocol() {
        return ip.protocol();
    }

    boolean isFragment() {
        return ip.isFragment();
    }

    boolean parseTcp(ByteBuffer packet, TcpSegment into) {
        DropReason r = tcp.parse(ip, checksumVerified, into);
        checksumVerified = false;
        if (r != null) {
            drops.count(r);
            return false;
        }
        return true;
    }

    int sourcePort() {
        return tcp.sourcePort();
    }

    int destinationPort() {
        return tcp.destinationPort();
    }

    IcmpKind parseIcmp(ByteBuffer packet) {
        DropReason r = icmp.parse(ip);
        if (r != null) {
            drops.count(r);
            return IcmpKind.INVALID;
        }
        if (icmp.isEchoRequest()) return IcmpKind.ECHO_REQUEST;
        if (icmp.isError()) return IcmpKind.ERROR;
        return IcmpKind.OTHER;
    }

    /** The last parsed ICMP message (valid after {@link #parseIcmp} returned ERROR). */
    IcmpPacket icmp() {
        return icmp;
    }

    /** Rewrites a parsed echo request in place into its reply (addresses swapped). */
    void turnEchoIntoReply(ByteBuffer packet) {
        IcmpPacket.turnEchoRequestIntoReply(packet, ip.offset(), config.ttl());
    }

    /** Serializes a segment into the output buffer; returns it (position..limit = the packet), valid until the next call. */
    ByteBuffer writeTcp(int src, int sport, int dst, int dport, TcpSegment s) {
        out.clear();
        int tcpLength = TcpCodec.write(s, sport, dport, src, dst, out, Ipv4Packet.MIN_HEADER_LENGTH, config.checksumOffload());
        Ipv4Packet.writeHeader(out, 0, tcpLength, PROTO_TCP, src, dst, nextId++ & 0xffff, config.ttl());
        out.limit(Ipv4Packet.MIN_HEADER_LENGTH + tcpLength).position(0);
        return out;
    }
}
