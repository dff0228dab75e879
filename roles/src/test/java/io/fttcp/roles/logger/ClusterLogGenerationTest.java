package io.fttcp.roles.logger;

import io.fttcp.replication.channel.ChannelListener;
import io.fttcp.replication.channel.HandshakeException;
import io.fttcp.replication.channel.LoggerChannel;
import io.fttcp.replication.channel.LoggerSessions;
import io.fttcp.replication.channel.ReplicationChannel;
import io.fttcp.replication.codec.Handshake;
import io.fttcp.replication.codec.Role;
import io.fttcp.replication.codec.RosterEntry;
import io.fttcp.replication.record.Connect;
import io.fttcp.replication.record.LoggedRecord;
import io.fttcp.replication.record.Record;
import io.fttcp.replication.retention.LiveRecordSet;
import io.fttcp.replication.retention.RetentionPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static io.fttcp.roles.logger.LoggerTesting.LEASE;
import static io.fttcp.roles.logger.LoggerTesting.await;
import static io.fttcp.roles.logger.LoggerTesting.LOG;
import static org.junit.jupiter.api.Assertions.*;

/**
 * A primary back from serving unprotected re-joins with a catch-up, which starts a new
 * generation of its cluster's log (ClusterLog driven directly): the new generation replaces the
 * old once complete and durable, a recovery (here, or after a restart) serves it and never the
 * old records plus the snapshot, an incomplete one is dropped, a crash in the middle of the
 * switch leaves one generation or the other, and the epochs fence as before.
 */
class ClusterLogGenerationTest {
    @TempDir
    Path root;
    @RegisterExtension
    final ClosedAfterEach toClose = new ClosedAfterEach();
    private ServerSocketChannel server;

    private LoggerChannel channel() throws IOException {
        if (server == null) {
            server = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            toClose.add(server);
        }
        return LoggerTesting.silentChannel(server, toClose);
    }

    private ClusterLog open(Path dir) throws IOException {
        ClusterLog log = LoggerTesting.openClusterLog(dir);
        toClose.add(log);
        return log;
    }

    private static Handshake primary(long epoch, long next) {
        return new Handshake(ReplicationChannel.PROTOCOL_VERSION, Role.PRIMARY, "alpha", epoch, next);
    }

    private static Handshake requester(long epoch) {
        return new Handshake(ReplicationChannel.PROTOCOL_VERSION, Role.BACKUP, "alpha", epoch, 0);
    }

    /** What a logger present all along would serve: the live connections' records through {@code through}. */
    private static List<LoggedRecord> snapshotOf(List<Record> records, long through) {
        LiveRecordSet all = new LiveRecordSet(RetentionPolicy.CONNECTION_SCOPED);
        for (int i = 0; i < through; i++) all.add(i + 1, records.get(i));
        return all.snapshot(through);
    }

    /** Hands {@code snapshot} over as the channel's intake would: batches of consecutive LSNs. */
    private static void catchUp(ChannelListener to, List<LoggedRecord> snapshot, long caughtUpAt) {
        catchUpPart(to, snapshot);
        to.onCaughtUp(caughtUpAt);
    }

    private static void send(ChannelListener to, List<Record> records, long from, long through) {
        to.onRecords(from, records.subList((int) from - 1, (int) through));
    }

    /** A fetch is served once the lease of the last primary is surely over (up to 300 ms here); its records read at once. */
    private static LoggerSessions.Fetch fetch(ClusterLog log, long epoch) throws Exception {
        return serve(log, epoch).fetch();
    }

    /** A fetch as served, its records read at once, with what it says of their completeness. */
    private record Served(LoggerSessions.Fetch fetch, long incompleteThrough, List<RosterEntry> roster) {
    }

