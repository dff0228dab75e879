package io.fttcp.stack.packet;

import io.fttcp.stack.tcp.TcpSegment;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every parser, fed random bytes and mutated real packets, returns a drop reason or a
 * consistent parse; nothing throws and nothing reads outside what it was given.
 */
class ParserRobustnessTest {
    private static final int CASES = 150_000;

    private final Ipv4Packet ip = new Ipv4Packet();
    private final IcmpPacket icmp = new IcmpPacket();
    private final TcpCodec codec = new TcpCodec();
    private final TcpSegment seg = new TcpSegment();
    private final DropCounters drops = new DropCounters();
    private long accepted;

    private static final int REAL_CAPTURES = 6;

    /** Real captures and ICMP errors quoting them (IP packets), then seeded random valid TCP/IP packets. */
    private static List<byte[]> seeds(SplittableRandom random) {
        List<byte[]> seeds = new ArrayList<>();
        seeds.add(Bytes.hex(Ipv4PacketTest.LINUX_SYN_IP + TcpCodecTest.LINUX_SYN_TCP));
        seeds.add(Bytes.hex("4500 0044 1c47 4000 4006 9cb3 c0a8 0068 c0a8 0001" + TcpCodecTest.LINUX_DATA_TCP));
        seeds.add(Bytes.hex(IcmpPacketTest.PING_REQUEST));
        byte[] fragNeeded = Bytes.hex(IcmpPacketTest.FRAG_NEEDED);
        ByteBuffer error = ByteBuffer.allocate(20 + fragNeeded.length).put(20, fragNeeded);
        Ipv4Packet.writeHeader(error, 0, fragNeeded.length, Ipv4Packet.PROTOCOL_ICMP, 0x0A0000FE, 0xC0A80068, 7, 255);
        seeds.add(error.array());
        seeds.add(icmpErrorQuoting(seeds.get(0), IcmpPacket.TYPE_TIME_EXCEEDED, 0, 0));
        // A quoted header with options (IHL 6): the quote must then hold 24 + 8 bytes.
        ByteBuffer withOptions = ByteBuffer.allocate(32).put(0, Bytes.hex("4600 0020 0001 4000 4006 0000 0a00 0001 0a00 0002 0101 0100"));
        withOptions.putShort(10, (short) Checksum.compute(withOptions, 0, 24)).putLong(24, 0x1234_5678_9ABC_DEF0L);
        seeds.add(icmpErrorQuoting(withOptions.array(), IcmpPacket.TYPE_DESTINATION_UNREACHABLE, IcmpPacket.CODE_PORT_UNREACHABLE, 0));
        for (int i = 0; i < 60; i++) {
            TcpSegment s = TcpSegments.random(random);
            ByteBuffer b = ByteBuffer.allocate(20 + TcpCodec.headerLength(s) + s.payloadLength());
            int src = random.nextInt(), dst = random.nextInt();
            int len = TcpCodec.write(s, random.nextInt(65536), random.nextInt(65536), src, dst, b, 20);
            Ipv4Packet.writeHeader(b, 0, len, Ipv4Packet.PROTOCOL_TCP, src, dst, i, 64);
            seeds.add(b.array());
        }
        return seeds;
    }

    private static byte[] icmpErrorQuoting(byte[] original, int type, int code, int rest) {
        ByteBuffer b = ByteBuffer.allocate(20 + 8 + original.length);
        int len = IcmpPacket.writeError(b, 20, type, code, rest, ByteBuffer.wrap(original), 0, original.length);
        Ipv4Packet.writeHeader(b, 0, len, Ipv4Packet.PROTOCOL_ICMP, 0x0A0000FE, 0xC0A80068, 9, 255);
        return b.array();
    }

    @Test
    void randomAndMutatedInputNeverBreaksAParser() {
        long seed = System.nanoTime();
        SplittableRandom random = new SplittableRandom(seed);
        List<byte[]> seeds = seeds(random);
        for (int round = 0; round < CASES; round++) {
            int pick = random.nextInt(10);
            byte[] packet = pick < 2 ? randomBytes(random)
                    : mutate(seeds.get(pick < 6 ? random.nextInt(REAL_CAPTURES) : random.nextInt(seeds.size())), random);
            int before = random.nextInt(8);
            // Usually nothing after the packet, so that reading past it throws rather than passes silently.
            ByteBuffer buf = ByteBuffer.allocate(before + packet.length + (random.nextBoolean() ? 0 : random.nextInt(8)));
            buf.put(before, packet);
            // Sometimes the buffer ends before the packet does: parsers must respect the limit.
            if (random.nextInt(10) == 0) buf.limit(random.nextInt(buf.capacity() + 1));
            int available = random.nextInt(20) == 0 ? random.nextInt(-4, packet.length + 40) : packet.length;
            try {
                exercise(buf, before, available, random);
            } catch (Throwable t) {
                fail("seed=" + seed + " round=" + round + " offset=" + before + " available=" + available + " limit="
                        + buf.limit() + " packet=" + HexFormat.of().formatHex(packet), t);
            }
        }
        // The mutations must reach past the first checks, or the test proves little.
        assertTrue(accepted > CASES / 20, "only " + accepted + " of " + CASES + " inputs parsed fully; seed=" + seed);
        for (DropReason r : new DropReason[]{DropReason.IPV4_BAD_CHECKSUM, DropReason.TCP_OPTION_TOO_SHORT,
                DropReason.TCP_OPTION_OVERRUNS_HEADER, DropReason.TCP_OPTION_BAD_LENGTH, DropReason.ICMP_BAD_CHECKSUM,
                DropReason.ICMP_BAD_EMBEDDED_PACKET, DropReason.IPV4_FRAGMENT, DropReason.TCP_BAD_CHECKSUM}) {
            assertTrue(drops.get(r) > 0, r + " never hit; seed=" + seed + " " + drops);
        }
    }

