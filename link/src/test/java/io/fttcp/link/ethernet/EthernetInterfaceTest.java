package io.fttcp.link.ethernet;

import io.fttcp.link.FrameOffload;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class EthernetInterfaceTest {
    private static final long SEC = 1_000_000_000L;
    private static final long OUR_MAC = 0x02000000aa01L;
    private static final long PEER_MAC = 0x02000000bb02L;
    private static final long OTHER_MAC = 0x02000000cc03L;
    private static final int OURS = Ipv4Text.parse("198.18.0.1");
    private static final int SERVICE = Ipv4Text.parse("198.18.0.100");
    private static final int PEER = Ipv4Text.parse("198.18.0.10");
    private static final int OTHER = Ipv4Text.parse("198.18.0.11");

    private RecordingLink link;
    private EthernetInterface iface;
    private final List<byte[]> delivered = new ArrayList<>();

    @BeforeEach
    void setUp() {
        link = new RecordingLink();
        iface = new EthernetInterface(link, EthernetConfig.defaults(new MacAddress(OUR_MAC), 24));
        iface.addAddress(OURS);
        iface.setUpward((packet, now) -> {
            byte[] copy = new byte[packet.remaining()];
            packet.get(packet.position(), copy);
            delivered.add(copy);
        });
    }

    private static ArpPacket arpOf(RecordingLink.Sent sent, long expectedEthDst) {
        EthernetFrame eth = new EthernetFrame();
        assertTrue(eth.wrap(sent.buffer()));
        assertEquals(EthernetFrame.TYPE_ARP, eth.etherType());
        assertEquals(expectedEthDst, eth.destination());
        assertEquals(OUR_MAC, eth.source());
        ArpPacket arp = new ArpPacket();
        assertTrue(arp.wrap(sent.buffer(), eth.payloadIndex(), eth.payloadLength()));
        return arp;
    }

    private void askFor(int target, long now) {
        link.deliver(Frames.arp(MacAddress.BROADCAST_VALUE, PEER_MAC, ArpPacket.OP_REQUEST, PEER_MAC, PEER, 0, target), now);
    }

    @Test
    void answersArpForOurAddressesAndLearnsTheAsker() {
        askFor(OURS, 0);
        List<RecordingLink.Sent> out = link.drain();
        assertEquals(1, out.size());
        ArpPacket reply = arpOf(out.getFirst(), PEER_MAC);
        assertEquals(ArpPacket.OP_REPLY, reply.operation());
        assertEquals(OUR_MAC, reply.senderMac());
        assertEquals(OURS, reply.senderIp());
        assertEquals(PEER_MAC, reply.targetMac());
        assertEquals(PEER, reply.targetIp());
        assertEquals(new MacAddress(PEER_MAC), iface.cachedMac(PEER, 1));
        assertEquals(1, iface.stats().arpRequestsAnswered());
    }

    @Test
    void answersForAnAddedAddressOnlyWhileItIsOurs() {
        askFor(SERVICE, 0);
        assertTrue(link.drain().isEmpty(), "not ours yet");
        assertNull(iface.cachedMac(PEER, 0), "a request not for us teaches nothing new");
        iface.addAddress(SERVICE);
        askFor(SERVICE, 1);
        assertEquals(SERVICE, arpOf(link.drain().getFirst(), PEER_MAC).senderIp());
        iface.removeAddress(SERVICE);
        askFor(SERVICE, 2);
        assertTrue(link.drain().isEmpty(), "no longer ours");
        assertTrue(iface.hasAddress(OURS));
    }

    @Test
    void answersWithTheCurrentMac() {
        iface.addAddress(SERVICE);
        MacAddress virtual = MacAddress.virtualRouterMac(1);
        iface.setMac(virtual);
        askFor(SERVICE, 0);
        RecordingLink.Sent sent = link.drain().getFirst();
        EthernetFrame eth = new EthernetFrame();
        eth.wrap(sent.buffer());
        assertEquals(virtual.value(), eth.source());
        ArpPacket arp = new ArpPacket();
        arp.wrap(sent.buffer(), 14, 28);
        assertEquals(virtual.value(), arp.senderMac());
        // Frames to the virtual MAC are ours now; frames to the old one are not.
        link.deliver(Frames.ethernet(virtual.value(), PEER_MAC, EthernetFrame.TYPE_IPV4, Frames.ipv4(PEER, SERVICE, 4, 1), 0), 1);
        link.deliver(Frames.ethernet(OUR_MAC, PEER_MAC, EthernetFrame.TYPE_IPV4, Frames.ipv4(PEER, SERVICE, 4, 1), 0), 1);
        assertEquals(1, delivered.size());
        assertEquals(1, iface.stats().droppedNotForUs());
    }

    @Test
    void deliversIpv4ForUsAndBroadcastTrimmingPadding() {
        ByteBuffer ip = Frames.ipv4(PEER, OURS, 6, 7);
        ByteBuffer frame = Frames.ethernet(OUR_MAC, PEER_MAC, EthernetFrame.TYPE_IPV4, ip, 60);
        link.deliver(frame, 0);
        assertEquals(1, delivered.size());
        assertArrayEquals(ip.array(), delivered.getFirst(), "exactly the IP packet, without the padding");
        assertEquals(0, frame.position(), "the frame buffer's bounds are restored");
        assertEquals(60, frame.limit());
        link.deliver(Frames.ethernet(MacAddress.BROADCAST_VALUE, PEER_MAC, EthernetFrame.TYPE_IPV4, ip, 0), 0);
        link.deliver(Frames.ethernet(OTHER_MAC, PEER_MAC, EthernetFrame.TYPE_IPV4, ip, 0), 0);
        link.deliver(Frames.ethernet(0x01005e000001L, PEER_MAC, EthernetFrame.TYPE_IPV4, ip, 0), 0);
        link.deliver(Frames.ethernet(OUR_MAC, PEER_MAC, EthernetFrame.TYPE_IPV6, ip, 0), 0);
        link.deliver(ByteBuffer.allocate(10), 0);
        assertEquals(2, delivered.size());
        assertEquals(2, iface.stats().droppedNotForUs());
        assertEquals(1, iface.stats().droppedUnsupportedType());
        assertEquals(1, iface.stats().droppedRunt());
        assertEquals(6, iface.stats().framesReceived());
    }

    @Test
    void resolvesHoldsAndFlushesInOrder() {
        for (int i = 0; i < 3; i++) {
            iface.accept(Frames.ipv4(OURS, PEER, 10, i), 0);
        }
        List<RecordingLink.Sent> out = link.drain();
        assertEquals(1, out.size(), "one ARP request, packets held");
        ArpPacket req = arpOf(out.getFirst(), MacAddress.BROADCAST_VALUE);
        assertEquals(ArpPacket.OP_REQUEST, req.operation());
        assertEquals(OURS, req.senderIp());
        assertEquals(PEER, req.targetIp());
        assertEquals(SEC, iface.nextDeadline());

        link.deliver(Frames.arp(OUR_MAC, PEER_MAC, ArpPacket.OP_REPLY, PEER_MAC, PEER, OUR_MAC, OURS), 10);
        out = link.drain();
        assertEquals(3, out.size());
        for (int i = 0; i < 3; i++) {
            EthernetFrame eth = new EthernetFrame();
            assertTrue(eth.wrap(out.get(i).buffer()));
            assertEquals(PEER_MAC, eth.destination());
            assertEquals(OUR_MAC, eth.source());
            assertEquals(EthernetFrame.TYPE_IPV4, eth.etherType());
            assertArrayEquals(Frames.ipv4(OURS, PEER, 10, i).array(),
                    java.util.Arrays.copyOfRange(out.get(i).frame(), 14, out.get(i).frame().length));
        }
        assertEquals(Long.MAX_VALUE, iface.nextDeadline());
        iface.accept(Frames.ipv4(OURS, PEER, 10, 9), 20);
        assertEquals(1, link.drain().size(), "resolved: sent at once");
        assertEquals(1, iface.stats().arpRepliesReceived());
    }

    @Test
    void speaksFromThePacketsSourceAddressWhenItIsOurs() {
        iface.addAddress(SERVICE);
        iface.accept(Frames.ipv4(SERVICE, PEER, 0, 0), 0);
        assertEquals(SERVICE, arpOf(link.drain().getFirst(), MacAddress.BROADCAST_VALUE).senderIp());
    }

    @Test
    void heldPacketsAreBoundedOldestDropped() {
        EthernetConfig cfg = EthernetConfig.defaults(new MacAddress(OUR_MAC), 24).withPendingLimits(4, 2);
        link = new RecordingLink();
        iface = new EthernetInterface(link, cfg);
        iface.addAddress(OURS);
        for (int i = 0; i < 7; i++) {
            iface.accept(Frames.ipv4(OURS, PEER, 1, i), 0);
        }
        iface.accept(Frames.ipv4(OURS, OTHER, 1, 0), 0);
        iface.accept(Frames.ipv4(OURS, Ipv4Text.parse("198.18.0.12"), 1, 0), 0);
        assertEquals(3, iface.stats().droppedQueueFull());
        assertEquals(1, iface.stats().droppedTooManyPending());
        link.drain();
        link.deliver(Frames.arp(OUR_MAC, PEER_MAC, ArpPacket.OP_REPLY, PEER_MAC, PEER, OUR_MAC, OURS), 1);
        List<RecordingLink.Sent> out = link.drain();
        assertEquals(4, out.size());
        for (int i = 0; i < 4; i++) {
            assertEquals((byte) (3 + i), out.get(i).frame()[14 + 20], "the newest four survive, in order");
        }
    }

    /**
     * The lease (the emission deadline) goes to the link with every frame, ARP included; past it
     * nothing leaves, not even ARP (counted); a packet held for ARP resolution is judged by the
     * lease as it stands when the answer comes.
     */
    @Test
    void theLeaseGoesWithEveryFrameAndPastItNothingLeaves() {
        long[] lease = {5 * SEC};
        iface.setEmissionDeadline(() -> lease[0]);
        iface.accept(Frames.ipv4(OURS, PEER, 1, 1), 0); // held: PEER unresolved
        iface.accept(Frames.ipv4(OURS, PEER, 1, 2), 0);
        List<RecordingLink.Sent> asked = link.drain();
        assertEquals(1, asked.size());
        assertEquals(5 * SEC, asked.getFirst().deadline(), "the ARP request carries the lease too");

        lease[0] = 20 * SEC; // renewed while we waited: no takeover can have happened
        link.deliver(Frames.arp(OUR_MAC, PEER_MAC, ArpPacket.OP_REPLY, PEER_MAC, PEER, OUR_MAC, OURS), 10 * SEC);
        List<RecordingLink.Sent> out = link.drain();
        assertEquals(2, out.size(), "held past the lease they were sent under, but the lease was renewed");
        assertEquals(20 * SEC, out.get(0).deadline());

        iface.accept(Frames.ipv4(OURS, OTHER, 1, 3), 11 * SEC); // held for OTHER
        assertEquals(1, link.drain().size(), "its ARP request");
        link.deliver(Frames.arp(OUR_MAC, OTHER_MAC, ArpPacket.OP_REPLY, OTHER_MAC, OTHER, OUR_MAC, OURS), 21 * SEC);
        assertTrue(link.drain().isEmpty(), "the answer came after the lease ran out: nothing sent");
        assertEquals(1, iface.stats().droppedPastLease());

        iface.accept(Frames.ipv4(OURS, PEER, 1, 4), 22 * SEC);
        askFor(OURS, 22 * SEC);
        iface.sendGratuitousArp(OURS, 22 * SEC);
        assertTrue(link.drain().isEmpty(), "past the lease: no packet, no ARP answer, no announcement");
        assertEquals(4, iface.stats().droppedPastLease());

        lease[0] = Long.MIN_VALUE; // fenced
        iface.accept(Frames.ipv4(OURS, PEER, 1, 5), 0);
        assertTrue(link.drain().isEmpty(), "fenced: nothing, whatever the time");
        lease[0] = Long.MAX_VALUE; // no lease applies
        iface.accept(Frames.ipv4(OURS, PEER, 1, 6), 23 * SEC);
        assertEquals(Long.MAX_VALUE, link.drain().getFirst().deadline());
    }

    /** Bytes bound the held packets too: the oldest go first, the newest that fit survive. */
    @Test
    void heldBytesAreBoundedOldestDropped() {
        int packet = 20 + 1000;
        EthernetConfig cfg = EthernetConfig.defaults(new MacAddress(OUR_MAC), 24).withPendingBytes(3 * packet);
        link = new RecordingLink();
        iface = new EthernetInterface(link, cfg);
        iface.addAddress(OURS);
        for (int i = 0; i < 5; i++) {
            iface.accept(Frames.ipv4(OURS, PEER, 1000, i), 0);
        }
        assertEquals(2, iface.stats().droppedQueueFull());
        link.drain();
        link.deliver(Frames.arp(OUR_MAC, PEER_MAC, ArpPacket.OP_REPLY, PEER_MAC, PEER, OUR_MAC, OURS), 1);
        List<RecordingLink.Sent> out = link.drain();
        assertEquals(3, out.size());
        for (int i = 0; i < 3; i++) {
            assertEquals((byte) (2 + i), out.get(i).frame()[14 + 20], "the newest three survive, in order");
        }
    }

    /**
     * By default a takeover's burst to one unresolved client survives whole: 100 restored
     * connections, each resuming with a 14 KiB retransmission and four ACKs.
     */
    @Test
    void aTakeoversBurstToOneClientIsHeldWhole() {
        int sent = 0;
        for (int c = 0; c < 100; c++) {
            iface.accept(Frames.ipv4(OURS, PEER, 14_480, c), 0);
            sent++;
            for (int a = 0; a < 4; a++, sent++) iface.accept(Frames.ipv4(OURS, PEER, 32, c), 0);
        }
        assertEquals(0, iface.stats().droppedQueueFull());
        link.drain();
        link.deliver(Frames.arp(OUR_MAC, PEER_MAC, ArpPacket.OP_REPLY, PEER_MAC, PEER, OUR_MAC, OURS), 1);
        assertEquals(sent, link.drain().size());
    }

    @Test
    void retriesThenDropsCounted() {
        iface.accept(Frames.ipv4(OURS, PEER, 1, 0), 0);
        iface.accept(Frames.ipv4(OURS, PEER, 1, 1), 0);
        assertEquals(1, link.drain().size());
        iface.onTimer(SEC / 2);
        assertTrue(link.drain().isEmpty(), "early timer call does nothing");
        iface.onTimer(SEC);
        assertEquals(1, link.drain().size(), "second request");
        assertEquals(2 * SEC, iface.nextDeadline());
        iface.onTimer(2 * SEC);
        assertEquals(1, link.drain().size(), "third request");
        iface.onTimer(3 * SEC);
        assertTrue(link.drain().isEmpty(), "gave up");
        assertEquals(2, iface.stats().droppedUnresolved());
        assertEquals(1, iface.stats().resolutionFailures());
        assertEquals(3, iface.stats().arpRequestsSent());
        assertEquals(Long.MAX_VALUE, iface.nextDeadline());
    }

    @Test
    void entriesAreRefreshedBeforeAndForgottenAfterExpiry() {
        askFor(OURS, 0);
        link.drain();
        iface.accept(Frames.ipv4(OURS, PEER, 1, 0), 49 * SEC);
        assertEquals(1, link.drain().size(), "fresh entry: just the packet");
        iface.accept(Frames.ipv4(OURS, PEER, 1, 0), 51 * SEC);
        List<RecordingLink.Sent> out = link.drain();
        assertEquals(2, out.size(), "packet sent with the old entry plus one re-confirming request");
        iface.accept(Frames.ipv4(OURS, PEER, 1, 0), 51 * SEC + 1);
        assertEquals(1, link.drain().size(), "only one refresh request per retry interval");
        iface.accept(Frames.ipv4(OURS, PEER, 1, 0), 60 * SEC);
        out = link.drain();
        assertEquals(1, out.size());
        EthernetFrame eth = new EthernetFrame();
        assertTrue(eth.wrap(out.getFirst().buffer()));
        assertEquals(EthernetFrame.TYPE_ARP, eth.etherType(), "expired: the packet waits for a new resolution");
    }

    @Test
    void learnsFromRepliesAndUpdatesKnownEntriesFromAnyone() {
        askFor(OURS, 0);
        link.drain();
        // PEER moves to another MAC and announces it (gratuitous ARP, not addressed to us).
        link.deliver(Frames.arp(MacAddress.BROADCAST_VALUE, OTHER_MAC, ArpPacket.OP_REQUEST, OTHER_MAC, PEER, 0, PEER), 1);
        assertEquals(new MacAddress(OTHER_MAC), iface.cachedMac(PEER, 2));
        // A stranger's announcement does not fill the cache.
        link.deliver(Frames.arp(MacAddress.BROADCAST_VALUE, OTHER_MAC, ArpPacket.OP_REQUEST, OTHER_MAC, OTHER, 0, OTHER), 1);
        assertNull(iface.cachedMac(OTHER, 2));
    }

    @Test
    void countsConflictsAndNeverLearnsOurAddresses() {
        link.deliver(Frames.arp(MacAddress.BROADCAST_VALUE, OTHER_MAC, ArpPacket.OP_REQUEST, OTHER_MAC, OURS, 0, OURS), 0);
        assertEquals(1, iface.stats().addressConflicts());
        assertNull(iface.cachedMac(OURS, 1));
        assertTrue(link.drain().isEmpty());
    }

    @Test
    void gratuitousArpAnnouncesThreeTimesSpaced() {
        iface.addAddress(SERVICE);
        iface.sendGratuitousArp(SERVICE, 3, SEC / 2, 100);
        ArpPacket a = arpOf(link.drain().getFirst(), MacAddress.BROADCAST_VALUE);
        assertEquals(ArpPacket.OP_REQUEST, a.operation());
        assertEquals(SERVICE, a.senderIp());
        assertEquals(SERVICE, a.targetIp());
        assertEquals(OUR_MAC, a.senderMac());
        assertEquals(100 + SEC / 2, iface.nextDeadline());
        iface.onTimer(100 + SEC / 2);
        assertEquals(1, link.drain().size());
        iface.onTimer(100 + SEC);
        assertEquals(1, link.drain().size());
        assertEquals(Long.MAX_VALUE, iface.nextDeadline());
        iface.onTimer(100 + 5 * SEC);
        assertTrue(link.drain().isEmpty());
        assertEquals(3, iface.stats().gratuitousArpsSent());
    }

    @Test
    void routesOffSubnetThroughTheGatewayOrDrops() {
        int far = Ipv4Text.parse("198.19.5.5");
        iface.accept(Frames.ipv4(OURS, far, 1, 0), 0);
        assertEquals(1, iface.stats().droppedNoRoute());
        assertTrue(link.drain().isEmpty());
        link = new RecordingLink();
        iface = new EthernetInterface(link, EthernetConfig.defaults(new MacAddress(OUR_MAC), 24).withGateway(Ipv4Text.parse("198.18.0.254")));
        iface.addAddress(OURS);
        iface.accept(Frames.ipv4(OURS, far, 1, 0), 0);
        assertEquals(Ipv4Text.parse("198.18.0.254"), arpOf(link.drain().getFirst(), MacAddress.BROADCAST_VALUE).targetIp());
    }

    @Test
    void broadcastAndMulticastNeedNoResolution() {
        iface.accept(Frames.ipv4(OURS, Ipv4Text.parse("198.18.0.255"), 1, 0), 0);
        iface.accept(Frames.ipv4(OURS, -1, 1, 0), 0);
        iface.accept(Frames.ipv4(OURS, Ipv4Text.parse("224.1.2.3"), 1, 0), 0);
        List<RecordingLink.Sent> out = link.drain();
        assertEquals(3, out.size());
        EthernetFrame eth = new EthernetFrame();
        eth.wrap(out.get(0).buffer());
        assertEquals(MacAddress.BROADCAST_VALUE, eth.destination());
        eth.wrap(out.get(1).buffer());
        assertEquals(MacAddress.BROADCAST_VALUE, eth.destination());
        eth.wrap(out.get(2).buffer());
        assertEquals(0x01005e010203L, eth.destination());
    }

    @Test
    void doesNotArpForOurOwnAddresses() {
        iface.accept(Frames.ipv4(OURS, OURS, 1, 0), 0);
        assertTrue(link.drain().isEmpty());
        assertEquals(1, iface.stats().droppedToOurAddress());
        assertEquals(Long.MAX_VALUE, iface.nextDeadline());
    }

    @Test
    void rejectsMalformedOutgoingPackets() {
        iface.accept(ByteBuffer.allocate(19), 0);
        ByteBuffer v6 = Frames.ipv4(OURS, PEER, 0, 0);
        v6.put(0, (byte) 0x60);
        iface.accept(v6, 0);
        assertEquals(2, iface.stats().droppedMalformedOutgoing());
        assertTrue(link.drain().isEmpty());
    }

    @Test
    void offloadOffsetsAreMovedPastTheEthernetHeader() {
        link = new RecordingLink(true);
        iface = new EthernetInterface(link, EthernetConfig.defaults(new MacAddress(OUR_MAC), 24));
        iface.addAddress(OURS);
        askFor(OURS, 0);
        link.drain();
        FrameOffload tso = new FrameOffload().set(FrameOffload.FLAG_NEEDS_CSUM, FrameOffload.GSO_TCPV4, 40, 1448, 20, 16);
        iface.send(Frames.ipv4(OURS, PEER, 4000, 0), tso, 1);
        RecordingLink.Sent sent = link.drain().getFirst();
        assertEquals(14 + 20 + 4000, sent.frame().length);
        assertEquals(54, sent.offload().headerLength());
        assertEquals(34, sent.offload().checksumStart());
        assertEquals(16, sent.offload().checksumOffset());
        assertEquals(1448, sent.offload().gsoSize());
        assertEquals(20, tso.checksumStart(), "the caller's metadata is untouched");

        RecordingLink plain = new RecordingLink(false);
        EthernetInterface noOffloads = new EthernetInterface(plain, EthernetConfig.defaults(new MacAddress(OUR_MAC), 24));
        noOffloads.addAddress(OURS);
        assertThrows(IllegalStateException.class, () -> noOffloads.send(Frames.ipv4(OURS, PEER, 10, 0), tso, 1));
    }

    @Test
    void exposesTheLinksChecksumVerdictDuringDelivery() {
        boolean[] trusted = new boolean[1];
        iface.setUpward((p, now) -> trusted[0] = iface.receivedChecksumTrusted());
        link.deliveredOffload = new FrameOffload().set(FrameOffload.FLAG_NEEDS_CSUM, 0, 0, 0, 34, 16);
        link.deliver(Frames.ethernet(OUR_MAC, PEER_MAC, EthernetFrame.TYPE_IPV4, Frames.ipv4(PEER, OURS, 4, 0), 0), 0);
        assertTrue(trusted[0]);
        link.deliveredOffload = null;
        link.deliver(Frames.ethernet(OUR_MAC, PEER_MAC, EthernetFrame.TYPE_IPV4, Frames.ipv4(PEER, OURS, 4, 0), 0), 0);
        assertFalse(trusted[0]);
    }

    @Test
    void configRejectsNonsense() {
        assertThrows(IllegalArgumentException.class, () -> EthernetConfig.defaults(MacAddress.BROADCAST, 24));
        assertThrows(IllegalArgumentException.class, () -> EthernetConfig.defaults(new MacAddress(OUR_MAC), 33));
        assertThrows(IllegalArgumentException.class, () -> iface.setMac(MacAddress.parse("01:00:5e:00:00:01")));
        assertEquals(0xffffff00, EthernetConfig.defaults(new MacAddress(OUR_MAC), 24).netmask());
        assertEquals(Duration.ofSeconds(1), EthernetConfig.defaults(new MacAddress(OUR_MAC), 24).arpRetryInterval());
    }
}
