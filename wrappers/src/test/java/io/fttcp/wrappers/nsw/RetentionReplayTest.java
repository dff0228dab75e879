package io.fttcp.wrappers.nsw;

import io.fttcp.replication.record.Accept;
import io.fttcp.replication.record.Clock;
import io.fttcp.replication.record.Close;
import io.fttcp.replication.record.Connect;
import io.fttcp.replication.record.Heartbeat;
import io.fttcp.replication.record.LoggedRecord;
import io.fttcp.replication.record.Read;
import io.fttcp.replication.record.Ready;
import io.fttcp.replication.record.Record;
import io.fttcp.replication.record.Seed;
import io.fttcp.replication.record.Segment;
import io.fttcp.replication.record.Write;
import io.fttcp.replication.retention.LiveRecordSet;
import io.fttcp.replication.retention.RetentionPolicy;
import io.fttcp.stack.tcp.FourTuple;
import org.junit.jupiter.api.RepeatedTest;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Replaying only what {@link LiveRecordSet} retains gives every live connection, and every
 * finished one still lingering, the same {@link ConnectionImage} as replaying the whole stream
 * (which the takeover restores in TIME-WAIT); what it dropped the backup too sees as
 * closed and ended (client reset, or client FIN with our FIN acknowledged); and what lingers stays
 * within the bounds.
 */
class RetentionReplayTest {
    private static final int SERVER = 0x0a000001;
    private static final FourTuple LISTENER = new FourTuple(SERVER, 80, 0, 0);
    private static final int FIN = 0x01, RST = 0x04, PSH = 0x08, ACK = 0x10;
    private static final int[] MAX_LINGERING = {0, 2, 5, LiveRecordSet.DEFAULT_MAX_LINGERING};
    private static final long[] MAX_LINGERING_BYTES = {0, 3_000, LiveRecordSet.DEFAULT_MAX_LINGERING_PAYLOAD_BYTES};

