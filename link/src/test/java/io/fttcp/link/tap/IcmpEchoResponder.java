package io.fttcp.link.tap;

import io.fttcp.link.FrameOffload;
import io.fttcp.link.ethernet.EthernetInterface;
import io.fttcp.stack.host.IpPacketSink;

import java.nio.ByteBuffer;

/**
 * A deliberately minimal IPv4 host for link tests: answers ICMP echo requests to our
 * addresses (swap addresses, type 0, fresh checksums) and ignores everything else. With
 * {@code partialChecksum}, replies leave the ICMP checksum to the link (NEEDS_CSUM).
 */
final class IcmpEchoResponder implements IpPacketSink {
    private final EthernetInterface iface;
    private final boolean partialChecksum;
    private final ByteBuffer reply = ByteBuffer.allocate(65535);
    private final FrameOffload offload = new FrameOffload();
    long echoesAnswered;
    long udpReceived;
    long udpChecksumTrusted;
    long tcpResets;

    IcmpEchoResponder(EthernetInterface iface, boolean partialChecksum) {
        this.iface = iface;
        this.partialChecksum = partialChecksum;
    }

    @Override
    public void accept(ByteBuffer packet, long now) {
        int p = packet.position();
        int len = packet.remaining();
        if (len < 20 || (packet.get(p) & 0xf0) != 0x40) {
            return;
        }
        int ihl = (packet.get(p) & 0x0f) * 4;
        int total = packet.getShort(p + 2) & 0xffff;
        if (ihl < 20 || total < ihl + 8 || total > len || (packet.getShort(p + 6) & 0x3fff) != 0) {
            return; // malformed, or a fragment
        }
        int protocol = packet.get(p + 9) & 0xff;
        int dst = packet.getInt(p + 16);
        if (!iface.hasAddress(dst)) {
            return;
        }
        if (protocol == 17) {
            udpReceived++;
            if (iface.receivedChecksumTrusted()) {
                udpChecksumTrusted++;
            }
            return;
        }
        if (protocol == 6 && (packet.get(p + ihl + 13) & 0x04) != 0) {
            tcpResets++;
            return;
        }
        if (protocol != 1 || packet.get(p + ihl) != 8 || packet.get(p + ihl + 1) != 0) {
            return;
        }
        reply.clear();
        reply.put(0, packet, p, total);
        int src = packet.getInt(p + 12);
        reply.putInt(12, dst);
        reply.putInt(16, src);
        reply.put(8, (byte) 64);
        reply.putShort(10, (short) 0);
        reply.putShort(10, (short) checksum(reply, 0, ihl));
        reply.put(ihl, (byte) 0);
        reply.putShort(ihl + 2, (short) 0);
        reply.limit(total);
        echoesAnswered++;
        if (partialChecksum) {
            // ICMP has no pseudo-header: the seed is zero and the link sums from the ICMP header on.
            offload.set(FrameOffload.FLAG_NEEDS_CSUM, FrameOffload.GSO_NONE, 0, 0, ihl, 2);
            iface.send(reply, offload, now);
        } else {
            reply.putShort(ihl + 2, (short) checksum(reply, ihl, total - ihl));
            iface.accept(reply, now);
        }
    }

    /**
     * Sends one TCP segment of {@code payload} bytes (PSH|ACK, to a port nobody listens on) as a
     * single GSO frame the kernel must cut into {@code mss}-sized segments, with the checksum
     * left partial: the field holds the pseudo-header sum over the full TCP length, as Linux's
     * own TSO does.
     */
    void sendLargeTcp(int src, int dst, int dstPort, int payload, int mss, long now) {
        int tcpLength = 20 + payload;
        reply.clear();
        reply.put(0, (byte) 0x45).put(1, (byte) 0).putShort(2, (short) (20 + tcpLength)).putShort(4, (short) 0x1234)
                .putShort(6, (short) 0x4000).put(8, (byte) 64).put(9, (byte) 6).putShort(10, (short) 0)
                .putInt(12, src).putInt(16, dst);
        reply.putShort(10, (short) checksum(reply, 0, 20));
        reply.putShort(20, (short) 40000).putShort(22, (short) dstPort).putInt(24, 1000).putInt(28, 1)
                .put(32, (byte) 0x50).put(33, (byte) 0x18).putShort(34, (short) 0xffff).putShort(36, (short) 0).putShort(38, (short) 0);
        for (int i = 0; i < payload; i++) {
            reply.put(40 + i, (byte) i);
        }
        long pseudo = ((src >>> 16) & 0xffff) + (src & 0xffff) + ((dst >>> 16) & 0xffff) + (dst & 0xffff) + 6 + tcpLength;
        while ((pseudo >>> 16) != 0) {
            pseudo = (pseudo & 0xffff) + (pseudo >>> 16);
        }
        reply.putShort(36, (short) pseudo);
        reply.limit(20 + tcpLength);
        offload.set(FrameOffload.FLAG_NEEDS_CSUM, FrameOffload.GSO_TCPV4, 40, mss, 20, 16);
        iface.send(reply, offload, now);
    }

    static int checksum(ByteBuffer b, int from, int length) {
        long sum = 0;
        int i = from;
        for (; length - (i - from) >= 2; i += 2) {
            sum += b.getShort(i) & 0xffff;
        }
        if (((length) & 1) != 0) {
            sum += (b.get(from + length - 1) & 0xff) << 8;
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return (int) (~sum & 0xffff);
    }
}
