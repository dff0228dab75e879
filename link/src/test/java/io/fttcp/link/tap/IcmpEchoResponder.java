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