    @RepeatedTest(30)
    void snapshotReplaysRetainedConnectionsAsTheWholeStreamDoes() {
        long seed = Long.getLong("fttcp.seed", new SplittableRandom().nextLong());
        SplittableRandom random = new SplittableRandom(seed);
        List<LoggedRecord> stream = new Traffic(random).run(20 + random.nextInt(60));
        int maxLingering = MAX_LINGERING[random.nextInt(MAX_LINGERING.length)];
        long maxBytes = MAX_LINGERING_BYTES[random.nextInt(MAX_LINGERING_BYTES.length)];
        String where = "seed " + seed + " (-Dfttcp.seed=" + seed + "), lingering at most " + maxLingering + " and " + maxBytes + " bytes";

        LiveRecordSet retained = new LiveRecordSet(RetentionPolicy.CONNECTION_SCOPED, maxLingering, maxBytes);
        ReplayNetwork whole = new ReplayNetwork((c, why) -> { });
        // The backup finishes a connection (and ignores its later records) once its application
        // closed it; no application runs here, so the moment is found from the logged CLOSE and
        // the image, and the image kept as it was then.
        Set<FourTuple> closedByRecord = new TreeSet<>(RetentionReplayTest::order);
        Map<FourTuple, Map<String, String>> finishedImages = new TreeMap<>(RetentionReplayTest::order);
        for (LoggedRecord r : stream) {
            retained.add(r.lsn(), r.record());
            whole.apply(r.record());
            FourTuple named = switch (r.record()) {
                case Connect c -> {
                    closedByRecord.remove(c.tuple());
                    finishedImages.remove(c.tuple());
                    yield null;
                }
                case Close c when c.how() == Close.How.CLOSE -> {
                    closedByRecord.add(c.socket());
                    yield c.socket();
                }
                case Segment seg -> seg.tuple();
                default -> null;
            };
            if (named != null && closedByRecord.contains(named) && !finishedImages.containsKey(named)) {
                ConnectionImage image = whole.image(named);
                if (image != null && image.connect() != null && ended(image)) finishedImages.put(named, ImageFields.of(image));
            }
        }
        where += ", " + retained;
        List<LoggedRecord> snapshot = retained.snapshot(Long.MAX_VALUE);
        ReplayNetwork fresh = new ReplayNetwork((c, why) -> { });
        Set<FourTuple> inSnapshot = new TreeSet<>(RetentionReplayTest::order);
        for (LoggedRecord r : snapshot) {
            fresh.apply(r.record());
            if (r.record() instanceof Connect c) inSnapshot.add(c.tuple());
        }
        assertEquals(retained.liveConnections() + retained.lingeringConnections(), inSnapshot.size(), where);
        assertEquals(0, fresh.recordsIgnored(), where + ": the snapshot names only its own connections");

        // Every retained connection is as the whole stream left it: a live one now, a lingering
        // one when it finished (a replay without the application finishes nothing itself).
        Set<FourTuple> freshTuples = new TreeSet<>(RetentionReplayTest::order);
        for (ConnectionImage image : fresh.images()) freshTuples.add(image.tuple());
        assertEquals(inSnapshot, freshTuples, where);
        Set<FourTuple> lingering = new TreeSet<>(RetentionReplayTest::order);
        for (FourTuple t : inSnapshot) {
            Map<String, String> expected = finishedImages.get(t);
            if (expected != null) {
                lingering.add(t);
            } else {
                assertNotNull(whole.image(t), where + ": " + t);
                expected = ImageFields.of(whole.image(t));
            }
            assertEquals(expected, ImageFields.of(fresh.image(t)), where + ": " + t);
        }
        // The lingering ones are the finished ones, within the bounds.
        assertEquals(retained.lingeringConnections(), lingering.size(), where + ": finished in the snapshot " + lingering);
        assertTrue(lingering.size() <= maxLingering, where + ": lingering " + lingering);
        long lingeringBytes = 0;
        for (LoggedRecord r : snapshot) {
            if (r.record() instanceof Segment s && lingering.contains(s.tuple())) lingeringBytes += s.payload().length;
        }
        assertEquals(retained.lingeringPayloadBytes(), lingeringBytes, where);
        assertTrue(lingeringBytes <= maxBytes, where + ": lingering bytes " + lingeringBytes);

        // What is not retained: connections the backup too finished, evicted.
        int dropped = 0;
        Set<FourTuple> known = new TreeSet<>(RetentionReplayTest::order);
        for (ConnectionImage image : whole.images()) known.add(image.tuple());
        known.removeAll(inSnapshot);
        for (FourTuple t : known) {
            ConnectionImage image = whole.image(t); // the latest incarnation: earlier ones were superseded
            if (image.connect() == null) continue;
            dropped++;
            assertTrue(image.primaryFinOffset() >= 0 && finishedImages.containsKey(t), where + ": dropped but not finished: " + image);
        }
        assertTrue(dropped <= retained.evictedConnections(), where + ": dropped " + dropped);
        if (maxLingering == 0 || maxBytes == 0) {
            assertTrue(dropped > 0 || stream.size() < 50, where + ": nothing finished in " + stream.size() + " records");
        } else if (maxLingering == LiveRecordSet.DEFAULT_MAX_LINGERING && maxBytes == LiveRecordSet.DEFAULT_MAX_LINGERING_PAYLOAD_BYTES) {
            assertEquals(0, dropped, where + ": nothing to evict within the default bounds");
            assertTrue(!lingering.isEmpty() || stream.size() < 50, where + ": nothing lingers in " + stream.size() + " records");
        }
    }

    /** The client reset it, or ended its stream and acknowledged our FIN. */
    private static boolean ended(ConnectionImage image) {
        return image.clientReset() || (image.clientFin() && image.clientAckedOffset() > image.primaryFinOffset());
    }

    private static int order(FourTuple a, FourTuple b) {
        return a.toString().compareTo(b.toString());
    }

