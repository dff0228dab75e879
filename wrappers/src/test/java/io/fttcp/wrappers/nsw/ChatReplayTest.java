package io.fttcp.wrappers.nsw;

import io.fttcp.api.kernel.KernelNetwork;
import io.fttcp.apps.chat.ChatServer;
import io.fttcp.replication.record.LoggedRecord;
import io.fttcp.replication.record.Record;
import io.fttcp.replication.retention.LiveRecordSet;
import io.fttcp.replication.retention.RetentionPolicy;
import io.fttcp.stack.tcp.FourTuple;
import org.junit.jupiter.api.RepeatedTest;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static io.fttcp.wrappers.nsw.ReplayChecks.awaitConsumed;
import static io.fttcp.wrappers.nsw.ReplayChecks.awaitLines;
import static io.fttcp.wrappers.nsw.ReplayChecks.finalAck;
import static io.fttcp.wrappers.nsw.ReplayChecks.images;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The chat room on the primary's wrapper, its members sending at once (the poller decides the
 * order of their lines) and short-lived members joining, talking and leaving (the state spans
 * connections: a member's stream holds their lines). A replica replaying the whole stream writes
 * every member exactly the primary's bytes (no divergence, every checkpoint matching); one
 * recovering from what CHECKPOINTED retention keeps (from the latest checkpoint) ends with the
 * same image of every live member, and both, live, pass the next lines on alike.
 */
class ChatReplayTest {

    @RepeatedTest(6)
    void aReplicaWritesEveryMemberThePrimarysBytesAndRecoversFromTheCheckpoint() throws Exception {
        long seed = Long.getLong("fttcp.seed", new SplittableRandom().nextLong());
        SplittableRandom random = new SplittableRandom(seed);
        int checkpointEvery = 4 + random.nextInt(8);
        String where = "seed " + seed + " (-Dfttcp.seed=" + seed + "), checkpoint every " + checkpointEvery + " lines";
        PrimaryRecorder recorder = new PrimaryRecorder();
        SpyNetwork spy = new SpyNetwork(new KernelNetwork(), recorder, seed, true, true);
        ChatServer primary = ChatServer.start(new LoggingNetwork(spy, recorder, recorder, OutputHashing.HASH, 1 << 20),
                PrimaryRun.loopback(), checkpointEvery);
        InetSocketAddress address = primary.localAddress();
        List<LineClient> members = new ArrayList<>();
        List<StringBuilder> transcripts = new ArrayList<>();
        List<Record> records;
        try {
            for (int i = 0; i < 3; i++) {
                members.add(new LineClient(address));
                transcripts.add(new StringBuilder());
                awaitMembers(primary, i + 1, where);
            }
            int rounds = 15 + random.nextInt(15);
            for (int round = 0; round < rounds; round++) {
                // Two members send at once: which line goes first is the poller's choice, logged.
                int a = random.nextInt(3);
                int b = (a + 1 + random.nextInt(2)) % 3;
                String fromA = lines("m" + a + " r" + round, 1 + random.nextInt(3));
                String fromB = lines("m" + b + " r" + round, 1 + random.nextInt(3));
                Thread other = Thread.ofPlatform().start(() -> sendQuietly(members.get(b), fromB));
                members.get(a).send(fromA);
                other.join();
                int sent = count(fromA) + count(fromB);
                for (int i = 0; i < 3; i++) transcripts.get(i).append(members.get(i).lines(sent));
                if (random.nextInt(3) == 0) { // a short-lived member: joins, says one line, leaves
                    try (LineClient s = new LineClient(address)) {
                        awaitMembers(primary, 4, where);
                        s.send("s" + round + " hello\n");
                        s.channel.shutdownOutput();
                        s.lines(1);
                        assertTrue(s.ended(), where + ": the room closes an ended member once it has its lines");
                        finalAck(spy, recorder, SocketNames.connection(address, (InetSocketAddress) s.channel.getLocalAddress()));
                    }
                    awaitMembers(primary, 3, where);
                    for (int i = 0; i < 3; i++) transcripts.get(i).append(members.get(i).lines(1));
                }
            }
            for (LineClient c : members) c.send("half a li"); // unfinished lines: parse buffers in the checkpoints
            Thread.sleep(300);
            records = recorder.records();
        } finally {
            primary.close();
        }
        assertEquals(transcripts.get(0).toString(), transcripts.get(1).toString(), where + ": one order for every member");
        assertEquals(transcripts.get(0).toString(), transcripts.get(2).toString(), where + ": one order for every member");
        assertTrue(primary.checkpoints() > 2, where + ": checkpoints " + primary.checkpoints());

        List<String> divergences = Collections.synchronizedList(new ArrayList<>());
        ReplayNetwork whole = new ReplayNetwork((t, why) -> divergences.add(t + ": " + why));
        ChatServer wholeApp = ChatServer.start(whole, address, checkpointEvery);
        for (Record r : records) whole.apply(r);
        awaitConsumed(whole, where);
        assertEquals(List.of(), divergences, where + ": the replica wrote what the primary wrote");
        assertEquals(0, whole.checkpointMismatches(), where + ": the replica's checkpoints are the primary's");

        LiveRecordSet retained = new LiveRecordSet(RetentionPolicy.CHECKPOINTED);
        long lsn = 0;
        for (Record r : records) retained.add(++lsn, r);
        List<LoggedRecord> snapshot = retained.snapshot(Long.MAX_VALUE);
        where += ", " + records.size() + " records, " + snapshot.size() + " retained";
        assertTrue(retained.checkpointsApplied() > 0, where + ": " + retained);
        assertTrue(snapshot.size() < records.size(), where + ": the checkpoint bounds the recovery");
        ReplayNetwork fresh = new ReplayNetwork((t, why) -> divergences.add("recovered " + t + ": " + why));
        ChatServer freshApp = ChatServer.start(fresh, address, checkpointEvery);
        for (LoggedRecord r : snapshot) fresh.apply(r.record());
        awaitConsumed(fresh, where);
        assertEquals(List.of(), divergences, where);
        Map<String, Map<String, String>> wholeImages = images(whole);
        assertEquals(members.size(), wholeImages.size(), where + ": " + wholeImages.keySet());
        assertEquals(wholeImages, images(fresh), where);

        // Both go live; each member in turn ends its line: every member gets it, alike in both.
        GoLiveTest.Binding wholeLive = new GoLiveTest.Binding();
        GoLiveTest.Binding freshLive = new GoLiveTest.Binding();
        List<FourTuple> live = whole.images().stream().map(ConnectionImage::tuple).toList();
        whole.goLive(wholeLive);
        fresh.goLive(freshLive);
        int lines = 0;
        for (FourTuple t : live) {
            byte[] end = ("ne from " + t + "\n").getBytes(StandardCharsets.UTF_8);
            wholeLive.sockets.get(t).push(end);
            freshLive.sockets.get(t).push(end);
            lines++;
            for (FourTuple to : live) {
                assertEquals(awaitLines(wholeLive.sockets.get(to), lines, where), awaitLines(freshLive.sockets.get(to), lines, where), where + ": " + to);
            }
        }
        assertTrue(new String(wholeLive.sockets.get(live.getFirst()).written(), StandardCharsets.UTF_8).contains("half a line from"),
                where + ": the unfinished lines were kept");
        wholeApp.close();
        freshApp.close();
    }

    private static String lines(String prefix, int n) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) b.append(prefix).append(" line ").append(i).append('\n');
        return b.toString();
    }

    private static int count(String lines) {
        return (int) lines.chars().filter(ch -> ch == '\n').count();
    }

    private static void sendQuietly(LineClient client, String lines) {
        try {
            client.send(lines);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void awaitMembers(ChatServer server, int n, String where) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (server.memberCount() != n && System.nanoTime() < deadline) Thread.sleep(2);
        assertEquals(n, server.memberCount(), where);
    }
}
