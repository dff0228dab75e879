package io.fttcp.wrappers.nsw;

import io.fttcp.replication.record.Accept;
import io.fttcp.replication.record.Checkpoint;
import io.fttcp.replication.record.Connect;
import io.fttcp.replication.record.LoggedRecord;
import io.fttcp.replication.record.Read;
import io.fttcp.replication.record.Record;
import io.fttcp.replication.record.Segment;
import io.fttcp.replication.record.Write;
import io.fttcp.replication.retention.LiveRecordSet;
import io.fttcp.replication.retention.RetentionPolicy;
import io.fttcp.stack.tcp.FourTuple;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.locks.ReentrantLock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One connection whose client stream, our output (so the client's acknowledgement) and the
 * client's timestamps pass several multiples of 2^31, with checkpoints in between: what
 * CHECKPOINTED retention keeps below each checkpoint chains (kept segments never 2^30 or more
 * apart, from the CONNECT on), and a replayed connection given only that, restored from the
 * checkpoint, ends where one given every record does. Payloads are a few shared arrays, so the
 * gigabytes cost no memory.
 */
class CheckpointAnchorsTest {
    private static final int ACK = 0x10;
    private static final long SPAN = 1L << 30;
    private static final FourTuple LISTENER = new FourTuple(0x0a000001, 80, 0, 0);
    private static final FourTuple TUPLE = new FourTuple(0x0a000001, 80, 0xc0a80001, 40000);

    /** Where a SEGMENT lies in the client's stream and what it acknowledges, as offsets. */
    private record Place(long offset, long ack) {
    }

    @Test
    void keptSegmentsChainAcrossWrapsAndReplayAlike() {
        long seed = Long.getLong("fttcp.seed", new SplittableRandom().nextLong());
        SplittableRandom random = new SplittableRandom(seed);
        String where = "seed " + seed + " (-Dfttcp.seed=" + seed + ")";
        byte[][] payloads = {new byte[64 * 1024], new byte[1460], new byte[1]};
        for (byte[] p : payloads) random.nextBytes(p);
        int clientIsn = random.nextInt();
        int serverIsn = random.nextInt();
        int tsVal = random.nextInt();
        Connect connect = new Connect(TUPLE, clientIsn, serverIsn, 1460, 1460, 7, 7, true, true, random.nextInt(), tsVal, 65535);

        List<Record> records = new ArrayList<>();
        Map<Integer, Place> places = new HashMap<>(); // by index in records
        records.add(connect);
        records.add(new Accept(LISTENER, TUPLE));
        long sent = 0, read = 0, written = 0, acked = 0, nextCheckpoint = SPAN / 2;
        long total = 3 * (1L << 31) + random.nextLong(SPAN);
        Segment heldBack = null;
        long heldOffset = 0, heldAck = 0;
        while (sent < total) {
            byte[] payload = payloads[random.nextInt(10) < 8 ? 0 : 1 + random.nextInt(2)];
            tsVal += random.nextInt(200_000); // passes 2^32 several times too
            if (random.nextInt(5) != 0) {
                int n = 1 + random.nextInt(128 * 1024); // our output outgrows the client's stream: its acknowledgements wrap too
                records.add(new Write(TUPLE, written, n, 0));
                written += n;
            }
            if (random.nextInt(4) != 0) acked = written; // else the client acknowledges later
            Segment s = new Segment(TUPLE, clientIsn + 1 + (int) sent, serverIsn + 1 + (int) acked, ACK, random.nextInt(1, 65536), tsVal, 7 + (int) written, payload);
            if (heldBack == null && random.nextInt(20) == 0) {
                heldBack = s; // arrives after the next one: a hole for a while
                heldOffset = sent;
                heldAck = acked;
            } else {
                places.put(records.size(), new Place(sent, acked));
                records.add(s);
                if (heldBack != null) {
                    places.put(records.size(), new Place(heldOffset, heldAck));
                    records.add(heldBack);
                    heldBack = null;
                }
            }
            sent += payload.length;
            if (heldBack == null) {
                long readable = sent - read;
                long n = random.nextInt(5) == 0 ? readable / 2 : readable; // the application reads what is there, or some of it
                if (n > 0) {
                    records.add(new Read(TUPLE, (int) n));
                    read += n;
                }
            }
            if (sent >= nextCheckpoint && heldBack == null) {
                acked = written;
                tsVal += 1;
                places.put(records.size(), new Place(sent, acked));
                records.add(new Segment(TUPLE, clientIsn + 1 + (int) sent, serverIsn + 1 + (int) acked, ACK, 65535, tsVal, 7 + (int) written, new byte[0]));
                records.add(new Checkpoint(TUPLE, new byte[] {1}, List.of(new Checkpoint.Entry(TUPLE, read, written, false, false, written, new byte[0]))));
                nextCheckpoint += SPAN / 2 + random.nextLong(SPAN / 2);
            }
        }
        if (heldBack != null) {
            places.put(records.size(), new Place(heldOffset, heldAck));
            records.add(heldBack);
        }
        where += ", " + records.size() + " records, " + sent + " client bytes, " + written + " output bytes";

        LiveRecordSet retained = new LiveRecordSet(RetentionPolicy.CHECKPOINTED);
        Map<Long, Place> placeByLsn = new HashMap<>();
        for (int i = 0; i < records.size(); i++) {
            long lsn = i + 1;
            retained.add(lsn, records.get(i));
            if (places.containsKey(i)) placeByLsn.put(lsn, places.get(i));
            if (records.get(i) instanceof Checkpoint) {
                assertChains(retained.snapshot(lsn), lsn, placeByLsn, where + ", checkpoint at LSN " + lsn);
            }
        }
        assertEquals(0, retained.checkpointsRefused(), where);
        assertTrue(retained.checkpointsApplied() >= 5, where + ": " + retained.checkpointsApplied() + " applied");
        List<LoggedRecord> snapshot = retained.snapshot(Long.MAX_VALUE);
        long checkpointLsn = snapshot.stream().filter(r -> r.record() instanceof Checkpoint).findFirst().orElseThrow().lsn();
        long below = snapshot.stream().filter(r -> r.lsn() < checkpointLsn).count();
        assertTrue(below < 40, where + ": " + below + " records kept below the checkpoint for " + sent + " client bytes");

        // Replayed: one connection given every record, one given what retention kept, restored from the checkpoint.
        ReentrantLock lock = new ReentrantLock();
        lock.lock();
        try {
            ReplayConnection whole = new ReplayConnection(TUPLE, connect, lock, false);
            for (Record r : records) apply(whole, r);
            ReplayConnection fresh = new ReplayConnection(TUPLE, connect, lock, true);
            for (LoggedRecord r : snapshot) {
                if (r.record() instanceof Checkpoint c) {
                    assertEquals(null, fresh.restoreFrom(c.connections().getFirst()), where);
                    fresh.input.endChaining();
                } else {
                    apply(fresh, r.record());
                }
            }
            Map<String, String> a = clientSide(whole.image());
            Map<String, String> b = clientSide(fresh.image());
            assertEquals(a, b, where);
            assertEquals(sent, whole.input.end(), where);
            assertEquals(acked, whole.clientAcked, where); // the last acknowledgement the client sent
        } finally {
            lock.unlock();
        }
    }

    /** The kept segments below the checkpoint at {@code checkpointLsn}, from the CONNECT on, are never 2^30 or more apart. */
    private static void assertChains(List<LoggedRecord> snapshot, long checkpointLsn, Map<Long, Place> places, String where) {
        long offset = 0, ack = 0;
        int kept = 0;
        for (LoggedRecord r : snapshot) {
            if (r.lsn() >= checkpointLsn) break;
            if (!(r.record() instanceof Segment)) continue;
            Place p = places.get(r.lsn());
            assertTrue(Math.abs(p.offset() - offset) < SPAN, where + ": kept segment at LSN " + r.lsn() + " lies at " + p.offset() + ", the previous at " + offset);
            assertTrue(Math.abs(p.ack() - ack) < SPAN, where + ": kept segment at LSN " + r.lsn() + " acknowledges " + p.ack() + ", the previous " + ack);
            offset = p.offset();
            ack = p.ack();
            kept++;
        }
        assertTrue(kept < 40, where + ": " + kept + " segments kept");
    }

    private static void apply(ReplayConnection c, Record r) {
        switch (r) {
            case Segment s -> c.onSegment(s);
            case Read rd -> assertTrue(c.input.skipTo(c.input.readOffset() + rd.count()), "bytes read are there"); // read without a copy
            case Write w -> c.onPrimaryWrite(w);
            default -> { }
        }
    }

    private static Map<String, String> clientSide(ConnectionImage image) {
        Map<String, String> all = ImageFields.of(image);
        Map<String, String> client = new java.util.TreeMap<>();
        for (String k : List.of("clientStreamEnd", "clientFin", "clientReset", "appReadOffset", "unreadClientBytes", "outOfOrder",
                "clientAckedOffset", "clientWindow", "clientWindowSeq", "clientWindowAck", "clientTsVal", "clientTsEcr")) {
            client.put(k, all.get(k));
        }
        return client;
    }
}