    private static Served serve(ClusterLog log, long epoch) throws Exception {
        long end = System.nanoTime() + 10_000_000_000L;
        while (true) {
            try {
                LoggerSessions.Fetch f = log.fetch(requester(epoch), System.nanoTime() + LoggerTesting.ANSWER_WITHIN);
                return new Served(new LoggerSessions.Fetch(f.epoch(), f.throughLsn(), LoggerTesting.records(f)), f.incompleteThrough(), f.roster());
            } catch (HandshakeException e) {
                if (System.nanoTime() - end > 0 || !e.getMessage().contains("ask again")) throw e;
            }
        }
    }

    /** The roster a primary sends ahead of {@code snapshot}: its connections. */
    private static List<RosterEntry> rosterOf(List<LoggedRecord> snapshot) {
        return snapshot.stream().filter(r -> r.record() instanceof Connect).map(r -> (Connect) r.record())
                .map(RosterEntry::of).toList();
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> tree = Files.walk(from)) {
            for (Path p : tree.sorted(Comparator.naturalOrder()).toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(target);
                else Files.copy(p, target);
            }
        }
    }

    private static List<String> segments(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".seg")).sorted().toList();
        }
    }

    /** The scenario's traffic: {@code stored} records reached the logger, then the primary ran on alone up to {@code unprotected}. */
    private record History(long seed, List<Record> records, int stored, int unprotected) {
        String where() {
            return "seed " + seed;
        }
    }

    private static History history(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<Record> records = new ArrayList<>(Traffic.serverRecords(random, 6 + random.nextInt(6), 0.5, 0));
        int stored = records.size();
        records.addAll(Traffic.serverRecords(random, 4 + random.nextInt(6), 0.5, 100)); // some opened while unprotected
        int unprotected = records.size();
        records.addAll(Traffic.serverRecords(random, 3 + random.nextInt(4), 0.5, 200)); // after the re-join
        return new History(seed, records, stored, unprotected);
    }

    /** The first primary's records reach the log; its channel then closes (the logger was away). */
    private ClusterLog storeThenLose(Path dir, History h) throws Exception {
        ClusterLog log = open(dir);
        LoggerChannel first = channel();
        ChannelListener in = log.join(primary(1, 1), () -> first).listener();
        send(in, h.records(), 1, h.stored());
        first.close();
        in.onClosed(new io.fttcp.replication.channel.CloseReason(io.fttcp.replication.channel.CloseReason.Kind.PEER_CLOSED, "gone", null));
        return log;
    }

    @Test
    void theRejoinsCatchUpReplacesTheOldRecordsForRecoveriesHereAndAfterARestart() throws Exception {
        for (long seed : new long[] {System.nanoTime(), 7, 42}) {
            History h = history(seed);
            Path dir = root.resolve("s" + Long.toHexString(seed));
            ClusterLog log = storeThenLose(dir, h);
            int unprotected = h.unprotected();

            LoggerChannel second = channel();
            LoggerSessions.Join rejoin = log.join(primary(1, unprotected + 1), () -> second);
            assertEquals(0, rejoin.heldLsn(), h.where() + ": a primary that dropped records this log lacks is told it holds nothing");
            assertEquals(1, rejoin.knownEpoch(), h.where() + ": the re-join does not raise the epoch");
            catchUp(rejoin.listener(), snapshotOf(h.records(), unprotected), unprotected);
            send(rejoin.listener(), h.records(), unprotected + 1, h.records().size());
            assertTrue(log.retainedStatus().contains("generation 1") && !log.retainedStatus().contains("catching up"), log.retainedStatus());
            assertEquals(List.of(), segments(dir), h.where() + ": the old generation is deleted");
            assertEquals("1", Files.readString(dir.resolve("GENERATION")).strip());
            second.close();

            long through = h.records().size();
            List<LoggedRecord> expected = snapshotOf(h.records(), through);
            LoggerSessions.Fetch here = fetch(log, 1);
            assertEquals(2, here.epoch());
            assertEquals(through, here.throughLsn());
            assertEquals(expected, here.records(), h.where() + ": the new generation's live records, nothing of the old beside them");
            log.close();

            ClusterLog restarted = open(dir);
            assertTrue(restarted.retainedStatus().contains("generation 1"), restarted.retainedStatus());
            LoggerSessions.Fetch again = fetch(restarted, 2);
            assertEquals(3, again.epoch(), "epochs run on across generations");
            assertEquals(through, again.throughLsn());
            assertEquals(expected, again.records(), h.where() + ": a restarted logger recovers the new generation");
            restarted.close();
        }
    }

    @Test
    void aRejoinThatEndsBeforeItsCatchUpCompletesLeavesTheOldGeneration() throws Exception {
        History h = history(System.nanoTime());
        Path dir = root.resolve("a");
        ClusterLog log = storeThenLose(dir, h);
        List<LoggedRecord> old = snapshotOf(h.records(), h.stored());

        LoggerChannel second = channel();
        LoggerSessions.Join rejoin = log.join(primary(1, h.unprotected() + 1), () -> second);
        List<LoggedRecord> snapshot = snapshotOf(h.records(), h.unprotected());
        ChannelListener in = rejoin.listener();
        List<RosterEntry> roster = rosterOf(snapshot);
        in.onRoster(roster);
        in.onRecords(snapshot.getFirst().lsn(), List.of(snapshot.getFirst().record())); // part of the catch-up only
        assertTrue(Files.isDirectory(dir.resolve("generation-1")));
        second.close(); // a fetch finds the channel closed even before its onClosed arrives
        Served served = serve(log, 1);
        LoggerSessions.Fetch fetched = served.fetch();
        assertEquals(h.stored(), fetched.throughLsn(), h.where());
        assertEquals(old, fetched.records(), h.where() + ": the old generation, untouched");
        // But behind what the primary served since: the recovery must restore none of it, and reset the roster's clients.
        assertEquals(h.stored(), served.incompleteThrough(), h.where());
        assertEquals(roster, served.roster(), h.where());
        assertFalse(Files.exists(dir.resolve("generation-1")), "the incomplete generation is removed");
        in.onRecords(snapshot.get(1).lsn(), List.of(snapshot.get(1).record())); // a late hand-over of the closed channel: ignored
        assertTrue(log.retainedStatus().contains("generation 0"), log.retainedStatus());
        log.close();
        ClusterLog restarted = open(dir);
        Served again = serve(restarted, 2);
        assertEquals(old, again.fetch().records(), h.where());
        assertEquals(h.stored(), again.incompleteThrough(), h.where() + ": the mark is durable");
        assertEquals(roster, again.roster(), h.where());
    }

    /**
     * A catch-up's LSNs without a record are filled with empty records, up to a bound for the
     * whole catch-up (here 10): within it, the catch-up is stored; past it (a CAUGHT_UP announced
     * far past the records: once 2^40, and the logger wrote heartbeats until its disk was full,
     * its cluster's lock held), it is refused before anything more is filled, its channel closed,
     * and the generation it would have replaced stays.
     */
    @Test
    void aCatchUpLeavingMoreLsnsWithoutARecordThanTheBoundIsRefusedUnfilled() throws Exception {
        ClusterLog log = ClusterLog.open("alpha", root, LOG, RetentionPolicy.CONNECTION_SCOPED, LEASE.toNanos(),
                LoggerConfig.DEFAULT_RECOVERY_GRANT.toNanos(), LiveRecordSet.DEFAULT_MAX_LINGERING, LiveRecordSet.DEFAULT_MAX_LINGERING_PAYLOAD_BYTES, 10);
        toClose.add(log);
        LoggerChannel first = channel();
        ChannelListener in = log.join(primary(1, 13), () -> first).listener();
        in.onRecords(3, List.of(new io.fttcp.replication.record.Seed(3)));
        in.onRecords(7, List.of(new io.fttcp.replication.record.Seed(7))); // 4..6 filled
        in.onCaughtUp(12); // 8..12 filled: 8 of 10
        assertFalse(first.isClosed());
        assertTrue(log.retainedStatus().startsWith("records 3..12 "), log.retainedStatus());
        first.close();

        LoggerChannel second = channel();
        ChannelListener again = log.join(primary(1, 1001), () -> second).listener(); // a re-join: a new generation
        again.onRecords(20, List.of(new io.fttcp.replication.record.Seed(20)));
        again.onRecords(26, List.of(new io.fttcp.replication.record.Seed(26))); // 21..25 filled: 5 of 10
        assertFalse(second.isClosed());
        again.onCaughtUp(1000); // 27..1000: 974 more
        await("the catch-up refused", 2000, second::isClosed);
        assertTrue(log.retainedStatus().startsWith("records 20..26 "), "nothing filled past the bound: " + log.retainedStatus());
        again.onClosed(new io.fttcp.replication.channel.CloseReason(io.fttcp.replication.channel.CloseReason.Kind.CLOSED_LOCALLY, "refused", null));
        assertTrue(log.retainedStatus().startsWith("records 3..12 "), "the old generation stays: " + log.retainedStatus());
        assertTrue(log.retainedStatus().contains("generation 0"), log.retainedStatus());
    }

    /**
     * A catch-up into an empty log (a fresh logger, joined by a primary that served without one)
     * that breaks off leaves part of it in the log: marked incomplete through it. A complete
     * catch-up later (the primary came back alive) replaces it, mark and all.
     */
    @Test
    void aCatchUpIntoAnEmptyLogThatBreaksOffIsMarkedIncompleteUntilAWholeOneReplacesIt() throws Exception {
        History h = history(System.nanoTime());
        Path dir = root.resolve("empty");
        BrokenOff broken = breakOffACatchUpIntoAnEmptyLog(h, dir);
        List<LoggedRecord> snapshot = broken.snapshot();
        List<RosterEntry> roster = broken.roster();
        long through = broken.through();
        assertTrue(Files.exists(dir.resolve(IncompleteMark.FILE)), h.where());
        ClusterLog log = open(dir);

        // The primary, alive, comes back and catches the logger up whole: a new generation without the mark.
        LoggerChannel second = channel();
        ChannelListener again = log.join(primary(1, h.unprotected() + 1), () -> second).listener();
        again.onRoster(roster);
        catchUp(again, snapshot, h.unprotected());
        assertTrue(log.retainedStatus().contains("generation 1"), log.retainedStatus());
        second.close();
        again.onClosed(new io.fttcp.replication.channel.CloseReason(io.fttcp.replication.channel.CloseReason.Kind.PEER_CLOSED, "gone", null));
        Served served = serve(log, 1);
        assertEquals(0, served.incompleteThrough(), h.where() + ": a whole catch-up is complete (the part before was through " + through + ")");
        assertEquals(snapshot, served.fetch().records(), h.where());
        assertFalse(Files.exists(dir.resolve(IncompleteMark.FILE)), h.where());
    }

    /** A catch-up into an empty log (in {@code dir}) that broke off after half its records; the log is closed. */
    private record BrokenOff(List<LoggedRecord> snapshot, List<RosterEntry> roster, long through) {
    }

    private BrokenOff breakOffACatchUpIntoAnEmptyLog(History h, Path dir) throws Exception {
        ClusterLog log = open(dir);
        LoggerChannel first = channel();
        ChannelListener in = log.join(primary(1, h.unprotected() + 1), () -> first).listener();
        List<LoggedRecord> snapshot = snapshotOf(h.records(), h.unprotected());
        List<RosterEntry> roster = rosterOf(snapshot);
        in.onRoster(roster);
        int part = Math.max(1, snapshot.size() / 2);
        catchUpPart(in, snapshot.subList(0, part));
        first.close();
        in.onClosed(new io.fttcp.replication.channel.CloseReason(io.fttcp.replication.channel.CloseReason.Kind.PEER_CLOSED, "gone", null));
        log.close();
        return new BrokenOff(snapshot, roster, snapshot.get(part - 1).lsn());
    }

    /**
     * The incomplete mark is stored before the records it covers are forced: a crash can leave
     * it past the recovered log's end. Opened so, the log's mark covers what the log holds, and a
     * recovery is served (a fetch marked past its records was refused with an exception, on every
     * recovery).
     */
    @Test
    void aMarkLeftPastTheLogsEndByACrashCoversWhatTheLogHolds() throws Exception {
        History h = history(System.nanoTime());
        Path dir = root.resolve("mark-past-the-end");
        BrokenOff broken = breakOffACatchUpIntoAnEmptyLog(h, dir);
        long through = broken.through();
        new IncompleteMark(through + 40, broken.roster()).write(dir); // as a crash leaves it: the last 40 records lost, the mark not

        ClusterLog log = open(dir);
        Served served = serve(log, 1);
        assertEquals(through, served.incompleteThrough(), h.where() + ": the mark covers the log's records");
        assertEquals(through, IncompleteMark.read(dir).throughLsn(), h.where() + ": and is stored so");
    }

    /**
     * A crash that lost every record of a broken-off catch-up into an empty log leaves its mark
     * alone on disk: it is removed at the start, or, once a later catch-up into the same (still
     * first) generation had grown the log past it, it would mark those complete records.
     */
    @Test
    void aMarkLeftOverAnEmptyLogIsRemoved() throws Exception {
        History h = history(System.nanoTime());
        Path dir = root.resolve("mark-over-nothing");
        open(dir).close();
        new IncompleteMark(40, List.of()).write(dir); // as a crash leaves it: every record lost, the mark not
        ClusterLog log = open(dir);
        assertFalse(Files.exists(dir.resolve(IncompleteMark.FILE)), h.where() + ": removed");
        LoggerChannel first = channel();
        ChannelListener in = log.join(primary(1, h.unprotected() + 1), () -> first).listener();
        List<LoggedRecord> snapshot = snapshotOf(h.records(), h.unprotected());
        in.onRoster(rosterOf(snapshot));
        catchUp(in, snapshot, h.unprotected());
        first.close();
        in.onClosed(new io.fttcp.replication.channel.CloseReason(io.fttcp.replication.channel.CloseReason.Kind.PEER_CLOSED, "gone", null));
        log.close();
        assertEquals(0, serve(open(dir), 1).incompleteThrough(), h.where() + ": the whole catch-up is complete");
    }

    /**
     * A crash in the middle of the switch (the directory as it stood at each point: catch-up
     * partly written, with a torn GENERATION.tmp; switched but the old generation not yet
     * deleted; switched and cleaned) recovers exactly one generation, the old or the new.
     */
    @Test
    void aCrashInTheMiddleOfTheSwitchLeavesTheOldOrTheNewGenerationNeverAMixture() throws Exception {
        History h = history(System.nanoTime());
        Path dir = root.resolve("live");
        ClusterLog log = storeThenLose(dir, h);
        List<LoggedRecord> old = snapshotOf(h.records(), h.stored());
        Path beforeRejoin = root.resolve("beforeRejoin");
        copyTree(dir, beforeRejoin);

        LoggerChannel second = channel();
        ChannelListener in = log.join(primary(1, h.unprotected() + 1), () -> second).listener();
        List<LoggedRecord> snapshot = snapshotOf(h.records(), h.unprotected());
        List<LoggedRecord> half = snapshot.subList(0, snapshot.size() / 2 + 1);
        catchUpPart(in, half);
        Path midCatchUp = root.resolve("midCatchUp");
        copyTree(dir, midCatchUp);
        Files.writeString(midCatchUp.resolve("GENERATION.tmp"), "1", StandardCharsets.US_ASCII); // torn: never renamed
        catchUpPart(in, snapshot.subList(half.size(), snapshot.size()));
        in.onCaughtUp(h.unprotected());
        send(in, h.records(), h.unprotected() + 1, h.records().size());
        Path switched = root.resolve("switched");
        copyTree(dir, switched);
        Path switchedOldLeft = root.resolve("switchedOldLeft");
        copyTree(dir, switchedOldLeft);
        for (String s : segments(beforeRejoin)) Files.copy(beforeRejoin.resolve(s), switchedOldLeft.resolve(s));
        second.close();
        log.close();

        List<LoggedRecord> fresh = snapshotOf(h.records(), h.records().size());
        assertEquals(old, fetch(open(midCatchUp), 2).records(), h.where() + ": crashed before the switch: the old generation");
        assertFalse(Files.exists(midCatchUp.resolve("generation-1")), "the incomplete generation is removed at start");
        assertEquals(fresh, fetch(open(switched), 2).records(), h.where() + ": crashed after the switch: the new generation");
        assertEquals(fresh, fetch(open(switchedOldLeft), 2).records(), h.where() + ": the old segments left over are not mixed in");
        assertEquals(List.of(), segments(switchedOldLeft), "and are removed at start");
        assertEquals(fresh, fetch(open(dir), 2).records(), h.where());
    }

    private static void catchUpPart(ChannelListener in, List<LoggedRecord> part) {
        for (LoggedRecord r : part) in.onRecords(r.lsn(), List.of(r.record()));
    }

    /** No live connection at the re-join: an empty catch-up still replaces the old generation, and a missing generation is a clear error. */
    @Test
    void anEmptyCatchUpReplacesTooAndAMissingGenerationStopsTheStart() throws Exception {
        History h = history(System.nanoTime());
        Path dir = root.resolve("empty");
        ClusterLog log = storeThenLose(dir, h);
        LoggerChannel second = channel();
        ChannelListener in = log.join(primary(1, h.unprotected() + 1), () -> second).listener();
        in.onCaughtUp(h.unprotected());
        second.close();
        LoggerSessions.Fetch fetched = fetch(log, 1);
        assertEquals(h.unprotected(), fetched.throughLsn(), h.where());
        assertEquals(List.of(), fetched.records(), h.where() + ": nothing of the old generation");
        log.close();

        LogGenerations generations = new LogGenerations(dir);
        assertEquals(1, generations.current());
        generations.remove(1);
        IOException missing = assertThrows(IOException.class, () -> open(dir));
        assertTrue(missing.getMessage().contains("generation 1") && missing.getMessage().contains("missing"), missing.getMessage());
    }

    /** Fencing holds across generations: an older primary is refused, the re-joined one is superseded by a recovery. */
    @Test
    void epochsFenceAsBeforeAcrossARejoin() throws Exception {
        History h = history(System.nanoTime());
        Path dir = root.resolve("e");
        ClusterLog log = open(dir);
        LoggerChannel first = channel();
        ChannelListener in = log.join(primary(2, 1), () -> first).listener();
        send(in, h.records(), 1, h.stored());
        first.close();
        LoggerChannel stale = channel();
        HandshakeException older = assertThrows(HandshakeException.class, () -> log.join(primary(1, h.unprotected() + 1), () -> stale));
        assertTrue(older.getMessage().contains("superseded"), older.getMessage());
        assertTrue(log.retainedStatus().contains("generation 0"), "a refused primary starts no generation: " + log.retainedStatus());

        LoggerChannel second = channel();
        ChannelListener rejoined = log.join(primary(2, h.unprotected() + 1), () -> second).listener();
        catchUp(rejoined, snapshotOf(h.records(), h.unprotected()), h.unprotected());
        second.close();
        LoggerSessions.Fetch recovery = fetch(log, 2);
        assertEquals(3, recovery.epoch());
        LoggerChannel back = channel();
        HandshakeException superseded = assertThrows(HandshakeException.class, () -> log.join(primary(2, h.records().size() + 1), () -> back));
        assertTrue(superseded.getMessage().contains("superseded") || superseded.getMessage().contains("being recovered"), superseded.getMessage());
        log.close();
        assertEquals(3, new EpochFile(dir).read());
    }
}
