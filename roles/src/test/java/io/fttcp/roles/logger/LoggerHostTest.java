package io.fttcp.roles.logger;

import io.fttcp.replication.channel.BackupChannel;
import io.fttcp.replication.channel.CloseReason;
import io.fttcp.replication.channel.PrimaryChannel;
import io.fttcp.replication.codec.FrameEncoder;
import io.fttcp.replication.codec.Handshake;
import io.fttcp.replication.log.CorruptLogException;
import io.fttcp.replication.log.FsyncPolicy;
import io.fttcp.replication.log.LogConfig;
import io.fttcp.replication.log.RecordLog;
import io.fttcp.replication.record.LoggedRecord;
import io.fttcp.replication.record.Record;
import io.fttcp.replication.record.Seed;
import io.fttcp.replication.retention.LiveRecordSet;
import io.fttcp.replication.retention.RetentionPolicy;
import io.fttcp.replication.stream.RecordStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static io.fttcp.roles.logger.LoggerTesting.*;
import static org.junit.jupiter.api.Assertions.*;

/** The logger with real primaries on loopback: storing and acknowledging, restarting, a damaged log, dropping dead segments. */
class LoggerHostTest {
    @TempDir
    Path dir;
    @RegisterExtension
    final ClosedAfterEach toClose = new ClosedAfterEach();

    private LoggerHost startHost(Path directory, InetSocketAddress listen, LogConfig log) throws IOException {
        return toClose.add(LoggerHost.start(config(directory, listen, log)));
    }

    /** A logger that drops finished connections' records at once (no lingering): for what garbage collection frees. */
    private LoggerHost startHostWithoutLingering(Path directory, InetSocketAddress listen, LogConfig log) throws IOException {
        return toClose.add(LoggerHost.start(config(directory, listen, log).withLingering(0, 0)));
    }

