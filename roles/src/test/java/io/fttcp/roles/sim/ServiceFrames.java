package io.fttcp.roles.sim;

import java.nio.ByteBuffer;

/** Reads the few fields tests need from an Ethernet frame carrying IPv4 (no allocation; absolute reads). */
final class ServiceFrames {
    private static final int ETHER_HEADER = 14;

    private ServiceFrames() {
    }

    static boolean isIpv4From(ByteBuffer f, int source) {
        int p = f.position();
        return f.remaining() >= ETHER_HEADER + 20 && (f.getShort(p + 12) & 0xFFFF) == 0x0800
                && f.getInt(p + ETHER_HEADER + 12) == source;
    }

    static boolean isTcp(ByteBuffer f) {
        return f.get(f.position() + ETHER_HEADER + 9) == 6;
    }

    private static int tcp(ByteBuffer f) {
        int ip = f.position() + ETHER_HEADER;
        return ip + (f.get(ip) & 0x0F) * 4;
    }

    /** The connection as the server names it: local = the frame's server end (its source if from the service, else its destination). */
    static io.fttcp.stack.tcp.FourTuple serverTuple(ByteBuffer f) {
        int ip = f.position() + ETHER_HEADER;
        int tcp = tcp(f);
        int src = f.getInt(ip + 12), dst = f.getInt(ip + 16);
        int sport = f.getShort(tcp) & 0xFFFF, dport = f.getShort(tcp + 2) & 0xFFFF;
        return sport == PrimaryWorld.PORT && src == PrimaryWorld.SERVICE_ADDRESS
                ? new io.fttcp.stack.tcp.FourTuple(src, sport, dst, dport) : new io.fttcp.stack.tcp.FourTuple(dst, dport, src, sport);
    }

    static int destinationPort(ByteBuffer f) {
        return f.getShort(tcp(f) + 2) & 0xFFFF;
    }

    static int ack(ByteBuffer f) {
        return f.getInt(tcp(f) + 8);
    }

    static int flags(ByteBuffer f) {
        return f.get(tcp(f) + 13) & 0xFF;
    }

    static int payloadLength(ByteBuffer f) {
        int ip = f.position() + ETHER_HEADER;
        int total = f.getShort(ip + 2) & 0xFFFF;
        return total - (f.get(ip) & 0x0F) * 4 - ((f.get(tcp(f) + 12) & 0xF0) >>> 2);
    }
}
