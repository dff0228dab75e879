package io.fttcp.link.ethernet;

import io.fttcp.link.FrameLink;
import io.fttcp.link.FrameReceiver;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The steady state (resolved peer, IP both ways, ARP answered) allocates nothing per frame. */
class EthernetAllocationTest {
    private static final long OUR_MAC = 0x02000000aa01L;
    private static final long PEER_MAC = 0x02000000bb02L;
    private static final int OURS = Ipv4Text.parse("198.18.0.1");
    private static final int PEER = Ipv4Text.parse("198.18.0.10");

    /** Counts sent bytes without copying, so the link itself allocates nothing. */
    private static final class CountingLink implements FrameLink {
        long bytes;
        FrameReceiver receiver;

        @Override
        public void send(ByteBuffer frame) {
            bytes += frame.remaining();
        }

        @Override
        public int mtu() {
            return 1500;
        }

        @Override
        public void setReceiver(FrameReceiver receiver) {
            this.receiver = receiver;
        }
    }

    @Test
    void steadyStateAllocatesNothingPerFrame() {
        assumeTrue(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean);
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        CountingLink link = new CountingLink();
        EthernetInterface iface = new EthernetInterface(link, EthernetConfig.defaults(new MacAddress(OUR_MAC), 24));
        iface.addAddress(OURS);
        long[] up = new long[1];
        iface.setUpward((p, now) -> up[0] += p.remaining());
        ByteBuffer arp = Frames.arp(MacAddress.BROADCAST_VALUE, PEER_MAC, ArpPacket.OP_REQUEST, PEER_MAC, PEER, 0, OURS);
        ByteBuffer in = Frames.ethernet(OUR_MAC, PEER_MAC, EthernetFrame.TYPE_IPV4, Frames.ipv4(PEER, OURS, 1000, 0), 0);
        ByteBuffer out = Frames.ipv4(OURS, PEER, 1400, 0);
        iface.receive(arp, 0);
        long tid = Thread.currentThread().threadId();
        long allocated = 0;
        for (int round = 0; round < 5; round++) {
            long before = mx.getThreadAllocatedBytes(tid);
            for (int i = 0; i < 20_000; i++) {
                long now = i * 1000L;
                iface.receive(in, now);
                iface.accept(out, now);
                if ((i & 255) == 0) {
                    iface.receive(arp, now);
                }
            }
            allocated = mx.getThreadAllocatedBytes(tid) - before;
        }
        assertTrue(allocated < 4096, "last round of 20k frames each way allocated " + allocated + " bytes");
        assertTrue(link.bytes > 0 && up[0] > 0);
        assertEquals(0, iface.stats().arpRequestsSent(), "the peer stayed resolved");
    }
}
