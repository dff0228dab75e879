package io.fttcp.stack.packet;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Ipv4PacketTest {
    /** The IP header of a Linux SYN 192.168.0.104 > 192.168.0.1 (checksum 9cbc computed independently). */
    static final String LINUX_SYN_IP = "4500 003c 1c46 4000 4006 9cbc c0a8 0068 c0a8 0001";
    static final int HOST_A = 0xC0A80068, HOST_B = 0xC0A80001;

    private final Ipv4Packet ip = new Ipv4Packet();

    private static ByteBuffer packetWithPayload(String header, int payloadLength) {
        byte[] h = Bytes.hex(header);
        return ByteBuffer.allocate(h.length + payloadLength).put(0, h);
    }

    @Test
    void parsesAKnownHeader() {
        ByteBuffer b = packetWithPayload(LINUX_SYN_IP, 40);
        assertNull(ip.parse(b));
        assertEquals(20, ip.headerLength());
        assertEquals(60, ip.totalLength());
        assertEquals(0x1C46, ip.id());
        assertEquals(64, ip.ttl());
        assertEquals(Ipv4Packet.PROTOCOL_TCP, ip.protocol());
        assertEquals(HOST_A, ip.source());
        assertEquals(HOST_B, ip.destination());
        assertTrue(ip.dontFragment());
        assertFalse(ip.isFragment());
        assertEquals(20, ip.payloadOffset());
        assertEquals(40, ip.payloadLength());
    }

    @Test
    void writerReproducesTheKnownHeader() {
        ByteBuffer b = ByteBuffer.allocate(60);
        assertEquals(20, Ipv4Packet.writeHeader(b, 0, 40, Ipv4Packet.PROTOCOL_TCP, HOST_A, HOST_B, 0x1C46, 64));
        byte[] written = new byte[20];
        b.get(0, written);
        org.junit.jupiter.api.Assertions.assertArrayEquals(Bytes.hex(LINUX_SYN_IP), written);
    }

    @Test
    void ignoresTrailingPaddingAndHonoursOffset() {
        ByteBuffer b = ByteBuffer.allocate(7 + 60 + 6);
        b.put(7, Bytes.hex(LINUX_SYN_IP));
        assertNull(ip.parse(b, 7, 66));
        assertEquals(27, ip.payloadOffset());
        assertEquals(40, ip.payloadLength());
    }

    @Test
    void skipsOptions() {
        // IHL 6: one 4-byte option (NOP NOP NOP EOL); checksum recomputed for it.
        ByteBuffer b = ByteBuffer.allocate(24 + 8);
        b.put(0, Bytes.hex("4600 0020 0001 4000 4006 0000 0a00 0001 0a00 0002 0101 0100"));
        b.putShort(10, (short) Checksum.compute(b, 0, 24));
        assertNull(ip.parse(b));
        assertEquals(24, ip.headerLength());
        assertEquals(24, ip.payloadOffset());
        assertEquals(8, ip.payloadLength());
    }

    @Test
    void reportsEachKindOfBadHeader() {
        assertEquals(DropReason.IPV4_TRUNCATED, ip.parse(ByteBuffer.wrap(Bytes.hex("4500 003c 1c46")), 0, 6));
        ByteBuffer v6 = packetWithPayload(LINUX_SYN_IP, 40);
        v6.put(0, (byte) 0x65);
        assertEquals(DropReason.IPV4_BAD_VERSION, ip.parse(v6));
        ByteBuffer shortIhl = packetWithPayload(LINUX_SYN_IP, 40);
        shortIhl.put(0, (byte) 0x44);
        assertEquals(DropReason.IPV4_BAD_HEADER_LENGTH, ip.parse(shortIhl));
        ByteBuffer longIhl = packetWithPayload(LINUX_SYN_IP, 0);
        longIhl.put(0, (byte) 0x4F);
        assertEquals(DropReason.IPV4_TRUNCATED, ip.parse(longIhl));
        ByteBuffer cut = packetWithPayload(LINUX_SYN_IP, 39);
        assertEquals(DropReason.IPV4_BAD_TOTAL_LENGTH, ip.parse(cut));
        ByteBuffer corrupt = packetWithPayload(LINUX_SYN_IP, 40);
        corrupt.put(8, (byte) 63);
        assertEquals(DropReason.IPV4_BAD_CHECKSUM, ip.parse(corrupt));
    }

    @Test
    void detectsFragments() {
        for (int flagsAndOffset : new int[]{0x2000, 0x0001, 0x2010, 0x1FFF}) {
            ByteBuffer b = ByteBuffer.allocate(60);
            Ipv4Packet.writeHeader(b, 0, 40, 6, HOST_A, HOST_B, 1, 64);
            int old = b.getShort(6) & 0xFFFF;
            b.putShort(6, (short) flagsAndOffset);
            b.putShort(10, (short) Checksum.adjust16(b.getShort(10) & 0xFFFF, old, flagsAndOffset));
            assertEquals(DropReason.IPV4_FRAGMENT, ip.parse(b), Integer.toHexString(flagsAndOffset));
            assertTrue(ip.isFragment());
        }
    }

    @Test
    void writeThenParseRoundTrips() {
        long seed = System.nanoTime();
        SplittableRandom random = new SplittableRandom(seed);
        for (int round = 0; round < 10_000; round++) {
            int payload = random.nextInt(1500), proto = random.nextInt(256), src = random.nextInt(), dst = random.nextInt();
            int id = random.nextInt(65536), ttl = random.nextInt(256), offset = random.nextInt(16);
            ByteBuffer b = ByteBuffer.allocate(offset + 20 + payload);
            Ipv4Packet.writeHeader(b, offset, payload, proto, src, dst, id, ttl);
            String where = "seed=" + seed + " round=" + round;
            assertNull(ip.parse(b, offset, 20 + payload), where);
            assertEquals(20 + payload, ip.totalLength(), where);
            assertEquals(proto, ip.protocol(), where);
            assertEquals(src, ip.source(), where);
            assertEquals(dst, ip.destination(), where);
            assertEquals(id, ip.id(), where);
            assertEquals(ttl, ip.ttl(), where);
            assertEquals(offset + 20, ip.payloadOffset(), where);
            assertEquals(payload, ip.payloadLength(), where);
            assertEquals(0, Bytes.referenceChecksum(b.array(), offset, 20), where);
        }
    }

    @Test
    void writerRejectsMisuseClearly() {
        assertThrows(IllegalArgumentException.class, () -> Ipv4Packet.writeHeader(ByteBuffer.allocate(19), 0, 0, 6, 1, 2, 0, 64));
        assertThrows(IllegalArgumentException.class, () -> Ipv4Packet.writeHeader(ByteBuffer.allocate(20), 0, 65516, 6, 1, 2, 0, 64));
    }

    @Test
    void littleEndianBuffersAreAProgrammingErrorNotADrop() {
        ByteBuffer b = packetWithPayload(LINUX_SYN_IP, 40).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ip.parse(b));
        assertTrue(e.getMessage().contains("big-endian"), e.getMessage());
    }
}
