package io.fttcp.replication.codec;

import io.fttcp.replication.CollectingHandler;
import io.fttcp.replication.RandomRecords;
import io.fttcp.replication.Seeds;
import io.fttcp.replication.record.Record;
import io.fttcp.replication.record.Seed;
import io.fttcp.replication.record.Segment;
import io.fttcp.stack.tcp.FourTuple;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

class FrameCodecRoundTripTest {
    private static final FourTuple TUPLE = new FourTuple(0xc6120001, 80, 0xc6120002, 40000);

    @Test
    void hundredThousandRandomRecordsOfEveryKindSurviveInRandomChunks() throws Exception {
        long seed = Seeds.next();
        SplittableRandom random = new SplittableRandom(seed);
        RandomRecords gen = new RandomRecords(random, 2000);
        FrameEncoder encoder = new FrameEncoder();
        FrameDecoder decoder = new FrameDecoder();
        CollectingHandler got = new CollectingHandler();
        List<Record> sent = new ArrayList<>();
        int[] kinds = new int[RandomRecords.KINDS];
        ByteBuffer wire = ByteBuffer.allocate(1 << 16);
        ByteBuffer in = ByteBuffer.allocate(decoder.maxFrameLength());
        long bytes = 0;
        for (int i = 0; i < 100_000; i++) {
            int kind = random.nextInt(RandomRecords.KINDS);
            kinds[kind]++;
            Record r = gen.of(kind);
            sent.add(r);
            wire.clear();
            assertTrue(encoder.encode(i + 1, r, wire), "seed " + seed);
            assertEquals(FrameEncoder.frameLength(r), wire.position(), "seed " + seed + " " + r);
            wire.flip();
            bytes += wire.remaining();
            // Feed the frame in random pieces: the decoder must wait, then decode exactly once.
            while (wire.hasRemaining()) {
                int n = Math.min(wire.remaining(), 1 + random.nextInt(random.nextBoolean() ? 8 : 4000));
                ByteBuffer piece = wire.slice(wire.position(), n);
                wire.position(wire.position() + n);
                in.put(piece);
                in.flip();
                decoder.decodeAll(in, got);
                in.compact();
            }
        }
        in.flip();
        decoder.endOfStream(in);
        assertEquals(sent.size(), got.records.size(), "seed " + seed);
        for (int i = 0; i < sent.size(); i++) {
            assertEquals(sent.get(i), got.records.get(i), "seed " + seed + " record " + i);
            assertEquals(i + 1, got.lsns.get(i), "seed " + seed);
        }
        assertEquals(bytes, decoder.streamOffset(), "seed " + seed);
        for (int k = 0; k < kinds.length; k++) {
            assertTrue(kinds[k] > 100_000 / RandomRecords.KINDS * 9 / 10, "kind " + k + " drawn " + kinds[k] + " times, seed " + seed);
        }
    }

    @Test
    void controlFramesRoundTrip() throws Exception {
        FrameEncoder encoder = new FrameEncoder();
        ByteBuffer buf = ByteBuffer.allocate(4096);
        Handshake hello = new Handshake(7, Role.BACKUP, "web-ünïcode", Long.MAX_VALUE, 42);
        assertTrue(encoder.encodeHandshake(hello, buf));
        assertTrue(encoder.encodeReject("cluster id differs", buf));
        assertTrue(encoder.encodeAck(99, -5, buf));
        assertTrue(encoder.encodeHeartbeat(100, 123456789L, 987654321L, buf));
        assertTrue(encoder.encodeCaughtUp(77, buf));
        assertTrue(encoder.encodeCaughtUp(0, buf));
        Handshake logger = new Handshake(1, Role.LOGGER, "c", 3, 0);
        assertTrue(encoder.encodeHandshake(logger, buf));
        Handshake primary = new Handshake(2, Role.PRIMARY, "p", 4, 1, 65535);
        assertTrue(encoder.encodeHandshake(primary, buf));
        buf.flip();
        CollectingHandler got = new CollectingHandler();
        assertEquals(8, new FrameDecoder().decodeAll(buf, got));
        assertEquals(List.of(hello, "reject cluster id differs", "ack 99 -5", "heartbeat 100 123456789 987654321",
                "caught-up 77", "caught-up 0", logger, primary), got.controls);
        assertEquals(65535, ((Handshake) got.controls.getLast()).livenessPort());
    }

