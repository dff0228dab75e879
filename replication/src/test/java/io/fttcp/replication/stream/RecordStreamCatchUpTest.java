package io.fttcp.replication.stream;

import io.fttcp.replication.CollectingHandler;
import io.fttcp.replication.RandomRecords;
import io.fttcp.replication.Seeds;
import io.fttcp.replication.codec.FrameDecoder;
import io.fttcp.replication.codec.FrameEncoder;
import io.fttcp.replication.codec.ReplicationProtocolException;
import io.fttcp.replication.codec.RosterEntry;
import io.fttcp.replication.record.Connect;
import io.fttcp.replication.record.LoggedRecord;
import io.fttcp.replication.record.Record;
import io.fttcp.replication.record.Seed;
import io.fttcp.stack.tcp.FourTuple;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

class RecordStreamCatchUpTest {
    private static final int SEED_FRAME = (int) FrameEncoder.frameLength(new Seed(0));

    /** Drops records 1..n as stable, as a primary does once its backup acknowledged them. */
    private static RecordStream streamStableThrough(int n) throws ReplicationProtocolException {
        RecordStream stream = new RecordStream();
        for (int i = 1; i <= n; i++) {
            stream.append(new Seed(i));
        }
        ByteBuffer wire = ByteBuffer.allocate(1 << 20);
        while (stream.writeBatch(wire) > 0) {
            wire.clear();
        }
        stream.acknowledge(n);
        return stream;
    }

    private static CollectingHandler decode(ByteBuffer wire) throws ReplicationProtocolException {
        CollectingHandler got = new CollectingHandler();
        wire.flip();
        new FrameDecoder().decodeAll(wire, got);
        assertFalse(wire.hasRemaining());
        wire.clear();
        return got;
    }

    @Test
    void resetToContinuesNumberingAfterTheGivenLsn() throws Exception {
        RecordStream stream = new RecordStream();
        List<Long> heard = new ArrayList<>();
        stream.addStabilityListener(heard::add);
        stream.resetTo(40);
        assertEquals(List.of(40L), heard);
        assertEquals(40, stream.lastLsn());
        assertEquals(40, stream.sentLsn());
        assertEquals(40, stream.stableLsn());
        assertEquals(41, stream.append(new Seed(41)));
        ByteBuffer wire = ByteBuffer.allocate(4096);
        assertEquals(1, stream.writeBatch(wire));
        assertEquals(List.of(41L), decode(wire).lsns);

        var busy = assertThrows(IllegalStateException.class, () -> stream.resetTo(100));
        assertTrue(busy.getMessage().contains("41..41"), busy.getMessage());
        stream.acknowledge(41);
        var back = assertThrows(IllegalArgumentException.class, () -> stream.resetTo(30));
        assertTrue(back.getMessage().contains("repeat"), back.getMessage());
        stream.resetTo(41); // no advance: listeners hear nothing
        assertEquals(List.of(40L, 41L), heard);
        stream.resetTo(60);
        assertEquals(61, stream.append(new Seed(61)));

        RecordStream unsentOnly = new RecordStream();
        unsentOnly.append(new Seed(1));
        assertThrows(IllegalStateException.class, () -> unsentOnly.resetTo(5));
    }

    @Test
    void catchUpSendsRetainedRecordsThenCaughtUpThenTheStream() throws Exception {
        RecordStream stream = streamStableThrough(20);
        stream.append(new Seed(21));
        stream.append(new Seed(22));
        ByteBuffer wire = ByteBuffer.allocate(1 << 16);
        stream.writeBatch(wire); // 21, 22 in flight on the old connection
        wire.clear();
        stream.restartWithCatchUp(List.of(new LoggedRecord(3, new Seed(3)), new LoggedRecord(7, new Seed(7)),
                new LoggedRecord(20, new Seed(20))));
        assertTrue(stream.catchingUp());
        assertTrue(stream.hasUnsent());
        assertEquals(20, stream.sentLsn());
        assertEquals(0, stream.inFlightBytes());
        assertEquals(6, stream.writeBatch(wire));
        assertFalse(stream.catchingUp());
        CollectingHandler got = decode(wire);
        assertEquals(List.of(3L, 7L, 20L, 21L, 22L), got.lsns);
        assertEquals(List.of(new Seed(3), new Seed(7), new Seed(20), new Seed(21), new Seed(22)), got.records);
        assertEquals(List.of("caught-up 20"), got.controls);
        assertEquals(5L * SEED_FRAME, stream.inFlightBytes());

        // Acknowledgements at or below the stable LSN free the catch-up's window only.
        stream.acknowledge(7);
        assertEquals(20, stream.stableLsn());
        assertEquals(3L * SEED_FRAME, stream.inFlightBytes());
        stream.acknowledge(20);
        assertEquals(2L * SEED_FRAME, stream.inFlightBytes());
        stream.acknowledge(22);
        assertEquals(22, stream.stableLsn());
        assertEquals(0, stream.inFlightBytes());
        assertEquals(0, stream.unacknowledgedBytes());
    }