    /**
     * A server's records: interleaved connections (handshake, client data out of order and
     * duplicated, sometimes with a hole; reads, writes, clocks; closes and shutdowns; the
     * client's acknowledgements, of our FIN too; resets; ISNs near the 2^32 wrap; timestamps;
     * reused four-tuples), and polls, heartbeats and global records between them.
     */
    private static final class Traffic {
        private final SplittableRandom random;
        private final List<LoggedRecord> out = new ArrayList<>();
        private final List<ArrayDeque<Record>> active = new ArrayList<>();
        private final Map<FourTuple, ArrayDeque<Record>> byTuple = new HashMap<>();
        private long lsn;

        Traffic(SplittableRandom random) {
            this.random = random;
        }

        List<LoggedRecord> run(int connections) {
            int started = 0;
            while (started < connections || !active.isEmpty()) {
                int r = random.nextInt(100);
                if (started < connections && (r < 6 || active.isEmpty())) {
                    start();
                    started++;
                } else if (r < 9) {
                    emit(random.nextBoolean() ? new Seed(random.nextLong()) : new Accept(LISTENER, SocketNames.NO_CONNECTION));
                } else if (r < 12) {
                    List<Ready.Entry> entries = new ArrayList<>();
                    for (FourTuple t : someTuples()) entries.add(new Ready.Entry(t, 1));
                    if (random.nextInt(3) == 0) entries.add(new Ready.Entry(LISTENER, 16));
                    emit(new Ready(random.nextInt(2), entries));
                } else if (r < 15) {
                    List<Heartbeat.TsVal> entries = new ArrayList<>();
                    for (FourTuple t : someTuples()) entries.add(new Heartbeat.TsVal(t, random.nextInt()));
                    emit(new Heartbeat(random.nextLong(), entries));
                } else if (!active.isEmpty()) {
                    ArrayDeque<Record> script = active.get(random.nextInt(active.size()));
                    emit(script.poll());
                    if (script.isEmpty()) active.remove(script);
                }
            }
            return out;
        }

        private void emit(Record record) {
            lsn += random.nextInt(20) == 0 ? 2 : 1;
            out.add(new LoggedRecord(lsn, record));
        }

        private List<FourTuple> someTuples() {
            List<FourTuple> known = new ArrayList<>(byTuple.keySet());
            known.sort(RetentionReplayTest::order);
            List<FourTuple> some = new ArrayList<>();
            for (int i = random.nextInt(4); i > 0 && !known.isEmpty(); i--) some.add(known.get(random.nextInt(known.size())));
            return some;
        }

        private FourTuple tuple() {
            return new FourTuple(SERVER, 80, 0xc0a80001 + random.nextInt(2), 40000 + random.nextInt(12));
        }

        private int isn() {
            return random.nextBoolean() ? -1 - random.nextInt(3000) : random.nextInt();
        }

        private void start() {
            FourTuple tuple = tuple();
            for (int tries = 0; tries < 5 && byTuple.containsKey(tuple) && random.nextInt(8) != 0; tries++) tuple = tuple();
            ArrayDeque<Record> old = byTuple.get(tuple);
            if (old != null) active.remove(old); // the client reused its port
            ArrayDeque<Record> script = new ArrayDeque<>(script(tuple));
            byTuple.put(tuple, script);
            emit(script.poll());
            if (!script.isEmpty()) active.add(script);
        }