    /** Dials until the logger takes this primary (it refuses while it still sees the previous channel of the cluster). */
    private PrimaryChannel join(InetSocketAddress logger, String cluster, long epoch, RecordStream stream, Events[] events) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (true) {
            Events e = new Events();
            PrimaryChannel p = toClose.add(dial(logger, cluster, epoch, stream, e));
            try {
                e.connected.get(3, TimeUnit.SECONDS);
                events[0] = e;
                return p;
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException notYet) {
                CloseReason why = e.closed.getNow(null);
                p.close();
                if (System.nanoTime() - end > 0 || why == null || !why.message().contains("already has a primary")) {
                    fail("the logger did not take the primary: " + why);
                }
                Thread.sleep(20);
            }
        }
    }

    private static long append(PrimaryChannel p, List<Record> records) {
        long last = 0;
        for (Record r : records) last = p.append(r);
        return last;
    }

    private static List<LoggedRecord> numbered(List<Record> records, long firstLsn) {
        List<LoggedRecord> out = new ArrayList<>();
        for (int i = 0; i < records.size(); i++) out.add(new LoggedRecord(firstLsn + i, records.get(i)));
        return out;
    }

    /** Stable LSN read first, then the logger's durable LSN: a record is acknowledged only once stored as the policy says. */
    private static void assertAcknowledgedOnlyDurable(PrimaryChannel p, LoggerHost host, String cluster, String where) {
        long stable = p.stableLsn();
        long durable = durableLsn(host, cluster);
        assertTrue(stable <= durable, where + ": the primary holds LSN " + stable + " stable but the logger has only " + durable + " durable");
    }

    @ParameterizedTest
    @EnumSource(FsyncPolicy.class)
    void aPrimarysRecordsAreAcknowledgedOnceStoredAndAreOnDisk(FsyncPolicy policy) throws Exception {
        long seed = System.nanoTime();
        String where = policy + ", seed " + seed;
        SplittableRandom random = new SplittableRandom(seed);
        List<Record> records = Traffic.serverRecords(random, 30, 0.5, 1);
        InetSocketAddress at = freeLoopbackPort();
        LoggerHost host = startHost(dir, at, log(policy));
        Events events = new Events();
        PrimaryChannel primary = toClose.add(dial(at, "alpha", 1, channel("alpha").newRecordStream(), events));
        Handshake answer = events.connected.get(5, TimeUnit.SECONDS);
        assertEquals(0, answer.lsn(), where + ": a new cluster's log holds nothing");
        assertEquals(1, answer.epoch(), where);
        int sent = 0;
        while (sent < records.size()) {
            int burst = Math.min(records.size() - sent, 1 + random.nextInt(40));
            append(primary, records.subList(sent, sent + burst));
            sent += burst;
            assertAcknowledgedOnlyDurable(primary, host, "alpha", where);
            Thread.sleep(random.nextInt(3));
        }
        long last = records.size();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (primary.stableLsn() < last) {
            assertAcknowledgedOnlyDurable(primary, host, "alpha", where);
            assertFalse(events.closed.isDone(), () -> where + ": closed " + events.closed.getNow(null));
            assertTrue(System.nanoTime() - end < 0, where + ": only " + primary.stableLsn() + " of " + last + " acknowledged");
            Thread.sleep(1);
        }
        await("the primary's listener heard the acknowledgement (" + where + ")", 5000, () -> events.lastAck.get() == last);
        primary.close();
        host.close();
        assertEquals(numbered(records, 1), readAll(dir.resolve("alpha"), LOG), where + ": the log holds every record, in order");
        assertEquals(1, new EpochFile(dir.resolve("alpha")).read(), where + ": the primary's epoch is stored");
    }

    /** BATCH: after a force, records wait for the window's end before they are forced, and so acknowledged. */
    @Test
    void batchAcknowledgesOnlyAfterTheWindowsForce() throws Exception {
        long window = TimeUnit.MILLISECONDS.toNanos(700);
        InetSocketAddress at = freeLoopbackPort();
        LoggerHost host = startHost(dir, at, log(FsyncPolicy.BATCH).withBatchWindowNanos(window));
        Events events = new Events();
        PrimaryChannel primary = toClose.add(dial(at, "alpha", 1, channel("alpha").newRecordStream(), events));
        events.connected.get(5, TimeUnit.SECONDS);
        long firstSent = System.nanoTime();
        primary.append(new Seed(1)); // the log's first force is at once
        await("LSN 1 stable", 5000, () -> primary.stableLsn() == 1);
        for (int i = 2; i <= 10; i++) primary.append(new Seed(i));
        await("LSNs 2..10 written", 5000, () -> host.status().contains("records 1..10 "));
        while (primary.stableLsn() < 10) {
            assertAcknowledgedOnlyDurable(primary, host, "alpha", "batch");
            Thread.sleep(1);
            assertTrue(System.nanoTime() - firstSent < TimeUnit.SECONDS.toNanos(10), "never acknowledged");
        }
        long acknowledgedAfter = System.nanoTime() - firstSent;
        assertTrue(acknowledgedAfter >= window, "acknowledged after " + acknowledgedAfter / 1_000_000 + " ms, within the 700 ms window");
        assertEquals(10, durableLsn(host, "alpha"));
    }

    /**
     * A primary that reconnects while the logger holds written but unforced records must not take
     * them for stored: the logger's answer (what it holds) makes them stable at the primary.
     */
    @Test
    void aReconnectingPrimaryIsNotToldThatUnforcedRecordsAreStored() throws Exception {
        long window = TimeUnit.MILLISECONDS.toNanos(2000);
        InetSocketAddress at = freeLoopbackPort();
        LoggerHost host = startHost(dir, at, log(FsyncPolicy.BATCH).withBatchWindowNanos(window));
        RecordStream stream = channel("alpha").newRecordStream();
        Events[] events = new Events[1];
        PrimaryChannel first = join(at, "alpha", 1, stream, events);
        first.append(new Seed(1));
        await("LSN 1 stable", 5000, () -> first.stableLsn() == 1);
        for (int i = 2; i <= 10; i++) first.append(new Seed(i));
        await("LSNs 2..10 written", 5000, () -> host.status().contains("records 1..10 "));
        first.close();
        PrimaryChannel second = join(at, "alpha", 1, stream, events);
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (second.stableLsn() < 10) {
            assertAcknowledgedOnlyDurable(second, host, "alpha", "after reconnecting");
            assertTrue(System.nanoTime() - end < 0, "never acknowledged");
            Thread.sleep(1);
        }
        assertAcknowledgedOnlyDurable(second, host, "alpha", "after reconnecting");
        second.append(new Seed(11));
        await("LSN 11 stable", 5000, () -> second.stableLsn() == 11);
        second.close();
        host.close();
        List<Record> expected = new ArrayList<>();
        for (int i = 1; i <= 11; i++) expected.add(new Seed(i));
        assertEquals(numbered(expected, 1), readAll(dir.resolve("alpha"), LOG));
    }

    /** Copies a cluster's directory as a crash of the logger process would leave it: what was written, no LOCK held. */
    private static void crashImage(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from)) {
            for (Path f : files.toList()) {
                if (!f.getFileName().toString().equals("LOCK")) Files.copy(f, to.resolve(f.getFileName()));
            }
        }
    }

    private static Path lastSegment(Path clusterDir) throws IOException {
        try (Stream<Path> files = Files.list(clusterDir)) {
            return files.filter(f -> f.toString().endsWith(".seg")).sorted().toList().getLast();
        }
    }

    /**
     * The logger crashes (its directory as the crash left it, with a torn tail) and a new one
     * starts on it: the log, the live records and the epoch are back; the primary resends only
     * what the new logger lacks; nothing acknowledged is lost.
     */
    @ParameterizedTest
    @EnumSource(FsyncPolicy.class) // NEVER too: the crash is the process's, and what it wrote survives it
    void aRestartedLoggerRecoversAndThePrimaryResendsOnlyWhatItLacks(FsyncPolicy policy) throws Exception {
        long seed = System.nanoTime();
        String where = policy + ", seed " + seed;
        SplittableRandom random = new SplittableRandom(seed);
        List<Record> all = Traffic.serverRecords(random, 40, 0.6, 1);
        int beforeCrash = all.size() / 2 + random.nextInt(all.size() / 4);
        int whileDown = (all.size() - beforeCrash) / 2;
        LogConfig log = log(policy).withSegmentBytes(8 * 1024);

        InetSocketAddress first = freeLoopbackPort();
        LoggerHost host = startHost(dir.resolve("first"), first, log);
        RecordStream stream = channel("alpha").newRecordStream();
        Events[] events = new Events[1];
        PrimaryChannel primary = join(first, "alpha", 3, stream, events);
        append(primary, all.subList(0, beforeCrash));
        await("acknowledged before the crash (" + where + ")", 10_000, () -> primary.stableLsn() == beforeCrash);
        crashImage(dir.resolve("first").resolve("alpha"), dir.resolve("second").resolve("alpha"));
        Path torn = lastSegment(dir.resolve("second").resolve("alpha"));
        byte[] partial = new byte[(int) FrameEncoder.frameLength(new Seed(7)) - 3];
        random.nextBytes(partial);
        Files.write(torn, partial, StandardOpenOption.APPEND); // a frame the crash tore
        host.close();
        await("the primary sees the logger gone", 5000, () -> events[0].closed.isDone());
        append(primary, all.subList(beforeCrash, beforeCrash + whileDown)); // kept for the logger meanwhile
        assertEquals(beforeCrash, primary.stableLsn(), where);

        InetSocketAddress second = freeLoopbackPort();
        LoggerHost restarted = startHost(dir.resolve("second"), second, log);
        assertTrue(restarted.status().contains("alpha: records 1.." + beforeCrash + " durable " + beforeCrash + ","), restarted.status());
        Events stale = new Events();
        toClose.add(dial(second, "alpha", 2, channel("alpha").newRecordStream(), stale));
        CloseReason superseded = stale.closed.get(5, TimeUnit.SECONDS);
        assertEquals(CloseReason.Kind.HANDSHAKE_REFUSED, superseded.kind(), where + ": the epoch was recovered: " + superseded);

        PrimaryChannel again = join(second, "alpha", 3, stream, events);
        assertEquals(beforeCrash, events[0].connected.get().lsn(), where + ": the restarted logger holds what was acknowledged");
        assertEquals(3, events[0].connected.get().epoch(), where);
        append(again, all.subList(beforeCrash + whileDown, all.size()));
        try {
            await("everything acknowledged (" + where + ")", 10_000, () -> again.stableLsn() == all.size());
        } catch (AssertionError e) {
            fail(e.getMessage() + ": " + restarted.status() + "; stable " + again.stableLsn() + " of " + all.size() + "; " + events[0].closed.getNow(null));
        }

        // The live records were rebuilt from the log: a recovery now gets exactly the live connections' records.
        again.close();
        LiveRecordSet reference = new LiveRecordSet(RetentionPolicy.CONNECTION_SCOPED);
        for (LoggedRecord r : numbered(all, 1)) reference.add(r.lsn(), r.record());
        Events fetched = new Events();
        BackupChannel recovering = toClose.add(fetch(second, "alpha", 3, fetched));
        try {
            assertEquals(all.size(), fetched.caughtUp.get(10, TimeUnit.SECONDS), where);
        } catch (java.util.concurrent.TimeoutException e) {
            fail(where + ": no caught-up; " + fetched.connected.getNow(null) + "; " + fetched.received().size() + " received; " + fetched.closed.getNow(null) + "; held " + recovering.heldLsn());
        }
        assertEquals(4, fetched.connected.get().epoch(), where + ": the next epoch after the recovered one");
        assertEquals(reference.snapshot(all.size()), fetched.received(), where);
        recovering.close();
        restarted.close();
        assertEquals(numbered(all, 1), readAll(dir.resolve("second").resolve("alpha"), log), where + ": every record once, in order");
    }

    /** A corrupt record in the middle of a cluster's log stops the logger with the file and offset; nothing is skipped. */
    @Test
    void aCorruptRecordInTheMiddleStopsTheLoggerNamingFileAndOffset() throws Exception {
        long seed = System.nanoTime();
        SplittableRandom random = new SplittableRandom(seed);
        LogConfig log = LOG.withSegmentBytes(4096);
        Path clusterDir = dir.resolve("alpha");
        List<Record> records = Traffic.serverRecords(random, 20, 0.5, 1);
        try (RecordLog writing = RecordLog.open(clusterDir, log)) {
            for (Record r : records) writing.append(r, 0);
            writing.commit(0);
            assertTrue(writing.segmentCount() >= 3, "seed " + seed + ": " + writing.segmentCount() + " segments");
        }
        Files.createDirectories(dir.resolve("beta")); // another cluster, healthy (empty)
        List<Path> segments;
        try (Stream<Path> files = Files.list(clusterDir)) {
            segments = files.filter(f -> f.toString().endsWith(".seg")).sorted().toList();
        }
        Path damaged = segments.get(random.nextInt(segments.size() - 1)); // not the last: never a torn tail
        long firstLsn = Long.parseLong(damaged.getFileName().toString().substring(0, 20));
        long offset = 0;
        long lsn = firstLsn;
        long nextStart = Long.parseLong(segments.get(segments.indexOf(damaged) + 1).getFileName().toString().substring(0, 20));
        int victim = random.nextInt((int) (nextStart - firstLsn));
        for (int i = 0; i < victim; i++) offset += FrameEncoder.frameLength(records.get((int) (lsn++ - 1)));
        int length = (int) FrameEncoder.frameLength(records.get((int) (lsn - 1)));
        long at = offset + 20 + random.nextInt(length - 20); // inside the record, past its header
        try (FileChannel f = FileChannel.open(damaged, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(1);
            f.read(b, at);
            b.put(0, (byte) (b.get(0) ^ 0x5a)).rewind();
            f.write(b, at);
        }
        String where = "seed " + seed + ", " + damaged.getFileName() + " byte " + at;
        InetSocketAddress listen = freeLoopbackPort();
        CorruptLogException e = assertThrows(CorruptLogException.class, () -> startHost(dir, listen, log), where);
        assertEquals(damaged, e.file(), where);
        assertEquals(offset, e.offset(), where);
        assertTrue(e.getMessage().contains(damaged.toString()) && e.getMessage().contains("offset " + offset), where + ": " + e.getMessage());
        // Nothing was cut or skipped, the log's lock was let go, and nothing listens.
        assertEquals(segments, Files.list(clusterDir).filter(f -> f.toString().endsWith(".seg")).sorted().toList(), where);
        CorruptLogException again = assertThrows(CorruptLogException.class, () -> startHost(dir, listen, log), where);
        assertEquals(offset, again.offset(), where);
        try (var s = java.nio.channels.ServerSocketChannel.open().bind(listen)) {
            assertTrue(s.isOpen());
        }
    }

    private static List<Long> segmentStarts(Path clusterDir) {
        try (Stream<Path> files = Files.list(clusterDir)) {
            return files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".seg")).sorted()
                    .map(n -> Long.parseLong(n.substring(0, 20))).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Connections that finished let the logger drop whole old segments; the live connections'
     * records stay, and a recovery (also from a restarted logger, which rebuilds them from what is
     * left) gets exactly them.
     */
    @Test
    void finishedConnectionsLetOldSegmentsGoWhileLiveRecordsStayFetchable() throws Exception {
        long seed = System.nanoTime();
        String where = "seed " + seed;
        SplittableRandom random = new SplittableRandom(seed);
        LogConfig log = LOG.withSegmentBytes(4096);
        List<Record> finished = Traffic.serverRecords(random, 30, 1.0, 1);
        List<Record> live = Traffic.serverRecords(random, 5, 0.0, 100);
        List<Record> all = new ArrayList<>(finished);
        all.addAll(live);
        InetSocketAddress at = freeLoopbackPort();
        LoggerHost host = startHostWithoutLingering(dir, at, log);
        Events[] events = new Events[1];
        PrimaryChannel primary = join(at, "alpha", 1, channel("alpha").newRecordStream(), events);
        append(primary, all);
        await("everything acknowledged (" + where + ")", 10_000, () -> primary.stableLsn() == all.size());

        LiveRecordSet reference = new LiveRecordSet(RetentionPolicy.CONNECTION_SCOPED, 0, 0);
        for (LoggedRecord r : numbered(all, 1)) reference.add(r.lsn(), r.record());
        long oldestLive = reference.oldestRetainedLsn();
        assertTrue(oldestLive > finished.size(), where + ": only the live connections are retained");
        Path clusterDir = dir.resolve("alpha");
        List<Long> before = segmentStarts(clusterDir);
        long keepFrom = before.stream().filter(s -> s <= oldestLive).max(Long::compare).orElseThrow();
        assertTrue(keepFrom > 1, where + ": segments to drop " + before);
        await("segments below LSN " + keepFrom + " dropped (" + where + "), now " + segmentStarts(clusterDir), 5000,
                () -> segmentStarts(clusterDir).getFirst() == keepFrom);
        assertEquals(before.subList(before.indexOf(keepFrom), before.size()), segmentStarts(clusterDir), where);

        primary.close();
        Events fetched = new Events();
        toClose.add(fetch(at, "alpha", 1, fetched)).getClass();
        assertEquals(all.size(), fetched.caughtUp.get(10, TimeUnit.SECONDS), where);
        List<LoggedRecord> expected = reference.snapshot(all.size());
        assertEquals(expected, fetched.received(), where);

        host.close();
        long restarting = System.nanoTime();
        LoggerHost restarted = startHostWithoutLingering(dir, at, log);
        assertTrue(restarted.status().contains("alpha: records " + keepFrom + ".." + all.size()), restarted.status());
        Events again = new Events();
        toClose.add(fetch(at, "alpha", 2, again));
        assertEquals(all.size(), again.caughtUp.get(10, TimeUnit.SECONDS), where);
        assertTrue(again.connectedAt - restarting >= LEASE.toNanos(),
                "a restarted logger serves a recovery only a lease after it started (a primary may still hold one it granted before)");
        assertEquals(3, again.connected.get().epoch(), where);
        assertEquals(expected, again.received(), where + ": the restarted logger rebuilt the live records from what is left");
    }

    /**
     * A new logger (or one that lost its directory) behind a running primary that already dropped
     * records as stable: the primary sends the live records as a catch-up, with LSN gaps. The
     * logger stores them and acknowledges what follows (it used to take the catch-up and stall
     * the primary without a word: its log takes no gaps); a recovery, also after a restart, gets
     * the live records.
     */
    @Test
    void aFreshLoggerBehindARunningPrimaryStoresTheCatchUp() throws Exception {
        long seed = System.nanoTime();
        String where = "seed " + seed;
        SplittableRandom random = new SplittableRandom(seed);
        List<Record> before = new ArrayList<>(Traffic.serverRecords(random, 10, 0.5, 1));
        Traffic.Conversation last = new Traffic.Conversation(Traffic.client(77), random);
        before.addAll(last.open());
        before.addAll(last.finish()); // the stream ends with records retention drops: the catch-up ends below the stable LSN
        InetSocketAddress first = freeLoopbackPort();
        LoggerHost lost = startHost(dir.resolve("lost"), first, LOG);
        RecordStream stream = channel("alpha").newRecordStream();
        LiveRecordSet retained = new LiveRecordSet(RetentionPolicy.CONNECTION_SCOPED);
        for (LoggedRecord r : numbered(before, 1)) retained.add(r.lsn(), r.record());
        Events events = new Events();
        PrimaryChannel primary = toClose.add(PrimaryChannel.connect(first, null, CONNECT, channel("alpha"), 1, stream,
                retained::snapshot, events));
        append(primary, before);
        await("stable", 10_000, () -> primary.stableLsn() == before.size());
        lost.close();
        await("the primary sees the logger gone", 5000, () -> events.closed.isDone());

        InetSocketAddress second = freeLoopbackPort();
        LoggerHost fresh = startHost(dir.resolve("fresh"), second, LOG);
        Events again = new Events();
        PrimaryChannel caughtUp = toClose.add(PrimaryChannel.connect(second, null, CONNECT, channel("alpha"), 1, stream,
                retained::snapshot, again));
        again.connected.get(5, TimeUnit.SECONDS);
        await("the catch-up stored (" + where + ")", 5000, () -> durableLsn(fresh, "alpha") > 0);
        Thread.sleep(100);
        // The connection drops before any new record: the logger holds everything up to the primary's stable LSN.
        caughtUp.close();
        Events[] joined = new Events[1];
        PrimaryChannel resumed = join(second, "alpha", 1, stream, joined);
        Events resumedEvents = joined[0];
        assertEquals(before.size(), resumedEvents.connected.get().lsn(), where);
        Seed after = new Seed(42);
        long lastLsn = resumed.append(after);
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (resumed.stableLsn() < lastLsn) {
            assertFalse(resumedEvents.closed.isDone(), () -> where + ": " + resumedEvents.closed.getNow(null));
            assertTrue(System.nanoTime() - end < 0, where + ": the primary is not protected: " + fresh.status());
            Thread.sleep(5);
        }
        resumed.close();
        List<LoggedRecord> expected = new ArrayList<>(retained.snapshot(before.size()));
        expected.add(new LoggedRecord(lastLsn, after));
        Events fetched = new Events();
        toClose.add(fetch(second, "alpha", 1, fetched));
        assertEquals(lastLsn, fetched.caughtUp.get(5, TimeUnit.SECONDS), where);
        assertEquals(expected, fetched.received(), where);
        fresh.close();
        toClose.add(startHost(dir.resolve("fresh"), second, LOG));
        Events afterRestart = new Events();
        toClose.add(fetch(second, "alpha", 2, afterRestart));
        assertEquals(lastLsn, afterRestart.caughtUp.get(5, TimeUnit.SECONDS), where);
        assertEquals(expected, afterRestart.received(), where + ": rebuilt from the log");
        // The log holds the catch-up's records at their own LSNs.
        List<LoggedRecord> stored = readAllAfterClose(dir.resolve("fresh"), second);
        for (LoggedRecord e : expected) {
            assertEquals(e, stored.stream().filter(r -> r.lsn() == e.lsn()).findFirst().orElse(null), where);
        }
    }

    /**
     * A catch-up into an empty log creates its first segment, named by the first record's LSN, at
     * the append and writes it at the commit: a crash in between leaves that segment empty. The
     * restarted logger holds nothing and takes the catch-up (it answered "I hold up to LSN 499"
     * and refused the primary, records missing, on every redial, for good).
     */
    @Test
    void aLoggerRestartedOnAnEmptyFirstSegmentTakesThePrimarysCatchUp() throws Exception {
        Path clusterDir = dir.resolve("alpha");
        Files.createDirectories(clusterDir);
        Files.createFile(clusterDir.resolve("00000000000000000500.seg"));
        InetSocketAddress at = freeLoopbackPort();
        LoggerHost host = startHost(dir, at, LOG);
        List<Record> live = new Traffic.Conversation(Traffic.client(1), new SplittableRandom(1)).open();
        List<LoggedRecord> catchUp = numbered(live, 500);
        RecordStream stream = channel("alpha").newRecordStream();
        stream.resetTo(999); // it dropped LSNs 1..999 as stable; its live connection's records start at 500
        Events events = new Events();
        toClose.add(PrimaryChannel.connect(at, null, CONNECT, channel("alpha"), 1, stream, lsn -> catchUp, events));
        await("the logger's answer", 5000, () -> events.connected.isDone() || events.closed.isDone());
        assertFalse(events.closed.isDone(), () -> "refused: " + events.closed.getNow(null));
        assertEquals(0, events.connected.get().lsn(), "the logger holds nothing");
        await("the catch-up stored, " + host.status(), 5000, () -> durableLsn(host, "alpha") == 999);
        assertTrue(host.status().contains("alpha: records 500..999"), host.status());
    }

    /**
     * A catch-up announcing an end far past its records (one record at LSN 1, CAUGHT_UP at LSN
     * 2^20 - 1, past this logger's bound of 1,000 LSNs to fill) is refused before anything is
     * filled, the primary told the numbers. (At 2^40 it
     * wrote empty heartbeats until its disk was full, its cluster's lock held, and its own reader,
     * stuck, made it drop the primary as silent.)
     */
    @Test
    void aCatchUpAnnouncingAnEndFarPastItsRecordsIsRefusedNotFilled() throws Exception {
        InetSocketAddress at = freeLoopbackPort();
        LoggerHost host = toClose.add(LoggerHost.start(config(dir, at, LOG).withMaxCatchUpFill(1000)));
        List<Record> live = new Traffic.Conversation(Traffic.client(1), new SplittableRandom(1)).open();
        RecordStream stream = channel("alpha").newRecordStream();
        stream.resetTo((1L << 20) - 1);
        Events events = new Events();
        toClose.add(PrimaryChannel.connect(at, null, CONNECT, channel("alpha"), 1, stream,
                lsn -> List.of(new LoggedRecord(1, live.getFirst())), events));
        CloseReason why = events.closed.get(5, TimeUnit.SECONDS);
        assertTrue(why.message().contains("leaves LSNs 2..1048575 without a record") && why.message().contains("of the 1000 this logger fills"),
                why.toString());
        assertTrue(host.status().contains("alpha: records 1..1 "), "nothing filled: " + host.status());
    }

    /**
     * One I/O error fails a cluster's log for good (what a failed write or force left on disk is
     * unknown): here its next segment cannot be created at a roll, as on a full disk. The logger
     * stops itself, saying why, for its supervisor to start it again; the start recovers the log,
     * and a recovery is served every record acknowledged. (It stayed up refusing every recovery
     * of the cluster, its committer gone, until someone restarted it by hand.)
     */
    @Test
    void aClusterLogThatFailsStopsTheLoggerAndAStartRecoversIt() throws Exception {
        LogConfig log = LOG.withSegmentBytes(400); // SEED frames are 40 bytes: segments at LSN 1, 11, 21, ...
        InetSocketAddress at = freeLoopbackPort();
        LoggerHost host = startHost(dir, at, log);
        Events events = new Events();
        PrimaryChannel primary = toClose.add(dial(at, "alpha", 1, channel("alpha").newRecordStream(), events));
        events.connected.get(5, TimeUnit.SECONDS);
        for (int i = 1; i <= 15; i++) primary.append(new Seed(i));
        await("15 stable", 5000, () -> primary.stableLsn() == 15);
        Path blocker = dir.resolve("alpha").resolve("00000000000000000021.seg");
        Files.createDirectory(blocker); // the roll at LSN 21 cannot create its segment
        for (int i = 16; i <= 25; i++) primary.append(new Seed(i));
        String why = host.failure().get(5, TimeUnit.SECONDS);
        assertTrue(why.contains("cluster 'alpha'") && why.contains(blocker.getFileName().toString()), why);
        await("the primary's channel ends", 5000, () -> events.closed.isDone());
        long acknowledged = primary.stableLsn();
        assertTrue(acknowledged >= 15 && acknowledged < 21, "acknowledged " + acknowledged);
        primary.close();

        Files.delete(blocker); // the supervisor starts it again, the condition gone
        InetSocketAddress again = freeLoopbackPort(); // (the old port may be held a moment by the old listener's close)
        startHost(dir, again, log);
        Events fetched = new Events();
        toClose.add(fetch(again, "alpha", 1, fetched));
        await("the recovery's answer", 5000, () -> fetched.connected.isDone() || fetched.closed.isDone());
        assertTrue(fetched.connected.isDone(), () -> "refused: " + fetched.closed.getNow(null));
        assertTrue(fetched.caughtUp.get(5, TimeUnit.SECONDS) >= acknowledged, "every acknowledged record kept");
    }

    private List<LoggedRecord> readAllAfterClose(Path directory, InetSocketAddress at) throws Exception {
        toClose.closeAll();
        return readAll(directory.resolve("alpha"), LOG);
    }
}
