package io.fttcp.replication.stream;

import io.fttcp.replication.CollectingHandler;
import io.fttcp.replication.RandomRecords;
import io.fttcp.replication.Seeds;
import io.fttcp.replication.codec.FrameDecoder;
import io.fttcp.replication.codec.FrameEncoder;
import io.fttcp.replication.codec.FrameHandler;
import io.fttcp.replication.codec.ReplicationProtocolException;
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

class RecordStreamTest {
    private static final FourTuple TUPLE = new FourTuple(1, 80, 2, 40000);
    /** Every Seed frame has this length (fixed body). */
    private static final int SEED_FRAME = (int) FrameEncoder.frameLength(new Seed(0));

    private static List<Long> decodeLsns(ByteBuffer wire) throws ReplicationProtocolException {
        CollectingHandler got = new CollectingHandler();
        wire.flip();
        new FrameDecoder().decodeAll(wire, got);
        assertFalse(wire.hasRemaining());
        wire.clear();
        return got.lsns;
    }

    @Test
    void assignsLsnsAndBatchesWithinLimits() throws Exception {
        RecordStream stream = new RecordStream(new FrameEncoder(), 1000, 5);
        for (int i = 1; i <= 12; i++) {
            assertEquals(i, stream.append(new Seed(i)));
        }
        ByteBuffer wire = ByteBuffer.allocate(1 << 16);
        assertEquals(5, stream.writeBatch(wire));
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L), decodeLsns(wire));
        assertEquals(5, stream.sentLsn());

        // The byte limit: 3 frames fit in 3.5 frames' bytes.
        RecordStream small = new RecordStream(new FrameEncoder(), 3 * SEED_FRAME + SEED_FRAME / 2, 1000);
        for (int i = 0; i < 7; i++) {
            small.append(new Seed(i));
        }
        assertEquals(3, small.writeBatch(wire));
        assertEquals(3, small.writeBatch(wire));
        assertEquals(1, small.writeBatch(wire));
        assertEquals(0, small.writeBatch(wire));
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L), decodeLsns(wire));

        // A frame larger than the batch limit still goes, alone.
        small.append(new Segment(TUPLE, 1, 2, 0, 0, 0, 0, new byte[500]));
        small.append(new Seed(1));
        assertEquals(1, small.writeBatch(wire));
        assertEquals(1, small.writeBatch(wire));

        // A buffer too small for the next frame is the caller's error, and writes nothing.
        small.append(new Segment(TUPLE, 1, 2, 0, 0, 0, 0, new byte[500]));
        ByteBuffer tiny = ByteBuffer.allocate(100);
        assertThrows(IllegalArgumentException.class, () -> small.writeBatch(tiny));
        assertEquals(0, tiny.position());
    }

    @Test
    void acknowledgementsAdvanceStabilityAndRunWaitersInLsnOrder() throws Exception {
        RecordStream stream = new RecordStream();
        for (int i = 0; i < 10; i++) {
            stream.append(new Seed(i));
        }
        List<String> log = new ArrayList<>();
        stream.addStabilityListener(s -> log.add("stable " + s));
        stream.whenStable(7, () -> log.add("seven"));
        stream.whenStable(3, () -> log.add("three"));
        stream.whenStable(3, () -> log.add("three again"));
        stream.whenStable(10, () -> log.add("ten"));
        assertThrows(IllegalArgumentException.class, () -> stream.whenStable(11, () -> {
        }));
        stream.writeBatch(ByteBuffer.allocate(1 << 16));
        assertEquals(10 * SEED_FRAME, stream.unacknowledgedBytes());

        stream.acknowledge(5);
        assertEquals(List.of("stable 5", "three", "three again"), log);
        assertEquals(5, stream.stableLsn());
        assertEquals(5, stream.unacknowledgedRecords());
        assertEquals(5 * SEED_FRAME, stream.unacknowledgedBytes());

        stream.acknowledge(4); // stale: ignored
        stream.acknowledge(5);
        assertEquals(3, log.size());

        stream.whenStable(2, () -> log.add("two, at once"));
        assertEquals("two, at once", log.getLast());

        stream.acknowledge(10);
        assertEquals(List.of("stable 5", "three", "three again", "two, at once", "stable 10", "seven", "ten"), log);
        assertEquals(0, stream.unacknowledgedBytes());

        var e = assertThrows(ReplicationProtocolException.class, () -> stream.acknowledge(11));
        assertTrue(e.getMessage().contains("acknowledged LSN 11 but only 10 were sent"), e.getMessage());
    }

    @Test
    void oversizeRecordIsRefusedAtAppend() {
        RecordStream stream = new RecordStream(new FrameEncoder(1024), 65536, 100);
        assertThrows(IllegalArgumentException.class, () -> stream.append(new Segment(TUPLE, 1, 2, 0, 0, 0, 0, new byte[2000])));
        assertEquals(0, stream.lastLsn());
    }

    @Test
    void restartResendsWhatTheBackupLacks() throws Exception {
        RecordStream stream = new RecordStream();
        for (int i = 0; i < 10; i++) {
            stream.append(new Seed(i));
        }
        ByteBuffer wire = ByteBuffer.allocate(1 << 16);
        stream.writeBatch(wire);
        wire.clear();
        stream.acknowledge(3);
        stream.restartFrom(6); // the backup held 4..6 but its acknowledgement was lost with the connection
        assertEquals(6, stream.stableLsn());
        stream.writeBatch(wire);
        assertEquals(List.of(7L, 8L, 9L, 10L), decodeLsns(wire));
        var behind = assertThrows(ReplicationProtocolException.class, () -> stream.restartFrom(2));
        assertTrue(behind.getMessage().contains("full catch-up"), behind.getMessage());
        assertThrows(ReplicationProtocolException.class, () -> stream.restartFrom(11));
    }

    @Test
    void anAwaitedRecordInFlightIsAwaitedUnsentAgainAfterARestart() throws Exception {
        RecordStream stream = new RecordStream();
        stream.append(new Seed(1));
        stream.appendUnawaited(new Seed(2));
        assertTrue(stream.awaitedUnsent());
        ByteBuffer wire = ByteBuffer.allocate(1 << 16);
        stream.writeBatch(wire);
        wire.clear();
        assertFalse(stream.awaitedUnsent(), "both written");
        stream.appendUnawaited(new Seed(3));
        assertFalse(stream.awaitedUnsent(), "only an unawaited record is unsent");
        stream.restartFrom(0); // a new connection: 1 and 2 are unsent again, and 1 is awaited
        assertTrue(stream.awaitedUnsent());
        stream.writeBatch(wire);
        assertEquals(List.of(1L, 2L, 3L), decodeLsns(wire));
        stream.acknowledge(3);
        stream.appendUnawaited(new Seed(4));
        stream.restartFrom(3);
        assertFalse(stream.awaitedUnsent(), "what a restart makes unsent is unawaited: it can wait");
    }

    /** Random appends, batches, partial deliveries, acks and reconnects, end to end through the codec. */
    @Test
    void randomScheduleDeliversEveryRecordOnceInOrder() throws Exception {
        long seed = Seeds.next();
        SplittableRandom random = new SplittableRandom(seed);
        RandomRecords gen = new RandomRecords(random, 3000);
        RecordStream stream = new RecordStream(new FrameEncoder(), 1 + random.nextInt(65536), 1 + random.nextInt(64));
        List<Record> appended = new ArrayList<>();
        List<Record> received = new ArrayList<>();
        List<Long> stabilized = new ArrayList<>();
        StreamReceiver receiver = new StreamReceiver(0, (lsn, r) -> {
            assertEquals(received.size() + 1, lsn, "seed " + seed);
            received.add(r);
        });
        ByteBuffer wire = ByteBuffer.allocate(1 << 20).flip(); // kept in read mode: what is on the wire
        FrameDecoder[] decoder = {new FrameDecoder()};
        FrameHandler toReceiver = new CollectingHandler() {
            @Override
            public void onRecord(long lsn, Record record) {
                try {
                    receiver.receive(lsn, record);
                } catch (OutOfOrderRecordException e) {
                    throw new AssertionError("seed " + seed + ": " + e.getMessage(), e);
                }
            }
        };
        long lastAckSeen = 0;
        for (int step = 0; step < 20_000; step++) {
            switch (random.nextInt(6)) {
                case 0, 1 -> {
                    Record r = gen.next();
                    long lsn = stream.append(r);
                    appended.add(r);
                    stream.whenStable(lsn, () -> stabilized.add(lsn));
                }
                case 2 -> {
                    wire.compact();
                    stream.writeBatch(wire);
                    wire.flip();
                }
                case 3 -> { // deliver part of what is on the wire
                    int n = random.nextInt(wire.remaining() + 1);
                    ByteBuffer part = wire.slice(wire.position(), n);
                    decoder[0].decodeAll(part, toReceiver);
                    wire.position(wire.position() + part.position());
                }
                case 4 -> {
                    if (receiver.ackDue()) {
                        long ack = receiver.takeAck();
                        assertTrue(ack > lastAckSeen, "seed " + seed);
                        lastAckSeen = ack;
                        stream.acknowledge(ack);
                    }
                }
                default -> {
                    if (random.nextInt(50) == 0) { // the connection drops: what was on the wire is lost
                        wire.clear().flip();
                        decoder[0] = new FrameDecoder();
                        stream.restartFrom(receiver.lastLsn());
                    }
                }
            }
            assertTrue(stream.stableLsn() <= receiver.lastLsn(), "seed " + seed);
            assertEquals(stream.stableLsn(), stabilized.size(), "seed " + seed);
        }
        // Drain.
        while (stream.stableLsn() < stream.lastLsn()) {
            wire.compact();
            stream.writeBatch(wire);
            wire.flip();
            decoder[0].decodeAll(wire, toReceiver);
            stream.acknowledge(receiver.takeAck());
        }
        assertEquals(appended, received, "seed " + seed);
        for (int i = 0; i < stabilized.size(); i++) {
            assertEquals(i + 1, stabilized.get(i), "seed " + seed);
        }
        assertEquals(appended.size(), stabilized.size(), "seed " + seed);
        assertEquals(0, stream.unacknowledgedBytes(), "seed " + seed);
    }
}