        private List<Record> script(FourTuple tuple) {
            int clientIsn = isn(), serverIsn = isn();
            boolean timestamps = random.nextBoolean();
            Connect connect = new Connect(tuple, clientIsn, serverIsn, 1460, 1460, 7, 7, true, timestamps,
                    timestamps ? random.nextInt() : 0, timestamps ? random.nextInt() : 0, 65535);
            byte[] data = new byte[random.nextInt(4) == 0 ? 0 : random.nextInt(3000)];
            random.nextBytes(data);
            List<int[]> pieces = new ArrayList<>();
            for (int at = 0; at < data.length; ) {
                int n = Math.min(data.length - at, 1 + random.nextInt(400));
                pieces.add(new int[]{at, n});
                at += n;
            }
            if (random.nextInt(10) == 0 && !pieces.isEmpty()) pieces.remove(random.nextInt(pieces.size())); // a hole for good
            List<Object> plan = new ArrayList<>(pieces);
            for (int i = 0; i < pieces.size() / 3; i++) plan.add(random.nextInt(plan.size() + 1), pieces.get(random.nextInt(pieces.size())));
            for (int i = 1; i < plan.size(); i++) if (random.nextInt(4) == 0) Collections.swap(plan, i, i - 1 - random.nextInt(i));
            boolean clientFins = random.nextInt(8) != 0;
            if (clientFins) plan.add(random.nextInt(plan.size() + 1), "FIN");
            if (random.nextInt(10) == 0) plan.add(random.nextInt(plan.size() + 1), "RST");

            ArrayDeque<Record> app = new ArrayDeque<>();
            if (random.nextInt(20) != 0) app.add(new Accept(LISTENER, tuple));
            long written = 0;
            for (int i = random.nextInt(10); i > 0; i--) {
                switch (random.nextInt(4)) {
                    case 0 -> app.add(new Read(tuple, random.nextInt(600)));
                    case 1 -> {
                        int n = random.nextInt(2000);
                        app.add(new Write(tuple, written, n, 0));
                        written += n;
                    }
                    case 2 -> app.add(new Clock(tuple, Clock.Source.MONOTONIC_NANOS, random.nextLong()));
                    default -> app.add(new Seed(tuple, random.nextLong()));
                }
            }
            int closing = random.nextInt(10);
            if (closing == 0) app.add(new Close(tuple, Close.How.SHUTDOWN_OUTPUT));
            if (closing != 9) app.add(new Close(tuple, Close.How.CLOSE));

            List<Record> script = new ArrayList<>();
            script.add(connect);
            long writtenSoFar = 0;
            boolean ourFin = false;
            int tsVal = random.nextInt();
            int tsEcr = connect.serverTsVal();
            while (!app.isEmpty() || !plan.isEmpty()) {
                if (!app.isEmpty() && (plan.isEmpty() || random.nextBoolean())) {
                    Record r = app.poll();
                    script.add(r);
                    if (r instanceof Write w) writtenSoFar = w.offset() + w.count();
                    if (r instanceof Close) ourFin = true;
                    continue;
                }
                Object step = plan.removeFirst();
                long ackOffset = random.nextInt(4) == 0 ? random.nextLong(writtenSoFar + 1) : writtenSoFar + (ourFin && random.nextBoolean() ? 1 : 0);
                int ack = serverIsn + 1 + (int) ackOffset;
                tsVal += random.nextInt(100);
                tsEcr += random.nextInt(50);
                int window = 1000 + random.nextInt(60000);
                if (step instanceof int[] piece) {
                    byte[] payload = Arrays.copyOfRange(data, piece[0], piece[0] + piece[1]);
                    script.add(new Segment(tuple, clientIsn + 1 + piece[0], ack, ACK | PSH, window, timestamps ? tsVal : 0, timestamps ? tsEcr : 0, payload));
                } else if (step.equals("FIN")) {
                    script.add(new Segment(tuple, clientIsn + 1 + data.length, ack, FIN | ACK, window, timestamps ? tsVal : 0, timestamps ? tsEcr : 0, new byte[0]));
                } else {
                    script.add(new Segment(tuple, clientIsn + 1, 0, RST, 0, 0, 0, new byte[0]));
                }
            }
            if (ourFin && random.nextInt(6) != 0) {
                script.add(new Segment(tuple, clientIsn + 1 + data.length + (clientFins ? 1 : 0), serverIsn + 1 + (int) writtenSoFar + 1,
                        ACK, 65535, timestamps ? tsVal + 1 : 0, timestamps ? tsEcr + 1 : 0, new byte[0]));
            }
            return script;
        }
    }
}
