package io.fttcp.link.ethernet;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

/** Garbage and mutated frames must be counted drops or deliveries, never exceptions. */
class EthernetRobustnessTest {
    private static final long OUR_MAC = 0x02000000aa01L;
    private static final int OURS = Ipv4Text.parse("198.18.0.1");

    @Test
    void randomAndMutatedFramesNeverThrow() {
        long seed = new SplittableRandom().nextLong();
        SplittableRandom rnd = new SplittableRandom(seed);
        RecordingLink link = new RecordingLink();
        EthernetInterface iface = new EthernetInterface(link,
                EthernetConfig.defaults(new MacAddress(OUR_MAC), 24).withArpCacheEntries(8).withPendingLimits(2, 4));
        iface.addAddress(OURS);
        long[] delivered = new long[1];
        iface.setUpward((p, now) -> {
            assertTrue(p.remaining() >= 0 && p.position() >= 14, "seed=" + seed);
            delivered[0]++;
        });
        ByteBuffer[] seeds = {
                Frames.arp(MacAddress.BROADCAST_VALUE, 0x020000000002L, ArpPacket.OP_REQUEST, 0x020000000002L, OURS + 9, 0, OURS),
                Frames.arp(OUR_MAC, 0x020000000003L, ArpPacket.OP_REPLY, 0x020000000003L, OURS + 10, OUR_MAC, OURS),
                Frames.ethernet(OUR_MAC, 0x020000000002L, EthernetFrame.TYPE_IPV4, Frames.ipv4(OURS + 9, OURS, 30, 0), 60),
        };
        long now = 0;
        for (int i = 0; i < 200_000; i++) {
            ByteBuffer frame;
            if (rnd.nextInt(4) == 0) {
                byte[] junk = new byte[rnd.nextInt(80)];
                rnd.nextBytes(junk);
                frame = ByteBuffer.wrap(junk);
            } else {
                ByteBuffer base = seeds[rnd.nextInt(seeds.length)];
                byte[] bytes = base.array().clone();
                int flips = 1 + rnd.nextInt(4);
                for (int f = 0; f < flips; f++) {
                    bytes[rnd.nextInt(bytes.length)] = (byte) rnd.nextInt(256);
                }
                if (rnd.nextBoolean()) {
                    // Keep the destination ours so mutations reach the ARP/IP paths.
                    MacAddress.write(ByteBuffer.wrap(bytes), 0, rnd.nextBoolean() ? OUR_MAC : MacAddress.BROADCAST_VALUE);
                }
                int len = rnd.nextInt(bytes.length + 1);
                int off = rnd.nextInt(3);
                byte[] placed = new byte[off + len + rnd.nextInt(3)];
                System.arraycopy(bytes, 0, placed, off, len);
                frame = ByteBuffer.wrap(placed, off, len);
            }
            int pos = frame.position();
            int lim = frame.limit();
            try {
                now += rnd.nextInt(50_000_000);
                iface.receive(frame, now);
                if (rnd.nextInt(16) == 0) {
                    iface.accept(Frames.ipv4(OURS, OURS + 1 + rnd.nextInt(20), rnd.nextInt(40), i), now);
                }
                iface.onTimer(now);
            } catch (RuntimeException e) {
                fail("frame " + i + " threw; seed=" + seed, e);
            }
            assertEquals(pos, frame.position(), "seed=" + seed);
            assertEquals(lim, frame.limit(), "seed=" + seed);
        }
        EthernetStats s = iface.stats();
        assertEquals(200_000, s.framesReceived(), "seed=" + seed);
        long accounted = s.ipPacketsDelivered() + s.droppedRunt() + s.droppedNotForUs() + s.droppedUnsupportedType()
                + s.droppedMalformedArp() + s.arpRequestsAnswered() + s.addressConflicts();
        assertTrue(accounted <= s.framesReceived() && s.droppedMalformedArp() > 0 && delivered[0] > 0,
                "drops are counted: " + s + " seed=" + seed);
    }

    @Test
    void arpViewSurvivesArbitraryBytesAndBounds() {
        long seed = new SplittableRandom().nextLong();
        SplittableRandom rnd = new SplittableRandom(seed);
        ArpPacket arp = new ArpPacket();
        EthernetFrame eth = new EthernetFrame();
        for (int i = 0; i < 100_000; i++) {
            byte[] junk = new byte[rnd.nextInt(64)];
            rnd.nextBytes(junk);
            ByteBuffer b = ByteBuffer.wrap(junk);
            try {
                if (arp.wrap(b, rnd.nextInt(-2, 40), rnd.nextInt(-2, 64))) {
                    arp.senderMac();
                    arp.targetIp();
                }
                if (eth.wrap(b)) {
                    eth.etherType();
                    eth.source();
                }
            } catch (RuntimeException e) {
                fail("seed=" + seed + " iteration " + i, e);
            }
        }
    }
}
