package io.fttcp.link.ethernet;

import java.nio.ByteBuffer;

/**
 * A reusable view and writer of an ARP packet for Ethernet and IPv4 (RFC 826), the only kind
 * we speak. IPv4 addresses are ints. Wrapping allocates nothing.
 */
public final class ArpPacket {
    public static final int LENGTH = 28;
    public static final int OP_REQUEST = 1;
    public static final int OP_REPLY = 2;
    private static final int HTYPE_ETHERNET = 1;

    private ByteBuffer buf;
    private int start;

    /**
     * Views the ARP packet at absolute {@code index} with {@code length} bytes available
     * (trailing Ethernet padding is allowed). False if it is too short, not Ethernet/IPv4 or
     * not a request or reply; then the view must not be read.
     */
    public boolean wrap(ByteBuffer packet, int index, int length) {
        buf = null;
        if (length < LENGTH || index < 0 || index > packet.limit() - LENGTH) {
            return false;
        }
        if (NetworkOrder.u16(packet, index) != HTYPE_ETHERNET
                || NetworkOrder.u16(packet, index + 2) != EthernetFrame.TYPE_IPV4
                || packet.get(index + 4) != 6
                || packet.get(index + 5) != 4) {
            return false;
        }
        int op = NetworkOrder.u16(packet, index + 6);
        if (op != OP_REQUEST && op != OP_REPLY) {
            return false;
        }
        buf = packet;
        start = index;
        return true;
    }

    public int operation() {
        return NetworkOrder.u16(buf, start + 6);
    }

    public long senderMac() {
        return MacAddress.read(buf, start + 8);
    }

    public int senderIp() {
        return NetworkOrder.i32(buf, start + 14);
    }

    public long targetMac() {
        return MacAddress.read(buf, start + 18);
    }

    public int targetIp() {
        return NetworkOrder.i32(buf, start + 24);
    }

    /** Writes a complete Ethernet/IPv4 ARP packet at absolute {@code index}; returns its end. */
    public static int write(ByteBuffer buf, int index, int operation, long senderMac, int senderIp,
                            long targetMac, int targetIp) {
        NetworkOrder.putU16(buf, index, HTYPE_ETHERNET);
        NetworkOrder.putU16(buf, index + 2, EthernetFrame.TYPE_IPV4);
        buf.put(index + 4, (byte) 6);
        buf.put(index + 5, (byte) 4);
        NetworkOrder.putU16(buf, index + 6, operation);
        MacAddress.write(buf, index + 8, senderMac);
        NetworkOrder.putI32(buf, index + 14, senderIp);
        MacAddress.write(buf, index + 18, targetMac);
        NetworkOrder.putI32(buf, index + 24, targetIp);
        return index + LENGTH;
    }
}
