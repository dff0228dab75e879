package io.fttcp.stack.packet;

import io.fttcp.stack.tcp.TcpSegment;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

import static io.fttcp.stack.packet.Ipv4PacketTest.HOST_A;
import static io.fttcp.stack.packet.Ipv4PacketTest.HOST_B;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TcpCodecTest {
    /**
     * A Linux SYN, 192.168.0.104:41718 > 192.168.0.1:80: "mss 1460,sackOK,TS val 1715004 ecr 0,
     * nop,wscale 7", window 64240; the checksum 454e was computed independently (Python).
     */
    static final String LINUX_SYN_TCP = "a2f6 0050 3d1c 7a4e 0000 0000 a002 faf0 454e 0000"
            + "0204 05b4 0402 080a 001a 2b3c 0000 0000 0103 0307";
    /** The client's first data segment: ACK|PSH, "nop,nop,TS val 1715008 ecr 2400066860", 16 bytes; checksum 37b2. */
    static final String LINUX_DATA_TCP = "a2f6 0050 3d1c 7a4f e4c1 d2a3 8018 01f6 37b2 0000"
            + "0101 080a 001a 2b40 8f0e 1d2c" + "474554202f20485454502f312e310d0a";

    private final TcpCodec codec = new TcpCodec();
    private final TcpSegment seg = new TcpSegment();

    @Test
    void parsesALinuxSyn() {
        ByteBuffer b = Bytes.buffer(LINUX_SYN_TCP);
        assertNull(codec.parse(b, 0, 40, HOST_A, HOST_B, false, seg));
        assertEquals(41718, codec.sourcePort());
        assertEquals(80, codec.destinationPort());
        assertEquals(40, codec.headerLength());
        assertEquals(0x3D1C7A4E, seg.seq);
        assertEquals(TcpSegment.SYN, seg.flags);
        assertEquals(64240, seg.window);
        assertEquals(1460, seg.mss);
        assertTrue(seg.sackPermitted);
        assertTrue(seg.hasTimestamp);
        assertEquals(1715004, seg.tsVal);
        assertEquals(0, seg.tsEcr);
        assertEquals(7, seg.windowScale);
        assertEquals(0, seg.sackBlockCount);
        assertNull(seg.payload);
        assertEquals(1, seg.sequenceLength());
    }

    @Test
    void writerReproducesTheLinuxSynByteForByte() {
        TcpSegment s = new TcpSegment();
        s.seq = 0x3D1C7A4E;
        s.flags = TcpSegment.SYN;
        s.window = 64240;
        s.mss = 1460;
        s.sackPermitted = true;
        s.hasTimestamp = true;
        s.tsVal = 1715004;
        s.windowScale = 7;
        ByteBuffer out = ByteBuffer.allocate(40);
        assertEquals(40, TcpCodec.write(s, 41718, 80, HOST_A, HOST_B, out, 0));
        assertArrayEquals(Bytes.hex(LINUX_SYN_TCP), out.array());
    }

    @Test
    void parsesADataSegmentWithPayloadAndWritesItBack() {
        ByteBuffer b = ByteBuffer.allocate(100);
        byte[] wire = Bytes.hex(LINUX_DATA_TCP);
        b.put(20, wire);
        assertNull(codec.parse(b, 20, wire.length, HOST_A, HOST_B, false, seg));
        assertEquals(TcpSegment.ACK | TcpSegment.PSH, seg.flags);
        assertEquals(0xE4C1D2A3, seg.ack);
        assertEquals(502, seg.window);
        assertEquals(-1, seg.mss);
        assertEquals(-1, seg.windowScale);
        assertTrue(seg.hasTimestamp);
        assertEquals(0x8F0E1D2C, seg.tsEcr);
        assertEquals(16, seg.payloadLength());
        assertEquals(52, seg.payload.position());
        byte[] text = new byte[16];
        seg.payload.get(seg.payload.position(), text);
        assertEquals("GET / HTTP/1.1\r\n", new String(text, StandardCharsets.US_ASCII));

        ByteBuffer out = ByteBuffer.allocate(wire.length);
        assertEquals(wire.length, TcpCodec.write(seg, codec.sourcePort(), codec.destinationPort(), HOST_A, HOST_B, out, 0));
        assertArrayEquals(wire, out.array());
        assertEquals(52, seg.payload.position(), "writing must not move the payload's position");
    }

    @Test
    void payloadViewIsReusedForTheSameBuffer() {
        ByteBuffer b = Bytes.buffer(LINUX_DATA_TCP);
        assertNull(codec.parse(b, 0, b.capacity(), HOST_A, HOST_B, false, seg));
        ByteBuffer first = seg.payload;
        assertNull(codec.parse(b, 0, b.capacity(), HOST_A, HOST_B, false, seg));
        assertSame(first, seg.payload);
        assertEquals(b.position(), 0, "the receive buffer itself is untouched");
    }

    @Test
    void checksumIsVerifiedUnlessTheLinkDidIt() {
        ByteBuffer b = Bytes.buffer(LINUX_DATA_TCP);
        b.put(40, (byte) 0x58);
        assertEquals(DropReason.TCP_BAD_CHECKSUM, codec.parse(b, 0, b.capacity(), HOST_A, HOST_B, false, seg));
        assertNull(codec.parse(b, 0, b.capacity(), HOST_A, HOST_B, true, seg));
        // A wrong pseudo-header (other destination) also fails.
        ByteBuffer ok = Bytes.buffer(LINUX_DATA_TCP);
        assertEquals(DropReason.TCP_BAD_CHECKSUM, codec.parse(ok, 0, ok.capacity(), HOST_A, HOST_B + 1, false, seg));
    }

    /** A header with the given options (hex), data offset from the option length, checksum not set. */
    private DropReason parseWithOptions(String options) {
        byte[] opts = Bytes.hex(options);
        ByteBuffer b = ByteBuffer.allocate(20 + opts.length);
        b.put(0, Bytes.hex("a2f6 0050 0000 0001 0000 0000 0010 ffff 0000 0000"));
        b.put(12, (byte) (((20 + opts.length) / 4) << 4));
        b.put(20, opts);
        return codec.parse(b, 0, b.capacity(), HOST_A, HOST_B, true, seg);
    }

    @Test
    void malformedOptionsAreDropReasons() {
        assertEquals(DropReason.TCP_OPTION_TOO_SHORT, parseWithOptions("0101 fe01"));
        assertEquals(DropReason.TCP_OPTION_TOO_SHORT, parseWithOptions("0800 0000"));
        assertEquals(DropReason.TCP_OPTION_OVERRUNS_HEADER, parseWithOptions("0101 0105"));
        assertEquals(DropReason.TCP_OPTION_OVERRUNS_HEADER, parseWithOptions("0101 0102"));
        assertEquals(DropReason.TCP_OPTION_OVERRUNS_HEADER, parseWithOptions("0101 08"+"0a00 0000 0100 0000"));
        assertEquals(DropReason.TCP_OPTION_BAD_LENGTH, parseWithOptions("0205 05b4 0000 0000"));
        assertEquals(DropReason.TCP_OPTION_BAD_LENGTH, parseWithOptions("0304 0700"));
        assertEquals(DropReason.TCP_OPTION_BAD_LENGTH, parseWithOptions("0403 0000"));
        assertEquals(DropReason.TCP_OPTION_BAD_LENGTH, parseWithOptions("0101 0509 0000 0001 0000 0002"));
        assertEquals(DropReason.TCP_OPTION_BAD_LENGTH, parseWithOptions("0101 0502"));
        assertEquals(DropReason.TCP_OPTION_BAD_LENGTH, parseWithOptions("0101 080b 0000 0001 0000 0002 0000 0000"));
    }

    @Test
    void unknownOptionsAreSkippedAndEolEndsTheList() {
        // Unknown kind 30 (MPTCP) of length 6, then MSS; then EOL followed by garbage that is not parsed.
        assertNull(parseWithOptions("1e06 0102 0304 0204 0218 00ff ffff"));
        assertEquals(536, seg.mss);
        assertNull(parseWithOptions("0101 050a 0000 0010 0000 0020"));
        assertEquals(1, seg.sackBlockCount);
        assertEquals(0x10, seg.sackLeft[0]);
        assertEquals(0x20, seg.sackRight[0]);
        assertFalse(seg.hasTimestamp);
    }

    @Test
    void headerProblemsAreDropReasons() {
        ByteBuffer b = Bytes.buffer(LINUX_SYN_TCP);
        assertEquals(DropReason.TCP_TRUNCATED, codec.parse(b, 0, 19, HOST_A, HOST_B, true, seg));
        assertEquals(DropReason.TCP_TRUNCATED, codec.parse(b, 0, 39, HOST_A, HOST_B, true, seg));
        assertEquals(DropReason.TCP_TRUNCATED, codec.parse(b, 1, 40, HOST_A, HOST_B, true, seg));
        b.put(12, (byte) 0x40);
        assertEquals(DropReason.TCP_BAD_DATA_OFFSET, codec.parse(b, 0, 40, HOST_A, HOST_B, true, seg));
    }

    @Test
    void partialChecksumCompletesToTheFullOne() {
        long seed = System.nanoTime();
        SplittableRandom random = new SplittableRandom(seed);
        for (int round = 0; round < 2_000; round++) {
            TcpSegment s = TcpSegments.random(random);
            int src = random.nextInt(), dst = random.nextInt();
            ByteBuffer full = ByteBuffer.allocate(TcpCodec.headerLength(s) + s.payloadLength());
            ByteBuffer partial = ByteBuffer.allocate(full.capacity());
            TcpCodec.write(s, 1, 2, src, dst, full, 0, false);
            int len = TcpCodec.write(s, 1, 2, src, dst, partial, 0, true);
            // What the device does: checksum from csum_start to the end, stored at csum_offset.
            int completed = Checksum.compute(partial, 0, len);
            partial.putShort(TcpCodec.CHECKSUM_OFFSET, (short) completed);
            assertArrayEquals(full.array(), partial.array(), "seed=" + seed + " round=" + round);
        }
    }

    @Test
    void writeThenParseRoundTripsThroughIpv4() {
        long seed = System.nanoTime();
        SplittableRandom random = new SplittableRandom(seed);
        Ipv4Packet ip = new Ipv4Packet();
        ByteBuffer out = ByteBuffer.allocateDirect(2048);
        for (int round = 0; round < 20_000; round++) {
            TcpSegment s = TcpSegments.random(random);
            int src = random.nextInt(), dst = random.nextInt(), sport = random.nextInt(65536), dport = random.nextInt(65536);
            int base = random.nextInt(8);
            int tcpLen = TcpCodec.write(s, sport, dport, src, dst, out, base + 20);
            Ipv4Packet.writeHeader(out, base, tcpLen, Ipv4Packet.PROTOCOL_TCP, src, dst, round & 0xFFFF, 64);
            String where = "seed=" + seed + " round=" + round + " segment=" + s;
            assertEquals(TcpCodec.headerLength(s) + s.payloadLength(), tcpLen, where);
            assertNull(ip.parse(out, base, 20 + tcpLen), where);
            assertNull(codec.parse(ip, false, seg), where);
            assertEquals(Bytes.referenceTcpChecksum(out, base + 20, tcpLen, src, dst), 0, where);
            assertEquals(sport, codec.sourcePort(), where);
            assertEquals(dport, codec.destinationPort(), where);
            TcpSegments.assertSameOnTheWire(s, seg, where);
        }
    }

    @Test
    void incrementalRewritesEqualFullRecomputation() {
        long seed = System.nanoTime();
        SplittableRandom random = new SplittableRandom(seed);
        ByteBuffer out = ByteBuffer.allocate(2048);
        for (int round = 0; round < 20_000; round++) {
            TcpSegment s = TcpSegments.random(random);
            int src = random.nextInt(), dst = random.nextInt();
            int len = TcpCodec.write(s, random.nextInt(65536), random.nextInt(65536), src, dst, out, 0);
            String where = "seed=" + seed + " round=" + round;
            switch (random.nextInt(3)) {
                case 0 -> TcpCodec.rewriteAck(out, 0, random.nextInt());
                case 1 -> TcpCodec.rewriteSeq(out, 0, random.nextInt());
                default -> TcpCodec.rewriteWindow(out, 0, random.nextInt(65536));
            }
            int incremental = out.getShort(TcpCodec.CHECKSUM_OFFSET) & 0xFFFF;
            out.putShort(TcpCodec.CHECKSUM_OFFSET, (short) 0);
            assertEquals(Bytes.referenceTcpChecksum(out, 0, len, src, dst), incremental, where);
        }
    }

    @Test
    void writerDropsSackBlocksThatDoNotFitAndRejectsSmallBuffers() {
        TcpSegment s = new TcpSegment();
        s.flags = TcpSegment.ACK;
        s.hasTimestamp = true;
        s.sackBlockCount = 4;
        assertEquals(20 + 12 + 4 + 3 * 8, TcpCodec.headerLength(s));
        s.hasTimestamp = false;
        assertEquals(20 + 4 + 4 * 8, TcpCodec.headerLength(s));
        assertThrows(IllegalArgumentException.class, () -> TcpCodec.write(s, 1, 2, 3, 4, ByteBuffer.allocate(55), 0));
    }
}
