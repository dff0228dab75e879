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
    /** A handler with the catch-up frames left to their defaults: it never announced a catch-up. */
    private static final FrameHandler NO_CATCH_UP = new FrameHandler() {
        public void onRecord(long lsn, Record record) { }
        public void onHandshake(Handshake handshake) { }
        public void onReject(String reason) { }
        public void onAck(long lsn, long echoNanos) { }
        public void onHeartbeat(long lsn, long sentAtNanos, long echoNanos) { }
    };

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
        assertTrue(encoder.encodeIncomplete(12, buf));
        Handshake logger = new Handshake(1, Role.LOGGER, "c", 3, 0);
        assertTrue(encoder.encodeHandshake(logger, buf));
        Handshake primary = new Handshake(2, Role.PRIMARY, "p", 4, 1, 65535, 2_500);
        assertTrue(encoder.encodeHandshake(primary, buf));
        buf.flip();
        CollectingHandler got = new CollectingHandler();
        assertEquals(9, new FrameDecoder().decodeAll(buf, got));
        assertEquals(List.of(hello, "reject cluster id differs", "ack 99 -5", "heartbeat 100 123456789 987654321",
                "caught-up 77", "caught-up 0", "incomplete 12", logger, primary), got.controls);
        assertEquals(65535, ((Handshake) got.controls.getLast()).livenessPort());
        assertEquals(2_500, ((Handshake) got.controls.getLast()).unprotectedAfterMillis());
    }

    @Test
    void caughtUpIsAnEmptyControlFrameAndABodyIsCorrupt() throws Exception {
        ByteBuffer buf = ByteBuffer.allocate(64);
        assertTrue(new FrameEncoder().encodeCaughtUp(5, buf));
        assertEquals(FrameFormat.CAUGHT_UP_FRAME_LENGTH, buf.position());
        assertFalse(new FrameEncoder().encodeCaughtUp(5, ByteBuffer.allocate(FrameFormat.CAUGHT_UP_FRAME_LENGTH - 1)));
        // A handler that never announced a catch-up refuses the frame.
        var e = assertThrows(ReplicationProtocolException.class, () -> new FrameDecoder().decodeAll(buf.flip(), NO_CATCH_UP));
        assertTrue(e.getMessage().contains("CAUGHT_UP"), e.getMessage());
        // The kind with a body: impossible length.
        ByteBuffer withBody = ByteBuffer.allocate(64);
        withBody.putShort(FrameFormat.MAGIC).put(FrameFormat.VERSION).put((byte) FrameKind.CAUGHT_UP.code()).putInt(4).putLong(5)
                .putInt(0).putInt(0).flip();
        var c = assertThrows(CorruptRecordException.class, () -> new FrameDecoder().decodeAll(withBody, new CollectingHandler()));
        assertTrue(c.getMessage().contains("impossible for its kind"), c.getMessage());
    }

    /**
     * A roster goes in as many frames as the room and the peer's maximum body allow, and arrives
     * whole and in order; a count that disagrees with the body is corrupt; a handler that never
     * announced a catch-up refuses one.
     */
    @Test
    void aRosterSplitsIntoFramesThatFitAndArrivesWhole() throws Exception {
        List<RosterEntry> roster = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            roster.add(new RosterEntry(new FourTuple(0xC612_0002, 80, 0xC612_0100 + i, 1024 + i), i * 7919, -i * 104_729));
        }
        FrameEncoder encoder = new FrameEncoder(4 + 300 * 20); // at most 300 entries a frame
        ByteBuffer wire = ByteBuffer.allocate(1 << 16);
        int frames = 0;
        for (int done = 0; done < roster.size(); frames++) {
            int room = 20 + 4 + 20 + (frames * 97) % 9000; // from one entry to more than the body allows
            int before = wire.position();
            ByteBuffer out = wire.slice(before, room);
            int n = encoder.encodeRoster(41, roster, done, out);
            assertTrue(n >= 1 && n <= 300, "frame " + frames + " held " + n);
            assertEquals(FrameEncoder.rosterFrameLength(n), out.position());
            wire.position(before + out.position());
            done += n;
        }
        assertEquals(0, encoder.encodeRoster(41, roster, 0, ByteBuffer.allocate(FrameEncoder.rosterFrameLength(1) - 1)), "no room for one entry");
        wire.flip();
        CollectingHandler got = new CollectingHandler();
        assertEquals(frames, new FrameDecoder().decodeAll(wire, got));
        assertEquals(roster, got.roster);

        ByteBuffer one = ByteBuffer.allocate(FrameEncoder.rosterFrameLength(1) + 19);
        assertEquals(1, new FrameEncoder().encodeRoster(9, roster, 5, one));
        one.flip();
        var e = assertThrows(ReplicationProtocolException.class, () -> new FrameDecoder().decodeAll(one.duplicate(), NO_CATCH_UP));
        assertTrue(e.getMessage().contains("ROSTER"), e.getMessage());
        // A count of two over a body of one entry, with the CRC made right: the body is corrupt, not read past.
        ByteBuffer lying = ByteBuffer.allocate(one.remaining());
        lying.put(one.duplicate()).putInt(FrameFormat.HEADER_LENGTH, 2);
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(lying.array(), 0, lying.capacity() - FrameFormat.TRAILER_LENGTH);
        lying.putInt(lying.capacity() - FrameFormat.TRAILER_LENGTH, (int) crc.getValue()).flip();
        var c = assertThrows(CorruptRecordException.class, () -> new FrameDecoder().decodeAll(lying, new CollectingHandler()));
        assertTrue(c.getMessage().contains("ROSTER says 2 entries"), c.getMessage());
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
