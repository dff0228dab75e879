package io.fttcp.wrappers.nsw;

import io.fttcp.api.kernel.KernelNetwork;
import io.fttcp.apps.kv.KvServer;
import io.fttcp.replication.record.Checkpoint;
import io.fttcp.replication.record.Connect;
import io.fttcp.replication.record.LoggedRecord;
import io.fttcp.replication.record.Record;
import io.fttcp.replication.record.Segment;
import io.fttcp.replication.retention.LiveRecordSet;
import io.fttcp.replication.retention.RetentionPolicy;
import io.fttcp.stack.tcp.FourTuple;
import org.junit.jupiter.api.RepeatedTest;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

import static io.fttcp.wrappers.nsw.ReplayChecks.awaitConsumed;
import static io.fttcp.wrappers.nsw.ReplayChecks.awaitLines;
import static io.fttcp.wrappers.nsw.ReplayChecks.finalAck;
import static io.fttcp.wrappers.nsw.ReplayChecks.images;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The key-value server (state spanning connections, checkpointing every few commands) runs on
 * the primary's wrapper with long-lived clients and many short ones opening and closing. A
 * server recovering from what CHECKPOINTED retention keeps (starting at the latest checkpoint)
 * and one replaying the whole stream end up with the same image of every live connection, and
 * answer the clients' next commands alike; the retained records do not grow with the finished
 * connections.
 */
class KvCheckpointRecoveryTest {
    private static final int ACK = 0x10;

