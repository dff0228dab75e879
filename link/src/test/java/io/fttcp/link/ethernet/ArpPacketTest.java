package io.fttcp.link.ethernet;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;

import static org.junit.jupiter.api.Assertions.*;

class ArpPacketTest {
    private static final long A = 0x020000000001L;
    private static final long B = 0x020000000002L;

    @Test
    void writesAndReadsAllFields() {
        ByteBuffer f = Frames.arp(MacAddress.BROADCAST_VALUE, A, ArpPacket.OP_REQUEST, A, 0xc6120001, 0, 0xc6120064);
        EthernetFrame eth = new EthernetFrame();
        assertTrue(eth.wrap(f));
        assertEquals(MacAddress.BROADCAST_VALUE, eth.destination());
        assertEquals(A, eth.source());
        assertEquals(EthernetFrame.TYPE_ARP, eth.etherType());
        ArpPacket arp = new ArpPacket();
        assertTrue(arp.wrap(f, eth.payloadIndex(), eth.payloadLength()));
        assertEquals(ArpPacket.OP_REQUEST, arp.operation());
        assertEquals(A, arp.senderMac());
        assertEquals(0xc6120001, arp.senderIp());
        assertEquals(0, arp.targetMac());
        assertEquals(0xc6120064, arp.targetIp());
        // Known wire bytes: hardware type 1, protocol 0x0800, lengths 6 and 4, op 1.
        assertArrayEquals(new byte[] {0, 1, 8, 0, 6, 4, 0, 1}, java.util.Arrays.copyOfRange(f.array(), 14, 22));
    }

    @Test
    void rejectsWhatIsNotEthernetIpv4RequestOrReply() {
        ArpPacket arp = new ArpPacket();
        ByteBuffer good = Frames.arp(B, A, ArpPacket.OP_REPLY, A, 1, B, 2);
        assertTrue(arp.wrap(good, 14, 28));
        assertFalse(arp.wrap(good, 14, 27), "too short");
        assertFalse(arp.wrap(good, 40, 28), "beyond the buffer");
        assertFalse(arp.wrap(good, -1, 28), "negative index");
        int[][] corruptions = {{14, 1}, {15, 6}, {16, 0x86}, {18, 8}, {19, 16}, {21, 3}, {21, 0}};
        for (int[] c : corruptions) {
            ByteBuffer bad = Frames.arp(B, A, ArpPacket.OP_REPLY, A, 1, B, 2);
            bad.put(c[0], (byte) c[1]);
            assertFalse(arp.wrap(bad, 14, 28), "byte " + c[0] + " = " + c[1]);
        }
    }

    @Test
    void ethernetViewRejectsRunts() {
        EthernetFrame eth = new EthernetFrame();
        assertFalse(eth.wrap(ByteBuffer.allocate(13)));
        assertTrue(eth.wrap(ByteBuffer.allocate(14)));
        assertEquals(0, eth.payloadLength());
        ByteBuffer offset = ByteBuffer.allocate(40).position(10).limit(30);
        EthernetFrame.writeHeader(offset, 10, B, A, 0x0800);
        assertTrue(eth.wrap(offset));
        assertEquals(24, eth.payloadIndex());
        assertEquals(6, eth.payloadLength());
        assertEquals(B, eth.destination());
    }
}