    private void exercise(ByteBuffer buf, int offset, int available, SplittableRandom random) {
        int position = buf.position(), limit = buf.limit();
        count(ip.parse(buf, offset, available));
        DropReason ipResult = ip.parse(buf, offset, available);
        if (ipResult == null || ipResult == DropReason.IPV4_FRAGMENT) {
            assertTrue(ip.headerLength() >= 20 && ip.payloadOffset() + ip.payloadLength() <= Math.min(buf.limit(), offset + available));
            if (ipResult == null && ip.protocol() == Ipv4Packet.PROTOCOL_TCP) {
                checkTcp(codec.parse(ip, random.nextBoolean(), seg), buf);
            } else if (ipResult == null && ip.protocol() == Ipv4Packet.PROTOCOL_ICMP) {
                checkIcmp(icmp.parse(ip));
            }
        }
        // The transport parsers on their own, at the usual offset, with checksums skipped (TCP)
        // or fixed up (ICMP) so that the deeper checks see the mutations.
        int tcpOffset = offset + 20, tcpLength = available - 20;
        checkTcp(codec.parse(buf, tcpOffset, tcpLength, 1, 2, true, seg), buf);
        checkTcp(codec.parse(buf, tcpOffset, tcpLength, 1, 2, false, seg), buf);
        if (tcpLength >= 8 && tcpOffset + tcpLength <= buf.limit()) {
            buf.putShort(tcpOffset + IcmpPacket.CHECKSUM_OFFSET, (short) 0);
            buf.putShort(tcpOffset + IcmpPacket.CHECKSUM_OFFSET, (short) Checksum.compute(buf, tcpOffset, tcpLength));
        }
        checkIcmp(icmp.parse(buf, tcpOffset, tcpLength));
        assertEquals(position, buf.position(), "parsers must not move the buffer");
        assertEquals(limit, buf.limit(), "parsers must not move the buffer");
    }

    private void checkTcp(DropReason result, ByteBuffer buf) {
        count(result);
        if (result != null) return;
        assertTrue(codec.headerLength() >= 20 && codec.headerLength() <= 60);
        assertTrue(seg.sackBlockCount >= 0 && seg.sackBlockCount <= TcpSegment.MAX_SACK_BLOCKS);
        assertTrue(seg.mss >= -1 && seg.mss <= 0xFFFF && seg.windowScale >= -1 && seg.windowScale <= 255);
        if (seg.payload != null) {
            assertTrue(seg.payload.limit() <= buf.limit() && seg.payload.remaining() == codec.payloadLength());
            seg.payload.get(seg.payload.limit() - 1); // readable to its last byte
        }
        seg.toString();
    }

    private void checkIcmp(DropReason result) {
        count(result);
        if (result != null || !icmp.isError()) return;
        icmp.originalSourcePort();
        icmp.originalDestinationPort();
        icmp.originalTcpSequence();
        assertTrue(icmp.originalTransportOffset() + IcmpPacket.QUOTED_TRANSPORT_BYTES <= icmp.dataOffset() + icmp.dataLength());
    }

    private void count(DropReason result) {
        if (result == null) accepted++;
        else drops.count(result);
    }

    private static byte[] randomBytes(SplittableRandom random) {
        byte[] b = new byte[random.nextInt(random.nextBoolean() ? 80 : 1600)];
        random.nextBytes(b);
        if (b.length > 0 && random.nextBoolean()) b[0] = (byte) (0x40 | random.nextInt(16)); // looks like IPv4
        return b;
    }

    /** Flips, overwrites, truncates or extends a copy; sometimes repairs the IP header checksum. */
    private static byte[] mutate(byte[] original, SplittableRandom random) {
        byte[] b = original.clone();
        int edits = 1 + random.nextInt(4);
        for (int e = 0; e < edits; e++) {
            switch (random.nextInt(6)) {
                case 0 -> b[random.nextInt(b.length)] ^= (byte) (1 << random.nextInt(8));
                case 1 -> b[random.nextInt(b.length)] = (byte) random.nextInt(256);
                case 2 -> b[random.nextInt(b.length)] = (byte) (random.nextBoolean() ? 0 : 0xFF);
                case 3 -> {
                    // Aim at the TCP option area (or the ICMP quote) where the subtle parsing is.
                    int at = Math.min(b.length - 1, 40 + random.nextInt(Math.max(1, Math.min(40, b.length - 40))));
                    b[at] = (byte) random.nextInt(12);
                }
                case 4 -> b = java.util.Arrays.copyOf(b, random.nextInt(b.length + 1));
                default -> {
                    byte[] longer = java.util.Arrays.copyOf(b, b.length + 1 + random.nextInt(40));
                    for (int i = b.length; i < longer.length; i++) longer[i] = (byte) random.nextInt(256);
                    b = longer;
                }
            }
            if (b.length == 0) return b;
        }
        if (b.length >= 20 && random.nextInt(3) != 0) {
            int ihl = (b[0] & 0x0F) * 4;
            if (ihl >= 20 && ihl <= b.length) {
                ByteBuffer view = ByteBuffer.wrap(b);
                view.putShort(10, (short) 0);
                view.putShort(10, (short) Checksum.compute(view, 0, ihl));
            }
        }
        return b;
    }
}