    private static String commands(SplittableRandom random, int n) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) {
            String key = "k" + random.nextInt(6);
            b.append(switch (random.nextInt(4)) {
                case 0 -> "SET " + key + " v" + random.nextInt(1000);
                case 1 -> "GET " + key;
                default -> "INCR " + key;
            }).append('\n');
        }
        return b.toString();
    }

    @RepeatedTest(6)
    void recoveringFromTheCheckpointEqualsReplayingEverything() throws Exception {
        long seed = Long.getLong("fttcp.seed", new SplittableRandom().nextLong());
        SplittableRandom random = new SplittableRandom(seed);
        String where = "seed " + seed + " (-Dfttcp.seed=" + seed + ")";
        int checkpointEvery = 5 + random.nextInt(10);
        // A copy that holds every answer, or one so short that a checkpoint often lacks output the
        // client has not acknowledged: retention must refuse those, and recovery still be exact.
        int outputCopy = random.nextBoolean() ? 1 << 20 : 8;
        where += ", checkpoint every " + checkpointEvery + " commands, output copy " + outputCopy;
        PrimaryRecorder recorder = new PrimaryRecorder();
        SpyNetwork spy = new SpyNetwork(new KernelNetwork(), recorder, seed, true, true);
        LoggingNetwork logging = new LoggingNetwork(spy, recorder, recorder, OutputHashing.HASH, outputCopy);
        KvServer primary = KvServer.start(logging, PrimaryRun.loopback(), checkpointEvery);
        InetSocketAddress address = primary.localAddress();
        List<LineClient> longLived = new ArrayList<>();
        int shortOnes = 30 + random.nextInt(30);
        List<Record> records;
        try {
            for (int i = 0; i < 3; i++) longLived.add(new LineClient(address));
            for (int round = 0; round < shortOnes; round++) {
                LineClient c = longLived.get(random.nextInt(longLived.size()));
                int n = 1 + random.nextInt(4);
                c.send(commands(random, n));
                assertEquals(n, c.lines(n).split("\n").length, where);
                try (LineClient s = new LineClient(address)) {
                    int m = 1 + random.nextInt(6);
                    s.send(commands(random, m));
                    assertEquals(m, s.lines(m).split("\n").length, where);
                    s.channel.shutdownOutput();
                    assertTrue(s.ended(), where + ": the server closes once the client ended");
                    finalAck(spy, recorder, SocketNames.connection(address, (InetSocketAddress) s.channel.getLocalAddress()));
                }
            }
            // Each long-lived client with a command half sent: a parse buffer in the checkpoints.
            for (LineClient c : longLived) c.send("INCR k1\nGET k");
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (primary.connectionCount() != longLived.size() && System.nanoTime() < deadline) Thread.sleep(5);
            Thread.sleep(300);
            records = recorder.records();
        } finally {
            primary.close();
        }
        assertTrue(primary.checkpoints() > 2, where + ": checkpoints " + primary.checkpoints());

        LiveRecordSet retained = new LiveRecordSet(RetentionPolicy.CHECKPOINTED);
        long lsn = 0;
        for (Record r : records) retained.add(++lsn, r);
        List<LoggedRecord> snapshot = retained.snapshot(Long.MAX_VALUE);
        where += ", " + retained + ", " + records.size() + " records, " + snapshot.size() + " retained";
        int connectsInStream = (int) records.stream().filter(r -> r instanceof Connect).count();
        assertEquals(longLived.size() + shortOnes, connectsInStream, where);
        if (outputCopy == 1 << 20) {
            assertTrue(retained.checkpointsApplied() > 0, where + ": applied " + retained.checkpointsApplied() + ", refused " + retained.checkpointsRefused());
        } else {
            assertTrue(retained.checkpointsRefused() > 0, where + ": an 8-byte copy never fell short");
        }
        if (retained.checkpointsApplied() > 0) {
            // Bounded: before the checkpoint only the live connections' CONNECT and SEGMENT records.
            long checkpointLsn = snapshot.stream().filter(r -> r.record() instanceof Checkpoint).findFirst().orElseThrow().lsn();
            int connectsBefore = 0;
            for (LoggedRecord r : snapshot) {
                if (r.lsn() >= checkpointLsn) break;
                assertTrue(r.record() instanceof Connect || r.record() instanceof Segment, where + ": before the checkpoint " + r);
                if (r.record() instanceof Connect) connectsBefore++;
            }
            assertTrue(connectsBefore <= longLived.size() + 1, where + ": " + connectsBefore + " connections pinned");
        } else {
            assertEquals(records.size(), snapshot.size(), where + ": with no checkpoint applied, everything is kept");
        }

        assertRecoveryEqualsWhole(records, snapshot, address, checkpointEvery, longLived.size(), where);
    }

    /**
     * One client keeps one connection and sends many commands across many checkpoints: what
     * retention keeps below the latest checkpoint does not grow with the commands the server has
     * consumed (a handful of segments: the unread ones, the latest, the ones its acknowledgement,
     * window and timestamps come from), and recovering from it equals replaying everything.
     */
    @RepeatedTest(3)
    void aLongLivedConnectionPinsOnlyWhatIsUnread() throws Exception {
        long seed = Long.getLong("fttcp.seed", new SplittableRandom().nextLong());
        SplittableRandom random = new SplittableRandom(seed);
        int checkpointEvery = 3 + random.nextInt(8);
        int rounds = 150 + random.nextInt(150);
        String where = "seed " + seed + " (-Dfttcp.seed=" + seed + "), checkpoint every " + checkpointEvery + " commands, " + rounds + " rounds";
        PrimaryRecorder recorder = new PrimaryRecorder();
        SpyNetwork spy = new SpyNetwork(new KernelNetwork(), recorder, seed, true, true);
        KvServer primary = KvServer.start(new LoggingNetwork(spy, recorder, recorder, OutputHashing.HASH, 1 << 20), PrimaryRun.loopback(), checkpointEvery);
        InetSocketAddress address = primary.localAddress();
        List<Record> records;
        int commands = 0;
        try (LineClient c = new LineClient(address)) {
            for (int round = 0; round < rounds; round++) {
                int n = 1 + random.nextInt(6);
                c.send(commands(random, n));
                assertEquals(n, c.lines(n).split("\n").length, where);
                commands += n;
            }
            c.send("INCR k1\nGET k"); // a command half sent: a parse buffer in the checkpoints, unread bytes after it
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (primary.checkpoints() < commands / checkpointEvery && System.nanoTime() < deadline) Thread.sleep(5);
            Thread.sleep(300);
            records = recorder.records();
        } finally {
            primary.close();
        }
        LiveRecordSet retained = new LiveRecordSet(RetentionPolicy.CHECKPOINTED);
        long lsn = 0;
        int clientSegments = 0;
        for (Record r : records) {
            retained.add(++lsn, r);
            if (r instanceof Segment) clientSegments++;
        }
        List<LoggedRecord> snapshot = retained.snapshot(Long.MAX_VALUE);
        where += ", " + retained + ", " + records.size() + " records, " + clientSegments + " client segments, " + snapshot.size() + " retained";
        assertTrue(retained.checkpointsApplied() > 10, where + ": applied " + retained.checkpointsApplied() + ", refused " + retained.checkpointsRefused());
        long checkpointLsn = snapshot.stream().filter(r -> r.record() instanceof Checkpoint).findFirst().orElseThrow().lsn();
        int segmentsBelow = 0;
        long payloadBelow = 0;
        for (LoggedRecord r : snapshot) {
            if (r.lsn() >= checkpointLsn) break;
            if (r.record() instanceof Segment s) {
                segmentsBelow++;
                payloadBelow += s.payload().length;
            }
        }
        // The bound: the latest, the unread ones (the half-sent command, at most the commands of one round), four state carriers, the handshake's.
        assertTrue(segmentsBelow <= 12, where + ": " + segmentsBelow + " segments kept below the checkpoint");
        assertTrue(payloadBelow <= 2048, where + ": " + payloadBelow + " payload bytes kept below the checkpoint");
        assertTrue(clientSegments > 4 * 12, where + ": too few segments for the bound to mean anything");
        long payloadAbove = 0;
        for (LoggedRecord r : snapshot) {
            if (r.lsn() >= checkpointLsn && r.record() instanceof Segment s) payloadAbove += s.payload().length;
        }
        assertEquals(payloadBelow + payloadAbove, retained.retainedPayloadBytes(), where);
        assertEquals(snapshot.size(), retained.retainedRecords(), where);

        assertRecoveryEqualsWhole(records, snapshot, address, checkpointEvery, 1, where);
    }

    /**
     * A server recovered from the checkpoint takes checkpoints itself once live (its new log
     * continuing the old one): recovering again from what retention keeps of both logs starts at
     * the new checkpoint, and equals replaying both logs whole.
     */
    @RepeatedTest(3)
    void aRecoveredServerCheckpointsAndRecoversAgain() throws Exception {
        long seed = Long.getLong("fttcp.seed", new SplittableRandom().nextLong());
        SplittableRandom random = new SplittableRandom(seed);
        String where = "seed " + seed + " (-Dfttcp.seed=" + seed + ")";
        int checkpointEvery = 5 + random.nextInt(5);
        PrimaryRecorder recorder = new PrimaryRecorder();
        SpyNetwork spy = new SpyNetwork(new KernelNetwork(), recorder, seed, true, true);
        KvServer primary = KvServer.start(new LoggingNetwork(spy, recorder, recorder, OutputHashing.HASH, 1 << 20), PrimaryRun.loopback(), checkpointEvery);
        InetSocketAddress address = primary.localAddress();
        List<LineClient> longLived = new ArrayList<>();
        try {
            for (int i = 0; i < 2; i++) longLived.add(new LineClient(address));
            for (int round = 0; round < 20; round++) {
                LineClient c = longLived.get(random.nextInt(longLived.size()));
                int n = 1 + random.nextInt(4);
                c.send(commands(random, n));
                c.lines(n);
                try (LineClient s = new LineClient(address)) {
                    s.send(commands(random, 2));
                    s.lines(2);
                    s.channel.shutdownOutput();
                    assertTrue(s.ended(), where);
                    finalAck(spy, recorder, SocketNames.connection(address, (InetSocketAddress) s.channel.getLocalAddress()));
                }
            }
            Thread.sleep(200);
        } finally {
            primary.close();
        }
        List<Record> first = recorder.records();
        LiveRecordSet retained = new LiveRecordSet(RetentionPolicy.CHECKPOINTED);
        long lsn = 0;
        for (Record r : first) retained.add(++lsn, r);
        assertTrue(retained.checkpointsApplied() > 0, where + ": " + retained);

        // The recovered server, live on a logging network of its own (fake sockets: the test plays the south side).
        ReplayNetwork recovered = new ReplayNetwork((t, why) -> { });
        KvServer second = KvServer.start(recovered, address, checkpointEvery);
        for (LoggedRecord r : retained.snapshot(Long.MAX_VALUE)) recovered.apply(r.record());
        awaitConsumed(recovered, where);
        List<ConnectionImage> images = recovered.images();
        PrimaryRecorder next = new PrimaryRecorder();
        GoLiveTest.Binding binding = new GoLiveTest.Binding();
        recovered.goLive(new LoggingLiveBinding(binding, new LoggingNetwork(binding.network(), next, next, OutputHashing.HASH, 1 << 20)));
        long checkpointsBefore = second.checkpoints();
        Map<FourTuple, Long> clientOffsets = new TreeMap<>(Comparator.comparing(FourTuple::toString));
        for (ConnectionImage image : images) clientOffsets.put(image.tuple(), image.clientStreamEnd());
        int answers = 0;
        for (int round = 0; round < 3 * checkpointEvery; round++) {
            for (ConnectionImage image : images) {
                byte[] line = ("INCR n" + random.nextInt(3) + "\n").getBytes(StandardCharsets.UTF_8);
                long offset = clientOffsets.get(image.tuple());
                next.append(new Segment(image.tuple(), image.connect().clientIsn() + 1 + (int) offset, image.sndUna(), ACK, 65535,
                        image.clientTsVal() + round + 1, image.clientTsEcr(), line));
                clientOffsets.put(image.tuple(), offset + line.length);
                binding.sockets.get(image.tuple()).push(line);
            }
            answers++;
            for (ConnectionImage image : images) awaitLines(binding.sockets.get(image.tuple()), answers + (image.unreadClientBytes().length > 0 ? 1 : 0), where);
        }
        assertTrue(second.checkpoints() > checkpointsBefore, where + ": the recovered server took no checkpoint");
        second.close();

        List<Record> both = new ArrayList<>(first);
        both.addAll(next.records());
        LiveRecordSet again = new LiveRecordSet(RetentionPolicy.CHECKPOINTED);
        lsn = 0;
        for (Record r : both) again.add(++lsn, r);
        List<LoggedRecord> snapshot = again.snapshot(Long.MAX_VALUE);
        long checkpointAt = snapshot.stream().filter(r -> r.record() instanceof Checkpoint).findFirst().orElseThrow().lsn();
        where += ", " + again + ", first log " + first.size() + " records, second " + next.records().size();
        assertTrue(checkpointAt > first.size(), where + ": the recovery starts at the old primary's checkpoint " + checkpointAt);

        BothReplays r = BothReplays.of(both, snapshot, address, checkpointEvery, where);
        assertEquals(0, r.whole().checkpointMismatches(), where + ": the recovered server's checkpoints are what a replica computes");
        assertEquals(images(r.whole()), images(r.fresh()), where);
        assertEquals(images.size(), images(r.fresh()).size(), where);
        r.close();
    }

    /** Two key-value servers on replayed sockets, one fed a log whole and one what retention kept of it, each having consumed it. */
    private record BothReplays(ReplayNetwork whole, ReplayNetwork fresh, KvServer wholeApp, KvServer freshApp) {
        static BothReplays of(List<Record> records, List<LoggedRecord> snapshot, InetSocketAddress address, int checkpointEvery,
                              String where) throws IOException, InterruptedException {
            ReplayNetwork whole = new ReplayNetwork((t, why) -> { });
            ReplayNetwork fresh = new ReplayNetwork((t, why) -> { });
            BothReplays r = new BothReplays(whole, fresh, KvServer.start(whole, address, checkpointEvery), KvServer.start(fresh, address, checkpointEvery));
            for (Record rec : records) whole.apply(rec);
            for (LoggedRecord rec : snapshot) fresh.apply(rec.record());
            awaitConsumed(whole, where);
            awaitConsumed(fresh, where);
            return r;
        }

        void close() {
            wholeApp.close();
            freshApp.close();
        }
    }

    /**
     * A server replaying {@code records} whole and one recovering from {@code snapshot} (what
     * retention kept) end with the same images of the {@code liveConnections} live connections
     * (each with "GET k" half sent), go live and answer the next commands alike.
     */
    private static void assertRecoveryEqualsWhole(List<Record> records, List<LoggedRecord> snapshot, InetSocketAddress address,
                                                  int checkpointEvery, int liveConnections, String where) throws Exception {
        BothReplays both = BothReplays.of(records, snapshot, address, checkpointEvery, where);
        ReplayNetwork whole = both.whole();
        ReplayNetwork fresh = both.fresh();
        assertEquals(0, whole.checkpointMismatches(), where + ": the replica's checkpoints are the primary's");
        assertEquals(0, fresh.checkpointMismatches(), where);

        Map<String, Map<String, String>> wholeImages = images(whole);
        Map<String, Map<String, String>> freshImages = images(fresh);
        assertEquals(liveConnections, wholeImages.size(), where + ": " + wholeImages.keySet());
        assertEquals(wholeImages, freshImages, where);

        // Both go live and answer the next commands alike.
        GoLiveTest.Binding wholeLive = new GoLiveTest.Binding();
        GoLiveTest.Binding freshLive = new GoLiveTest.Binding();
        List<FourTuple> live = whole.images().stream().map(ConnectionImage::tuple).toList();
        whole.goLive(wholeLive);
        fresh.goLive(freshLive);
        // Takeover also restores the finished connections still lingering (TIME-WAIT): a checkpoint drops those finished before it.
        assertTrue(freshLive.sockets.keySet().containsAll(live) && wholeLive.sockets.keySet().containsAll(freshLive.sockets.keySet()),
                where + ": " + freshLive.sockets.keySet() + " restored from the checkpoint, " + wholeLive.sockets.keySet() + " from everything");
        String next = "1\nGET k1\nINCR k2\nSET k3 later\nGET k3\n"; // ends the half-sent "GET k": five answers
        for (FourTuple t : live) {
            wholeLive.sockets.get(t).push(next.getBytes(StandardCharsets.UTF_8));
            freshLive.sockets.get(t).push(next.getBytes(StandardCharsets.UTF_8));
        }
        for (FourTuple t : live) {
            String a = awaitLines(wholeLive.sockets.get(t), 5, where);
            String b = awaitLines(freshLive.sockets.get(t), 5, where);
            assertEquals(a, b, where + ": " + t);
        }
        both.close();
    }
}