    @Test
    void emptyCatchUpIsJustCaughtUp() throws Exception {
        RecordStream stream = streamStableThrough(5);
        stream.restartWithCatchUp(List.of());
        ByteBuffer wire = ByteBuffer.allocate(4096);
        assertEquals(1, stream.writeBatch(wire));
        CollectingHandler got = decode(wire);
        assertEquals(List.of(), got.lsns);
        assertEquals(List.of("caught-up 5"), got.controls);
        assertEquals(0, stream.writeBatch(wire));
        assertFalse(stream.hasUnsent());
    }

    @Test
    void invalidRetentionIsRefusedAndLeavesTheStreamAlone() throws Exception {
        var none = assertThrows(IllegalStateException.class, () -> new RecordStream().restartWithCatchUp(List.of()));
        assertTrue(none.getMessage().contains("restartFrom(0)"), none.getMessage());
        RecordStream stream = streamStableThrough(10);
        stream.append(new Seed(11));
        var above = assertThrows(IllegalArgumentException.class,
                () -> stream.restartWithCatchUp(List.of(new LoggedRecord(4, new Seed(4)), new LoggedRecord(11, new Seed(11)))));
        assertTrue(above.getMessage().contains("LSN 11"), above.getMessage());
        var order = assertThrows(IllegalArgumentException.class,
                () -> stream.restartWithCatchUp(List.of(new LoggedRecord(4, new Seed(4)), new LoggedRecord(4, new Seed(4)))));
        assertTrue(order.getMessage().contains("increase"), order.getMessage());
        assertFalse(stream.catchingUp());
        ByteBuffer wire = ByteBuffer.allocate(4096);
        assertEquals(1, stream.writeBatch(wire));
        assertEquals(List.of(11L), decode(wire).lsns);
    }

    @Test
    void aNewConnectionAbandonsAnUnfinishedCatchUp() throws Exception {
        RecordStream stream = new RecordStream(new FrameEncoder(), 1 << 16, 2);
        for (int i = 1; i <= 10; i++) {
            stream.append(new Seed(i));
        }
        ByteBuffer wire = ByteBuffer.allocate(1 << 16);
        while (stream.writeBatch(wire) > 0) {
            wire.clear();
        }
        stream.acknowledge(8);
        stream.restartWithCatchUp(List.of(new LoggedRecord(1, new Seed(1)), new LoggedRecord(2, new Seed(2)), new LoggedRecord(5, new Seed(5))));
        assertEquals(2, stream.writeBatch(wire)); // the batch limit: 1, 2
        wire.clear();
        stream.restartFrom(8); // that peer went away; a resuming one holds 8
        assertFalse(stream.catchingUp());
        assertEquals(0, stream.inFlightBytes());
        assertEquals(2, stream.writeBatch(wire));
        CollectingHandler got = decode(wire);
        assertEquals(List.of(9L, 10L), got.lsns);
        assertEquals(List.of(), got.controls);
    }

