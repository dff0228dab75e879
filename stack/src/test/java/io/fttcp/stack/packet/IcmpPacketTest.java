package io.fttcp.stack.packet;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.SplittableRandom;

import static io.fttcp.stack.packet.Ipv4PacketTest.HOST_A;
import static io.fttcp.stack.packet.Ipv4PacketTest.HOST_B;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IcmpPacketTest {
    /** Linux ping data (56 bytes): a 16-byte struct timeval then 0x10..0x37. */
    static final String PING_DATA = "a1b2c365000000001a2b0c0000000000" + "101112131415161718191a1b1c1d1e1f"
            + "202122232425262728292a2b2c2d2e2f" + "3031323334353637";
    /** ping 192.168.0.104 > 192.168.0.1, id 0x1f2a seq 1; checksums 2ed4 and 8ebe computed independently. */
    static final String PING_REQUEST = "4500 0054 8a1b 4000 4001 2ed4 c0a8 0068 c0a8 0001"
            + "0800 8ebe 1f2a 0001" + PING_DATA;
    /** Its reply with TTL 255: checksums 6fd3 and 96be computed independently. */
    static final String PING_REPLY_TTL_255 = "4500 0054 8a1b 4000 ff01 6fd3 c0a8 0001 c0a8 0068"
            + "0000 96be 1f2a 0001" + PING_DATA;
    /** Fragmentation needed, MTU 1400, quoting a TCP packet 192.168.0.104:41718 > 192.168.0.1:80; checksum 9cd1. */
    static final String FRAG_NEEDED = "0304 9cd1 0000 0578"
            + "4500 0044 1c47 4000 4006 9cb3 c0a8 0068 c0a8 0001" + "a2f6 0050 3d1c 7a4f";

    private final Ipv4Packet ip = new Ipv4Packet();
    private final IcmpPacket icmp = new IcmpPacket();

    @Test
    void parsesAnEchoRequest() {
        ByteBuffer b = Bytes.buffer(PING_REQUEST);
        assertNull(ip.parse(b));
        assertEquals(Ipv4Packet.PROTOCOL_ICMP, ip.protocol());
        assertNull(icmp.parse(ip));
        assertTrue(icmp.isEchoRequest());
        assertFalse(icmp.isError());
        assertEquals(0x1F2A, icmp.echoIdentifier());
        assertEquals(1, icmp.echoSequence());
        assertEquals(28, icmp.dataOffset());
        assertEquals(56, icmp.dataLength());
        assertThrows(IllegalStateException.class, icmp::originalSourcePort);
    }

    @Test
    void turnsARequestIntoItsReplyInPlace() {
        ByteBuffer b = Bytes.buffer(PING_REQUEST);
        IcmpPacket.turnEchoRequestIntoReply(b, 0, 255);
        assertArrayEquals(Bytes.hex(PING_REPLY_TTL_255), b.array());
        assertNull(ip.parse(b));
        assertNull(icmp.parse(ip));
        assertTrue(icmp.isEchoReply());
    }

    @Test
    void writesTheSameEchoRequest() {
        ByteBuffer out = ByteBuffer.allocate(84);
        int len = IcmpPacket.writeEcho(out, 20, IcmpPacket.TYPE_ECHO_REQUEST, 0x1F2A, 1, Bytes.buffer(PING_DATA));
        Ipv4Packet.writeHeader(out, 0, len, Ipv4Packet.PROTOCOL_ICMP, HOST_A, HOST_B, 0x8A1B, 64);
        assertArrayEquals(Bytes.hex(PING_REQUEST), out.array());
    }

    @Test
    void parsesFragmentationNeededWithTheQuotedConnection() {
        ByteBuffer b = ByteBuffer.allocate(50);
        b.put(3, Bytes.hex(FRAG_NEEDED));
        assertNull(icmp.parse(b, 3, 36));
        assertTrue(icmp.isError());
        assertTrue(icmp.isFragmentationNeeded());
        assertEquals(1400, icmp.nextHopMtu());
        assertEquals(11, icmp.originalOffset());
        assertEquals(Ipv4Packet.PROTOCOL_TCP, icmp.originalProtocol());
        assertEquals(HOST_A, icmp.originalSource());
        assertEquals(HOST_B, icmp.originalDestination());
        assertEquals(41718, icmp.originalSourcePort());
        assertEquals(80, icmp.originalDestinationPort());
        assertEquals(0x3D1C7A4F, icmp.originalTcpSequence());
    }

    @Test
    void writesTheSameError() {
        ByteBuffer original = ByteBuffer.allocate(28).put(0, Bytes.hex(FRAG_NEEDED), 8, 28);
        ByteBuffer out = ByteBuffer.allocate(36);
        assertEquals(36, IcmpPacket.writeError(out, 0, IcmpPacket.TYPE_DESTINATION_UNREACHABLE,
                IcmpPacket.CODE_FRAGMENTATION_NEEDED, 1400, original, 0, 28));
        assertArrayEquals(Bytes.hex(FRAG_NEEDED), out.array());
    }

    @Test
    void errorsOfEveryHandledTypeExposeTheOriginal() {
        long seed = System.nanoTime();
        SplittableRandom random = new SplittableRandom(seed);
        int[] types = {IcmpPacket.TYPE_DESTINATION_UNREACHABLE, IcmpPacket.TYPE_TIME_EXCEEDED, IcmpPacket.TYPE_PARAMETER_PROBLEM};
        ByteBuffer original = ByteBuffer.allocate(100);
        ByteBuffer out = ByteBuffer.allocate(200);
        for (int round = 0; round < 2_000; round++) {
            int src = random.nextInt(), dst = random.nextInt(), proto = random.nextInt(256);
            int transport = 8 + random.nextInt(40);
            Ipv4Packet.writeHeader(original, 0, transport, proto, src, dst, random.nextInt(65536), 1 + random.nextInt(255));
            int sport = random.nextInt(65536), dport = random.nextInt(65536), seq = random.nextInt();
            original.putShort(20, (short) sport).putShort(22, (short) dport).putInt(24, seq);
            int type = types[random.nextInt(types.length)], code = random.nextInt(16);
            int len = IcmpPacket.writeError(out, 0, type, code, random.nextInt(), original, 0, 20 + transport);
            String where = "seed=" + seed + " round=" + round;
            assertNull(icmp.parse(out, 0, len), where);
            assertEquals(type, icmp.type(), where);
            assertEquals(code, icmp.code(), where);
            assertEquals(proto, icmp.originalProtocol(), where);
            assertEquals(src, icmp.originalSource(), where);
            assertEquals(dst, icmp.originalDestination(), where);
            assertEquals(sport, icmp.originalSourcePort(), where);
            assertEquals(dport, icmp.originalDestinationPort(), where);
            assertEquals(seq, icmp.originalTcpSequence(), where);
        }
    }

    @Test
    void dropsWhatAHostDoesNotHandle() {
        ByteBuffer quench = ByteBuffer.allocate(36).put(0, Bytes.hex(FRAG_NEEDED));
        quench.put(0, (byte) IcmpPacket.TYPE_SOURCE_QUENCH).put(1, (byte) 0).putShort(2, (short) 0);
        quench.putShort(2, (short) Checksum.compute(quench, 0, 36));
        assertEquals(DropReason.ICMP_SOURCE_QUENCH_IGNORED, icmp.parse(quench, 0, 36));

        ByteBuffer redirect = ByteBuffer.allocate(36).put(0, Bytes.hex(FRAG_NEEDED));
        redirect.put(0, (byte) 5).putShort(2, (short) 0);
        redirect.putShort(2, (short) Checksum.compute(redirect, 0, 36));
        assertEquals(DropReason.ICMP_UNSUPPORTED_TYPE, icmp.parse(redirect, 0, 36));

        ByteBuffer corrupt = Bytes.buffer(FRAG_NEEDED);
        corrupt.put(35, (byte) 0);
        assertEquals(DropReason.ICMP_BAD_CHECKSUM, icmp.parse(corrupt, 0, 36));
        assertEquals(DropReason.ICMP_TRUNCATED, icmp.parse(corrupt, 0, 7));
        assertEquals(DropReason.ICMP_TRUNCATED, icmp.parse(corrupt, 1, 36));
    }

    @Test
    void errorsWithoutAUsableQuoteAreDropped() {
        ByteBuffer original = Bytes.buffer("4500 0044 1c47 4000 4006 9cb3 c0a8 0068 c0a8 0001 a2f6 0050 3d1c 7a4f");
        ByteBuffer out = ByteBuffer.allocate(64);
        int len = IcmpPacket.writeError(out, 0, 3, 1, 0, original, 0, 27); // one byte short of header + 8
        assertEquals(DropReason.ICMP_BAD_EMBEDDED_PACKET, icmp.parse(out, 0, len));
        original.put(0, (byte) 0x65); // IPv6 version nibble
        len = IcmpPacket.writeError(out, 0, 3, 1, 0, original, 0, 28);
        assertEquals(DropReason.ICMP_BAD_EMBEDDED_PACKET, icmp.parse(out, 0, len));
        original.put(0, (byte) 0x46); // IHL 6 needs 24 + 8 bytes
        len = IcmpPacket.writeError(out, 0, 3, 1, 0, original, 0, 28);
        assertEquals(DropReason.ICMP_BAD_EMBEDDED_PACKET, icmp.parse(out, 0, len));
    }
}