    @Test
    void caughtUpIsAnEmptyControlFrameAndABodyIsCorrupt() throws Exception {
        ByteBuffer buf = ByteBuffer.allocate(64);
        assertTrue(new FrameEncoder().encodeCaughtUp(5, buf));
        assertEquals(FrameFormat.CAUGHT_UP_FRAME_LENGTH, buf.position());
        assertFalse(new FrameEncoder().encodeCaughtUp(5, ByteBuffer.allocate(FrameFormat.CAUGHT_UP_FRAME_LENGTH - 1)));
        // A handler that never announced a catch-up refuses the frame.
        FrameHandler plain = new FrameHandler() {
            public void onRecord(long lsn, Record record) { }
            public void onHandshake(Handshake handshake) { }
            public void onReject(String reason) { }
            public void onAck(long lsn, long echoNanos) { }
            public void onHeartbeat(long lsn, long sentAtNanos, long echoNanos) { }
        };
        var e = assertThrows(ReplicationProtocolException.class, () -> new FrameDecoder().decodeAll(buf.flip(), plain));
        assertTrue(e.getMessage().contains("CAUGHT_UP"), e.getMessage());
        // The kind with a body: impossible length.
        ByteBuffer withBody = ByteBuffer.allocate(64);
        withBody.putShort(FrameFormat.MAGIC).put(FrameFormat.VERSION).put((byte) FrameKind.CAUGHT_UP.code()).putInt(4).putLong(5)
                .putInt(0).putInt(0).flip();
        var c = assertThrows(CorruptRecordException.class, () -> new FrameDecoder().decodeAll(withBody, new CollectingHandler()));
        assertTrue(c.getMessage().contains("impossible for its kind"), c.getMessage());
    }

    @Test
    void noRoomWritesNothingAndTooLargeIsRefused() {
        FrameEncoder encoder = new FrameEncoder(1024);
        Segment big = new Segment(TUPLE, 1, 2, 0x18, 100, 0, 0, new byte[1024]);
        ByteBuffer buf = ByteBuffer.allocate(8192);
        var e = assertThrows(IllegalArgumentException.class, () -> encoder.encode(1, big, buf));
        assertTrue(e.getMessage().contains("over the maximum"), e.getMessage());
        assertEquals(0, buf.position());

        Record seed = new Seed(5);
        ByteBuffer small = ByteBuffer.allocate((int) FrameEncoder.frameLength(seed) - 1);
        assertFalse(encoder.encode(1, seed, small));
        assertEquals(0, small.position());

        ByteBuffer exact = ByteBuffer.allocate((int) FrameEncoder.frameLength(seed));
        assertTrue(encoder.encode(1, seed, exact));
        assertFalse(exact.hasRemaining());
    }

    @Test
    void badFieldLeavesNoHalfFrame() {
        FrameEncoder encoder = new FrameEncoder();
        ByteBuffer buf = ByteBuffer.allocate(4096);
        Segment badPort = new Segment(new FourTuple(1, 70000, 2, 3), 1, 2, 0, 0, 0, 0, new byte[3]);
        assertThrows(IllegalArgumentException.class, () -> encoder.encode(1, badPort, buf));
        assertEquals(0, buf.position());
        assertThrows(IllegalArgumentException.class, () -> encoder.encode(0, new Seed(1), buf));
    }

    @Test
    void segmentsCompareByPayloadContent() {
        Segment a = new Segment(TUPLE, 1, 2, 3, 4, 5, 6, new byte[]{1, 2, 3});
        Segment b = new Segment(TUPLE, 1, 2, 3, 4, 5, 6, new byte[]{1, 2, 3});
        Segment c = new Segment(TUPLE, 1, 2, 3, 4, 5, 6, new byte[]{1, 2, 4});
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertNotEquals(a, c);
        assertTrue(a.toString().contains("3 bytes"), a.toString());
    }
}