    /**
     * Seeded: random retained sets (gaps, sizes over the in-flight window), random batch limits,
     * partial deliveries and acknowledgements, a sender that respects the window; the receiver
     * gets exactly the retained records, CAUGHT_UP, then the stream, and the window holds.
     */
    @Test
    void randomCatchUpsDeliverExactlyAndRespectTheWindow() throws Exception {
        long seed = Seeds.next();
        SplittableRandom random = new SplittableRandom(seed);
        RandomRecords gen = new RandomRecords(random, 2000);
        int windowFullTotal = 0;
        for (int trial = 0; trial < 30; trial++) {
            String where = "seed " + seed + " trial " + trial;
            int maxBatchBytes = 256 + random.nextInt(32 * 1024);
            RecordStream stream = new RecordStream(new FrameEncoder(), maxBatchBytes, 1 + random.nextInt(64));
            long window = 1 + random.nextInt(16 * 1024);
            int stable = 1 + random.nextInt(3000);
            stream.resetTo(stable);
            List<LoggedRecord> retained = new ArrayList<>();
            double keep = random.nextDouble();
            for (long lsn = 1; lsn <= stable; lsn++) {
                if (random.nextDouble() < keep) {
                    retained.add(new LoggedRecord(lsn, gen.next()));
                }
            }
            List<Record> live = new ArrayList<>();
            for (int i = random.nextInt(200); i > 0; i--) {
                Record r = gen.next();
                live.add(r);
                stream.append(r);
            }
            stream.restartWithCatchUp(retained);

            List<LoggedRecord> caughtUp = new ArrayList<>();
            List<Record> streamed = new ArrayList<>();
            StreamReceiver receiver = new StreamReceiver(0, (lsn, r) -> {
                if (lsn <= stable) caughtUp.add(new LoggedRecord(lsn, r));
                else streamed.add(r);
            });
            receiver.expectCatchUp(stable + 1);
            CollectingHandler handler = new CollectingHandler() {
                @Override
                public void onRoster(long lsn, List<RosterEntry> entries) {
                    assertTrue(caughtUp.isEmpty() && controls.isEmpty(), where + ": a roster frame after the catch-up began");
                    assertEquals(stable, lsn, where + ": the roster's LSN");
                    super.onRoster(lsn, entries);
                }

                @Override
                public void onRecord(long lsn, Record record) {
                    try {
                        receiver.receive(lsn, record);
                    } catch (OutOfOrderRecordException e) {
                        throw new AssertionError(where + ": " + e.getMessage(), e);
                    }
                }

                @Override
                public void onCaughtUp(long lsn) {
                    super.onCaughtUp(lsn);
                    try {
                        receiver.caughtUp(lsn);
                    } catch (ReplicationProtocolException e) {
                        throw new AssertionError(where + ": " + e.getMessage(), e);
                    }
                }
            };
            FrameDecoder decoder = new FrameDecoder();
            ByteBuffer wire = ByteBuffer.allocate(1 << 22).flip();
            ByteBuffer batch = ByteBuffer.allocate(maxBatchBytes + (1 << 20));
            int windowFull = 0;
            long largestFrame = 0;
            for (int step = 0; step < 1_000_000 && (stream.hasUnsent() || stream.inFlightBytes() > 0 || wire.hasRemaining()); step++) {
                switch (random.nextInt(3)) {
                    case 0 -> {
                        if (stream.inFlightBytes() >= window) {
                            windowFull++;
                            break;
                        }
                        long before = stream.inFlightBytes();
                        batch.clear();
                        stream.writeBatch(batch);
                        batch.flip();
                        largestFrame = Math.max(largestFrame, batch.remaining());
                        assertTrue(stream.inFlightBytes() - before <= Math.max(maxBatchBytes, 1 << 20), where);
                        wire.compact().put(batch).flip();
                    }
                    case 1 -> {
                        // Half the time all that arrived, else a random prefix: a large frame (a checkpoint of
                        // a few KiB) arrives whole only when the whole of it is offered.
                        int n = random.nextBoolean() ? wire.remaining() : random.nextInt(wire.remaining() + 1);
                        ByteBuffer part = wire.slice(wire.position(), n);
                        decoder.decodeAll(part, handler);
                        wire.position(wire.position() + part.position());
                    }
                    default -> {
                        if (receiver.ackDue()) {
                            stream.acknowledge(receiver.takeAck());
                        }
                    }
                }
                // Only what was acknowledged leaves the window: it never exceeds one batch past the limit.
                assertTrue(stream.inFlightBytes() < window + largestFrame + 1, where + ": in flight " + stream.inFlightBytes());
            }
            assertEquals(retained, caughtUp, where);
            assertEquals(CollectingHandler.rosterOf(retained), handler.roster, where + ": the roster names the catch-up's connections");
            assertEquals(live, streamed, where);
            assertEquals(List.of("caught-up " + stable), handler.controls, where);
            assertEquals(stable + live.size(), stream.stableLsn(), where);
            assertEquals(0, stream.inFlightBytes(), where);
            windowFullTotal += windowFull;
        }
        assertTrue(windowFullTotal > 0, "seed " + seed + ": no trial ever filled the window");
    }

