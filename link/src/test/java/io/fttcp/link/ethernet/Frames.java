package io.fttcp.link.ethernet;

import java.nio.ByteBuffer;

/** Builders of test frames and packets. */
final class Frames {
    private Frames() {
    }

    static ByteBuffer arp(long ethDst, long ethSrc, int op, long senderMac, int senderIp, long targetMac, int targetIp) {
        ByteBuffer b = ByteBuffer.allocate(EthernetFrame.HEADER_LENGTH + ArpPacket.LENGTH + 18); // padded to 60
        int at = EthernetFrame.writeHeader(b, 0, ethDst, ethSrc, EthernetFrame.TYPE_ARP);
        ArpPacket.write(b, at, op, senderMac, senderIp, targetMac, targetIp);
        return b;
    }

    /** A minimal IPv4 packet (no valid checksum needed at this layer) with {@code payload} bytes of marker data. */
    static ByteBuffer ipv4(int src, int dst, int payload, int marker) {
        ByteBuffer b = ByteBuffer.allocate(20 + payload);
        b.put(0, (byte) 0x45);
        b.putShort(2, (short) (20 + payload));
        b.put(8, (byte) 64);
        b.put(9, (byte) 17);
        b.putInt(12, src);
        b.putInt(16, dst);
        for (int i = 0; i < payload; i++) {
            b.put(20 + i, (byte) (marker + i));
        }
        return b;
    }

    static ByteBuffer ethernet(long dst, long src, int type, ByteBuffer payload, int padTo) {
        int len = Math.max(EthernetFrame.HEADER_LENGTH + payload.remaining(), padTo);
        ByteBuffer b = ByteBuffer.allocate(len);
        EthernetFrame.writeHeader(b, 0, dst, src, type);
        b.put(EthernetFrame.HEADER_LENGTH, payload, payload.position(), payload.remaining());
        return b;
    }
}
