package io.fttcp.stack.packet;

import io.fttcp.stack.tcp.TcpSegment;

import java.nio.ByteBuffer;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Random segments for property tests, and the comparison of what survives the wire. */
final class TcpSegments {
    private TcpSegments() {
    }

    static TcpSegment random(SplittableRandom random) {
        TcpSegment s = new TcpSegment();
        s.seq = random.nextInt();
        s.ack = random.nextInt();
        s.flags = random.nextInt(256);
        s.window = random.nextInt(65536);
        if (random.nextBoolean()) s.mss = random.nextInt(65536);
        if (random.nextBoolean()) s.windowScale = random.nextInt(15);
        s.sackPermitted = random.nextBoolean();
        s.hasTimestamp = random.nextBoolean();
        if (s.hasTimestamp) {
            s.tsVal = random.nextInt();
            s.tsEcr = random.nextInt();
        }
        s.sackBlockCount = random.nextInt(TcpSegment.MAX_SACK_BLOCKS + 1);
        for (int i = 0; i < s.sackBlockCount; i++) {
            s.sackLeft[i] = random.nextInt();
            s.sackRight[i] = random.nextInt();
        }
        int payload = random.nextInt(4) == 0 ? 0 : random.nextInt(1400);
        if (payload > 0) {
            // Payload in the middle of a larger buffer, to check position/limit are honoured.
            int before = random.nextInt(16);
            byte[] bytes = new byte[before + payload + random.nextInt(16)];
            random.nextBytes(bytes);
            s.payload = ByteBuffer.wrap(bytes, before, payload);
        }
        return s;
    }

    /** The fields a writer puts on the wire for {@code sent} equal those parsed into {@code got}. */
    static void assertSameOnTheWire(TcpSegment sent, TcpSegment got, String where) {
        boolean syn = sent.has(TcpSegment.SYN);
        assertEquals(sent.seq, got.seq, where);
        assertEquals(sent.ack, got.ack, where);
        assertEquals(sent.flags, got.flags, where);
        assertEquals(sent.window, got.window, where);
        assertEquals(syn ? sent.mss : -1, got.mss, where);
        assertEquals(syn ? sent.windowScale : -1, got.windowScale, where);
        assertEquals(syn && sent.sackPermitted, got.sackPermitted, where);
        assertEquals(sent.hasTimestamp, got.hasTimestamp, where);
        if (sent.hasTimestamp) {
            assertEquals(sent.tsVal, got.tsVal, where);
            assertEquals(sent.tsEcr, got.tsEcr, where);
        }
        int expectedBlocks = syn ? 0 : Math.min(sent.sackBlockCount, sent.hasTimestamp ? 3 : 4);
        assertEquals(expectedBlocks, got.sackBlockCount, where);
        for (int i = 0; i < expectedBlocks; i++) {
            assertEquals(sent.sackLeft[i], got.sackLeft[i], where);
            assertEquals(sent.sackRight[i], got.sackRight[i], where);
        }
        assertEquals(sent.payloadLength(), got.payloadLength(), where);
        if (sent.payloadLength() > 0) {
            assertEquals(sent.payload, got.payload, where); // ByteBuffer.equals compares remaining bytes
        }
    }
}