    /**
     * A roster longer than a batch goes out in batches within the batch's bytes, each on its own
     * ahead of the records; of two connections of one four-tuple it names the latest.
     */
    @Test
    void aLongRosterKeepsToTheBatchLimitAndNamesTheLatestOfEachFourTuple() throws Exception {
        RecordStream stream = new RecordStream(new FrameEncoder(), 1024, 1024);
        stream.resetTo(2000);
        List<LoggedRecord> retained = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            retained.add(new LoggedRecord(2L * i + 1, new Connect(new FourTuple(0xC612_0064, 80, 0xC612_0A00 + i % 500, 1024 + i % 500),
                    i, -i, 1460, 1460, 7, 7, true, true, 1, 2, 65535)));
        }
        stream.restartWithCatchUp(retained);
        ByteBuffer wire = ByteBuffer.allocate(1 << 20);
        int rosterBatches = 0;
        CollectingHandler got = new CollectingHandler();
        while (got.records.isEmpty()) {
            ByteBuffer batch = ByteBuffer.allocate(1 << 16);
            assertTrue(stream.writeBatch(batch) > 0);
            batch.flip();
            int bytes = batch.remaining();
            int entriesBefore = got.roster.size();
            new FrameDecoder().decodeAll(batch, got);
            if (got.records.isEmpty()) {
                rosterBatches++;
                assertTrue(bytes <= 1024, "a roster batch of " + bytes + " bytes");
                assertTrue(got.roster.size() > entriesBefore, "a batch without roster entries before the records");
            }
        }
        assertEquals(500, got.roster.size(), "one entry per four-tuple");
        assertEquals(CollectingHandler.rosterOf(retained), got.roster);
        assertEquals(-599, got.roster.getLast().serverIsn(), "the latest connection of a four-tuple named");
        assertTrue(rosterBatches >= 500 * 20 / 1024, "roster batches: " + rosterBatches);
    }

    /** A sender that stops at the window: a catch-up much larger than it goes out only as acknowledgements free it. */
    @Test
    void aLargeCatchUpWaitsForAcknowledgementsAtTheWindow() throws Exception {
        RecordStream stream = new RecordStream(new FrameEncoder(), 4 * SEED_FRAME, 1000);
        stream.resetTo(1000);
        List<LoggedRecord> retained = new ArrayList<>();
        for (long lsn = 2; lsn <= 1000; lsn += 2) {
            retained.add(new LoggedRecord(lsn, new Seed(lsn)));
        }
        stream.restartWithCatchUp(retained);
        long window = 10L * SEED_FRAME;
        ByteBuffer wire = ByteBuffer.allocate(1 << 16);
        List<Long> sent = new ArrayList<>();
        while (stream.hasUnsent()) {
            int rounds = 0;
            while (stream.inFlightBytes() < window && stream.hasUnsent()) {
                stream.writeBatch(wire);
                rounds++;
            }
            CollectingHandler got = decode(wire);
            assertTrue(stream.inFlightBytes() <= window + 4L * SEED_FRAME, "in flight " + stream.inFlightBytes());
            if (stream.hasUnsent()) {
                assertTrue(stream.catchingUp(), "CAUGHT_UP went out before the catch-up was acknowledged");
                assertTrue(got.lsns.size() <= 14, "sent " + got.lsns.size() + " frames past a 10-frame window in " + rounds + " batches");
            }
            sent.addAll(got.lsns);
            stream.acknowledge(got.lsns.isEmpty() ? 1000 : got.lsns.getLast());
        }
        assertEquals(retained.stream().map(LoggedRecord::lsn).toList(), sent);
    }
}
