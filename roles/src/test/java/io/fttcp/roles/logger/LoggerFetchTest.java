package io.fttcp.roles.logger;

import io.fttcp.replication.channel.CloseReason;
import io.fttcp.replication.channel.PrimaryChannel;
import io.fttcp.replication.channel.ReplicationChannel;
import io.fttcp.replication.codec.FrameEncoder;
import io.fttcp.replication.codec.Handshake;
import io.fttcp.replication.codec.Role;
import io.fttcp.replication.record.Accept;
import io.fttcp.replication.record.Clock;
import io.fttcp.replication.record.Close;
import io.fttcp.replication.record.Connect;
import io.fttcp.replication.record.Read;
import io.fttcp.replication.record.Segment;
import io.fttcp.replication.record.Write;
import io.fttcp.replication.record.LoggedRecord;
import io.fttcp.replication.record.Record;
import io.fttcp.replication.retention.LiveRecordSet;
import io.fttcp.replication.retention.RetentionPolicy;
import io.fttcp.replication.stream.RecordStream;
import io.fttcp.stack.tcp.FourTuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static io.fttcp.roles.logger.LoggerTesting.*;
import static org.junit.jupiter.api.Assertions.*;

/** A recovering server's fetch: fenced by the primary's channel and lease, and by an earlier recovery's grant. */
class LoggerFetchTest {
    /** The logger's wait before it tells a requester to ask again. */
    private static final long FETCH_WAIT_MILLIS = 1500;

    @TempDir
    Path dir;
    @RegisterExtension
    final ClosedAfterEach toClose = new ClosedAfterEach();

    /** A server's records: some connections finished (their records must not be fetched), some live. */
    private record Served(List<Record> records, Set<FourTuple> finished, Set<FourTuple> live) {
    }

    private static Served serve(SplittableRandom random, int finishedCount, int liveCount) {
        List<Traffic.Conversation> conversations = new ArrayList<>();
        for (int i = 0; i < finishedCount + liveCount; i++) conversations.add(new Traffic.Conversation(Traffic.client(i + 1), random));
        List<Record> records = new ArrayList<>();
        for (Traffic.Conversation c : conversations) records.addAll(c.open());
        for (int round = 0; round < 3; round++) {
            for (Traffic.Conversation c : conversations) records.addAll(c.exchange(1 + random.nextInt(1500), random.nextInt(4000)));
        }
        Set<FourTuple> finished = new HashSet<>();
        Set<FourTuple> live = new HashSet<>();
        for (int i = 0; i < conversations.size(); i++) {
            Traffic.Conversation c = conversations.get(i);
            if (i < finishedCount) {
                records.addAll(c.finish());
                finished.add(c.tuple);
            } else {
                if (i % 2 == 0) records.addAll(c.halfClose()); // closed by the application, our FIN not yet acknowledged
                live.add(c.tuple);
            }
        }
        return new Served(records, finished, live);
    }

    /**
     * What a logger without lingering serves: these tests check which connections a fetch
     * leaves out, so their loggers drop finished connections at once (lingering is
     * LiveRecordSet's own, tested there).
     */
    private static List<LoggedRecord> snapshotOf(List<Record> records) {
        LiveRecordSet reference = new LiveRecordSet(RetentionPolicy.CONNECTION_SCOPED, 0, 0);
        long lsn = 1;
        for (Record r : records) reference.add(lsn++, r);
        return reference.snapshot(records.size());
    }

    private static Set<FourTuple> connected(List<LoggedRecord> records) {
        Set<FourTuple> out = new HashSet<>();
        for (LoggedRecord r : records) if (r.record() instanceof Connect c) out.add(c.tuple());
        return out;
    }

    private static FourTuple connectionOf(Record r) {
        return switch (r) {
            case Connect c -> c.tuple();
            case Segment s -> s.tuple();
            case Accept a -> a.connection();
            case Read rd -> rd.connection();
            case Write w -> w.connection();
            case Close c -> c.socket();
            case Clock c -> c.context();
            default -> null;
        };
    }

    private static long append(PrimaryChannel p, List<Record> records) {
        long last = 0;
        for (Record r : records) last = p.append(r);
        return last;
    }

    /**
     * The logger ended a fetch unserved after its wait, within the requester's handshake timeout,
     * telling it to ask again. (The logger closes the socket right after its REJECT while the
     * requester's heartbeats lie unread, so the kernel resets the connection; a requester whose
     * heartbeat write meets the reset first closes as PEER_CLOSED without reading the REJECT.
     * That race is the replication channel's; a requester asks again either way.)
     */
    private static void assertToldToAskAgain(Events e, long askedAt) {
        assertFalse(e.connected.isDone(), "served");
        CloseReason why = e.closed.getNow(null);
        assertNotNull(why, "still waiting");
        long waited = TimeUnit.NANOSECONDS.toMillis(e.closedAt - askedAt);
        assertTrue(waited >= FETCH_WAIT_MILLIS && waited < 2000, "ended after " + waited + " ms: " + why);
        if (why.kind() != CloseReason.Kind.PEER_CLOSED) {
            assertEquals(CloseReason.Kind.HANDSHAKE_REFUSED, why.kind(), why.toString());
            assertTrue(why.message().contains("ask again"), why.message());
        }
    }

    /** Asks until the logger serves the fetch; each unserved attempt must have been told to ask again. */
    private Events fetchUntilServed(InetSocketAddress at, String cluster, long knownEpoch, long withinMillis) throws Exception {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(withinMillis);
        while (true) {
            Events e = new Events();
            long asked = System.nanoTime();
            toClose.add(fetch(at, cluster, knownEpoch, e));
            while (!e.connected.isDone() && !e.closed.isDone()) Thread.sleep(1);
            if (e.connected.isDone()) return e;
            assertToldToAskAgain(e, asked);
            assertTrue(System.nanoTime() - end < 0, "not served within " + withinMillis + " ms: " + e.closed.get());
        }
    }

    @Test
    void aFetchIsServedOnlyOnceThePrimaryIsGoneAndItsLeaseOverThenTheOldEpochIsRefused() throws Exception {
        long seed = System.nanoTime();
        String where = "seed " + seed;
        SplittableRandom random = new SplittableRandom(seed);
        Served served = serve(random, 3, 4);
        List<Record> records = served.records();
        InetSocketAddress at = freeLoopbackPort();
        LoggerHost host = toClose.add(LoggerHost.start(config(dir, at, LOG).withLingering(0, 0)));
        RecordStream oldStream = channel("alpha").newRecordStream();
        Events primaryEvents = new Events();
        PrimaryChannel primary = toClose.add(dial(at, "alpha", 1, oldStream, primaryEvents));
        assertEquals(1, primaryEvents.connected.get(5, TimeUnit.SECONDS).epoch());
        long through = append(primary, records);
        await("all stable (" + where + ")", 10_000, () -> primary.stableLsn() == through);

        // The primary is connected: the fetch waits, then is told to ask again (within the requester's handshake timeout).
        Events refused = new Events();
        long asked = System.nanoTime();
        toClose.add(fetch(at, "alpha", 1, refused));
        refused.closed.get(5, TimeUnit.SECONDS);
        assertToldToAskAgain(refused, asked);
        assertEquals(1, new EpochFile(dir.resolve("alpha")).read(), "a refused fetch grants nothing");
        assertFalse(primaryEvents.closed.isDone(), () -> "the primary is untouched: " + primaryEvents.closed.getNow(null));

        // The primary's channel closes: served once its lease is surely over.
        long closing = System.nanoTime();
        assertTrue(primary.leaseValid(closing), "the primary held a lease when its channel closed");
        primary.close();
        long leaseEnd = primary.leaseExpiresAt(System.nanoTime());
        Events recovery = fetchUntilServed(at, "alpha", 1, 5000);
        assertTrue(recovery.connectedAt - leaseEnd >= 0, "served " + (leaseEnd - recovery.connectedAt) / 1000 + " us before the old primary's lease ended");
        Handshake answer = recovery.connected.get();
        assertEquals(2, answer.epoch(), "the next epoch");
        assertEquals(through + 1, answer.lsn());
        assertEquals(through, recovery.caughtUp.get(5, TimeUnit.SECONDS), where);
        List<LoggedRecord> fetched = recovery.received();
        assertEquals(snapshotOf(records), fetched, where + ": exactly the live connections' records");
        assertEquals(served.live(), connected(fetched), where);
        for (LoggedRecord r : fetched) {
            assertFalse(served.finished().contains(connectionOf(r.record())), where + ": a finished connection's record was fetched: " + r);
        }
        assertEquals(2, new EpochFile(dir.resolve("alpha")).read(), "the grant is durable");

        // The superseded primary may not join again; the recovered one continues after the fetched LSN.
        Events stale = new Events();
        toClose.add(dial(at, "alpha", 1, oldStream, stale));
        CloseReason superseded = stale.closed.get(5, TimeUnit.SECONDS);
        assertEquals(CloseReason.Kind.HANDSHAKE_REFUSED, superseded.kind(), superseded.toString());
        assertTrue(superseded.message().contains("superseded"), superseded.message());

        RecordStream newStream = channel("alpha").newRecordStream();
        newStream.resetTo(through);
        Events newEvents = new Events();
        PrimaryChannel recovered = toClose.add(dial(at, "alpha", 2, newStream, newEvents));
        assertEquals(through, newEvents.connected.get(5, TimeUnit.SECONDS).lsn(), newEvents.closed.getNow(null) + "");
        Traffic.Conversation next = new Traffic.Conversation(Traffic.client(99), random);
        List<Record> more = new ArrayList<>(next.open());
        more.addAll(next.exchange(10, 20));
        long last = append(recovered, more);
        assertEquals(through + more.size(), last);
        await("the recovered primary's records stable", 5000, () -> recovered.stableLsn() == last);
        recovered.close();
        host.close();
        List<Record> all = new ArrayList<>(records);
        all.addAll(more);
        List<LoggedRecord> expected = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) expected.add(new LoggedRecord(i + 1, all.get(i)));
        assertEquals(expected, readAll(dir.resolve("alpha"), LOG), where);
    }

    @Test
    void aSecondRecoveryWaitsUntilTheFirstsGrantRunsOut() throws Exception {
        Duration grant = Duration.ofMillis(2500);
        SplittableRandom random = new SplittableRandom(7);
        Served served = serve(random, 2, 2);
        InetSocketAddress at = freeLoopbackPort();
        toClose.add(LoggerHost.start(config(dir, at, LOG).withRecoveryGrant(grant).withLingering(0, 0)));
        Events primaryEvents = new Events();
        PrimaryChannel primary = toClose.add(dial(at, "alpha", 1, channel("alpha").newRecordStream(), primaryEvents));
        long through = append(primary, served.records());
        await("all stable", 10_000, () -> primary.stableLsn() == through);
        primary.close();

        long firstAsked = System.nanoTime(); // the grant starts after this
        Events first = fetchUntilServed(at, "alpha", 1, 5000);
        assertEquals(2, first.connected.get().epoch());
        assertEquals(through, first.caughtUp.get(5, TimeUnit.SECONDS));

        // While the first recovery has not joined, another waits; another primary epoch may not join either.
        Events early = new Events();
        long asked = System.nanoTime();
        toClose.add(fetch(at, "alpha", 1, early));
        early.closed.get(5, TimeUnit.SECONDS);
        assertToldToAskAgain(early, asked);
        Events intruder = new Events();
        toClose.add(dial(at, "alpha", 7, channel("alpha").newRecordStream(), intruder));
        CloseReason refusedJoin = intruder.closed.get(5, TimeUnit.SECONDS);
        assertEquals(CloseReason.Kind.HANDSHAKE_REFUSED, refusedJoin.kind(), refusedJoin.toString());
        assertTrue(refusedJoin.message().contains("being recovered"), refusedJoin.message());

        Events second = fetchUntilServed(at, "alpha", 1, 5000);
        long after = second.connectedAt - firstAsked;
        assertTrue(after >= grant.toNanos(), "the second recovery was served " + after / 1_000_000 + " ms after the first, within its grant");
        assertEquals(3, second.connected.get().epoch());
        assertEquals(through, second.caughtUp.get(5, TimeUnit.SECONDS));
        assertEquals(snapshotOf(served.records()), second.received());
        assertEquals(3, new EpochFile(dir.resolve("alpha")).read());

        // The first recovery, late, is superseded; the second joins.
        RecordStream late = channel("alpha").newRecordStream();
        late.resetTo(through);
        Events lateEvents = new Events();
        toClose.add(dial(at, "alpha", 2, late, lateEvents));
        assertEquals(CloseReason.Kind.HANDSHAKE_REFUSED, lateEvents.closed.get(5, TimeUnit.SECONDS).kind());
        RecordStream winner = channel("alpha").newRecordStream();
        winner.resetTo(through);
        Events winnerEvents = new Events();
        toClose.add(dial(at, "alpha", 3, winner, winnerEvents));
        assertEquals(through, winnerEvents.connected.get(5, TimeUnit.SECONDS).lsn());
    }

    /** A primary whose channel closed before the logger ever echoed its heartbeat held no lease from it: recovery goes on. */
    @Test
    void aPrimaryThatNeverHeartbeatedDoesNotBlockRecovery() throws Exception {
        InetSocketAddress at = freeLoopbackPort();
        toClose.add(LoggerHost.start(config(dir, at, LOG)));
        try (Socket raw = new Socket(at.getAddress(), at.getPort())) {
            ByteBuffer hello = ByteBuffer.allocate(512);
            new FrameEncoder().encodeHandshake(new Handshake(ReplicationChannel.PROTOCOL_VERSION, Role.PRIMARY, "alpha", 1, 1), hello);
            raw.getOutputStream().write(hello.array(), 0, hello.position());
            raw.setSoTimeout(3000);
            assertTrue(raw.getInputStream().read() >= 0, "the logger answered");
            Thread.sleep(100); // the logger took it as its primary
        }
        Events recovery = fetchUntilServed(at, "alpha", 1, 4000);
        assertEquals(2, recovery.connected.get().epoch());
        assertEquals(0, recovery.caughtUp.get(5, TimeUnit.SECONDS));
    }

    /**
     * A hand-driven primary: joins with {@code livenessPort} in its handshake, heartbeats every
     * 20 ms for 500 ms (the logger echoes each: it holds a lease), then ends the connection as
     * given. Returns when it ended (System.nanoTime()).
     */
    private static long primaryThatHeartbeatsThenEnds(InetSocketAddress logger, int livenessPort, boolean saysGoodbye,
                                                      boolean reset) throws Exception {
        return primaryThatHeartbeatsThenEnds(logger, livenessPort, 0, List.of(), 0, saysGoodbye, reset);
    }

    /**
     * As above, telling the logger it may serve on without it {@code unprotectedAfterMillis} after
     * losing it, sending {@code records} (LSN 1 on) first, and silent for {@code silentMillis}
     * before it ends (past the lease: its lease has run out when its channel ends).
     */
    private static long primaryThatHeartbeatsThenEnds(InetSocketAddress logger, int livenessPort, int unprotectedAfterMillis, List<Record> records,
                                                      long silentMillis, boolean saysGoodbye, boolean reset) throws Exception {
        try (Socket raw = new Socket(logger.getAddress(), logger.getPort())) {
            FrameEncoder encoder = new FrameEncoder();
            ByteBuffer out = ByteBuffer.allocate(1 << 20);
            encoder.encodeHandshake(new Handshake(ReplicationChannel.PROTOCOL_VERSION, Role.PRIMARY, "alpha", 1, 1, livenessPort,
                    unprotectedAfterMillis), out);
            raw.getOutputStream().write(out.array(), 0, out.position());
            raw.setSoTimeout(3000);
            assertTrue(raw.getInputStream().read() >= 0, "the logger answered");
            out.clear();
            long lsn = 1;
            for (Record r : records) assertTrue(encoder.encode(lsn++, r, out), "a record fits");
            raw.getOutputStream().write(out.array(), 0, out.position());
            long end = System.nanoTime() + 500_000_000L;
            while (System.nanoTime() - end < 0) {
                out.clear();
                encoder.encodeHeartbeat(0, System.nanoTime(), 0, out);
                raw.getOutputStream().write(out.array(), 0, out.position());
                Thread.sleep(20);
            }
            Thread.sleep(silentMillis);
            if (saysGoodbye) {
                out.clear();
                encoder.encodeReject("giving the channel up", out);
                raw.getOutputStream().write(out.array(), 0, out.position());
            }
            if (reset) raw.setSoLinger(true, 0); // as the kernel of a killed process with unread input does
            long endedAt = System.nanoTime();
            raw.close();
            return endedAt;
        }
    }

    /** A liveness port that answers (accepts and closes), as a live primary's does; closed, it stops. */
    private static java.net.ServerSocket aliveLivenessPort() throws Exception {
        java.net.ServerSocket alive = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(() -> {
            while (!alive.isClosed()) {
                try (Socket asked = alive.accept()) {
                    // accepted and closed: "alive"
                } catch (java.io.IOException e) {
                    return;
                }
            }
        });
        return alive;
    }

    /** A port nothing listens on any more (a primary process that is gone). */
    private static int deadPort() throws Exception {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /**
     * A primary whose channel ends without a word (reset or closed by its kernel) and whose
     * liveness port is refused is gone: its lease no longer holds a recovery back. The lease here
     * is 300 ms; the recovery is served long before it ends.
     */
    @Test
    void aGonePrimarysLeaseDoesNotHoldRecoveryBack() throws Exception {
        for (boolean reset : new boolean[] {true, false}) {
            InetSocketAddress at = freeLoopbackPort(); // a fresh logger each round: a served recovery's grant holds the next back
            toClose.add(LoggerHost.start(config(dir.resolve(reset ? "reset" : "closed"), at, LOG)));
            long ended = primaryThatHeartbeatsThenEnds(at, deadPort(), false, reset);
            Events recovery = fetchUntilServed(at, "alpha", 1, 4000);
            long after = (recovery.connectedAt - ended) / 1_000_000;
            assertTrue(after < LEASE.toMillis() - 100, (reset ? "reset" : "closed") + ": served " + after + " ms after the primary's end; its lease is "
                    + LEASE.toMillis() + " ms and its process was gone");
        }
    }

    /**
     * The lease still counts when the primary may live: its liveness port answers (it gave the
     * channel up alive, its REJECT lost), or it said goodbye (its REJECT came), or it named no
     * liveness port.
     */
    @Test
    void aPrimaryThatMayLiveHoldsRecoveryBackForItsLease() throws Exception {
        try (java.net.ServerSocket alive = aliveLivenessPort()) {
            record Case(String name, int port, boolean goodbye) {}
            for (Case c : List.of(new Case("liveness port answers", alive.getLocalPort(), false),
                    new Case("said goodbye", deadPort(), true), new Case("no liveness port", 0, false))) {
                InetSocketAddress at = freeLoopbackPort(); // a fresh logger each round: a served recovery's grant holds the next back
                toClose.add(LoggerHost.start(config(dir.resolve(c.name().replace(' ', '-')), at, LOG)));
                long ended = primaryThatHeartbeatsThenEnds(at, c.port(), c.goodbye(), true);
                Events recovery = fetchUntilServed(at, "alpha", 1, 4000);
                long after = (recovery.connectedAt - ended) / 1_000_000;
                // Its last heartbeat, echoed, went at most 20 ms before its end: the lease ran at least 280 ms after.
                assertTrue(after >= LEASE.toMillis() - 40, c.name() + ": served " + after + " ms after the primary's end, within its lease ("
                        + LEASE.toMillis() + " ms)");
            }
        }
    }

    /**
     * A primary under {@code logger.on-loss = continue} may serve its clients without the logger
     * one claim window after losing it (at once if its lease still ran), and tells the logger so
     * in its handshake. A recovery served later than that, from a primary not found gone before
     * it could, or one whose primary lived on after a channel that ended while its lease ran,
     * gets the records marked incomplete (it restores none of their connections and resets their
     * clients, StaleCopy): they may be behind the clients. A primary that never serves past the
     * log (stall), one served within the window (a lease that ran at the end, as a killed
     * process's kernel ends it, is no sign of life), and one found gone (its liveness port
     * refused) at once get them whole.
     */
    @Test
    void aRecoveryLongAfterAContinuePrimaryWasLastHeardGetsItsRecordsMarkedIncomplete() throws Exception {
        List<Record> records = new Traffic.Conversation(Traffic.client(1), new SplittableRandom(5)).open();
        try (java.net.ServerSocket alive = aliveLivenessPort()) {
            // silent 350 ms before its end: its lease (300 ms) has run out, unless the case says it ran on
            record Case(String name, int unprotectedAfter, int liveness, long silent, long servedAfter, boolean marked) {}
            for (Case c : List.of(
                    new Case("stall policy, served late", 0, 0, 350, 2_000, false),
                    new Case("continue, served within its claim window", 3_000, 0, 350, 0, false),
                    new Case("continue, served past its claim window", 1_000, 0, 350, 1_500, true),
                    new Case("continue, silent (its host lost), served past its claim window", 1_000, 0, 600, 1_500, true),
                    new Case("continue, its lease running at the end, not found alive", 3_000, 0, 0, 0, false),
                    new Case("continue, its lease running at the end, alive after", 3_000, alive.getLocalPort(), 0, 0, true),
                    new Case("continue, its lease run out at the end, alive after", 3_000, alive.getLocalPort(), 350, 0, false),
                    new Case("continue, found gone at once, served late", 1_000, deadPort(), 0, 1_500, false))) {
                InetSocketAddress at = freeLoopbackPort(); // a fresh logger each round: a served recovery's grant holds the next back
                toClose.add(LoggerHost.start(config(dir.resolve(c.name().replaceAll("[ ,]+", "-")), at, LOG)));
                long ended = primaryThatHeartbeatsThenEnds(at, c.liveness(), c.unprotectedAfter(), records, c.silent(), false, true);
                Thread.sleep(Math.max(0, c.servedAfter() - (System.nanoTime() - ended) / 1_000_000));
                Events recovery = fetchUntilServed(at, "alpha", 1, 4000);
                assertEquals(records.size(), recovery.caughtUp.get(5, TimeUnit.SECONDS), c.name());
                Long incomplete = recovery.incomplete.getNow(null);
                assertEquals(c.marked() ? Long.valueOf(records.size()) : null, incomplete, c.name() + ": served "
                        + (recovery.connectedAt - ended) / 1_000_000 + " ms after the primary's end");
            }
        }
    }

    /** Closing the logger ends every connection it serves: its primaries', a served recovery's, and a fetch still waiting. */
    @Test
    void closingTheLoggerEndsEveryConnection() throws Exception {
        InetSocketAddress at = freeLoopbackPort();
        LoggerHost host = toClose.add(LoggerHost.start(config(dir, at, LOG)));
        Events beta = new Events();
        toClose.add(dial(at, "beta", 1, channel("beta").newRecordStream(), beta));
        beta.connected.get(5, TimeUnit.SECONDS);
        Events served = fetchUntilServed(at, "alpha", 0, 3000);
        served.caughtUp.get(5, TimeUnit.SECONDS);
        Events waiting = new Events();
        toClose.add(fetch(at, "beta", 1, waiting)); // beta's primary is connected: this one waits
        Thread.sleep(200);
        host.close();
        await("every connection ended: primary " + beta.closed.isDone() + ", served recovery " + served.closed.isDone()
                + ", waiting fetch " + waiting.closed.isDone(), 3000, () -> beta.closed.isDone() && served.closed.isDone() && waiting.closed.isDone());
        assertFalse(waiting.connected.isDone());
    }

    /** An application whose state spans connections: the logger keeps every record, finished connections' too, and a recovery gets them all. */
    @Test
    void retainingEverythingServesEveryRecord() throws Exception {
        SplittableRandom random = new SplittableRandom(11);
        Served served = serve(random, 3, 1);
        InetSocketAddress at = freeLoopbackPort();
        LoggerHost host = toClose.add(LoggerHost.start(new LoggerConfig(dir, at, LOG, channel("logger"), RetentionPolicy.EVERYTHING)));
        Events primaryEvents = new Events();
        PrimaryChannel primary = toClose.add(dial(at, "alpha", 1, channel("alpha").newRecordStream(), primaryEvents));
        long through = append(primary, served.records());
        await("all stable", 10_000, () -> primary.stableLsn() == through);
        primary.close();
        Events recovery = fetchUntilServed(at, "alpha", 1, 5000);
        assertEquals(through, recovery.caughtUp.get(5, TimeUnit.SECONDS));
        List<LoggedRecord> all = new ArrayList<>();
        for (int i = 0; i < served.records().size(); i++) all.add(new LoggedRecord(i + 1, served.records().get(i)));
        assertEquals(all, recovery.received());
        host.close();
        // ... also rebuilt from the log after a restart.
        toClose.add(LoggerHost.start(new LoggerConfig(dir, at, LOG, channel("logger"), RetentionPolicy.EVERYTHING)));
        Events again = fetchUntilServed(at, "alpha", 2, 5000);
        assertEquals(3, again.connected.get().epoch());
        assertEquals(through, again.caughtUp.get(5, TimeUnit.SECONDS));
        assertEquals(all, again.received());
    }

    /**
     * A primary whose connection to the logger vanished (no FIN: a network cut) redials before the
     * logger noticed: it must be taken once the logger sees the old channel dead, not refused (a
     * primary refused by its logger steps down).
     */
    @Test
    void aPrimaryRedialingBeforeTheLoggerNoticedItsOldChannelDeadIsTaken() throws Exception {
        InetSocketAddress at = freeLoopbackPort();
        toClose.add(LoggerHost.start(config(dir, at, LOG)));
        try (Socket vanished = new Socket(at.getAddress(), at.getPort())) {
            ByteBuffer hello = ByteBuffer.allocate(512);
            new FrameEncoder().encodeHandshake(new Handshake(ReplicationChannel.PROTOCOL_VERSION, Role.PRIMARY, "alpha", 1, 1), hello);
            vanished.getOutputStream().write(hello.array(), 0, hello.position());
            vanished.setSoTimeout(3000);
            assertTrue(vanished.getInputStream().read() >= 0, "the logger answered");
            Thread.sleep(50);
            // ... and then nothing more from it: the logger finds it silent only after its detection timeout.
            Events redial = new Events();
            toClose.add(dial(at, "alpha", 1, channel("alpha").newRecordStream(), redial));
            long start = System.nanoTime();
            while (!redial.connected.isDone() && !redial.closed.isDone()) {
                assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5), "no answer");
                Thread.sleep(1);
            }
            assertTrue(redial.connected.isDone(), () -> "refused: " + redial.closed.getNow(null));
        }
    }

    /**
     * A primary's epoch is stored, and a recovery is granted the next one: a negative epoch would
     * stop the logger's next start (its EPOCH file unreadable), the largest would make the next
     * grant wrap round to the smallest (which the recovering server refuses as older). Both are
     * refused at the handshake, and nothing is stored.
     */
    @Test
    void aPrimaryStatingANegativeOrTheLargestEpochIsRefusedAndNothingIsStored() throws Exception {
        InetSocketAddress at = freeLoopbackPort();
        LoggerHost host = toClose.add(LoggerHost.start(config(dir, at, LOG)));
        for (long epoch : new long[]{Long.MAX_VALUE, -1, Long.MIN_VALUE}) {
            Events e = new Events();
            toClose.add(dial(at, "alpha", epoch, channel("alpha").newRecordStream(), e));
            await("the logger's answer to epoch " + epoch, 5000, () -> e.connected.isDone() || e.closed.isDone());
            assertFalse(e.connected.isDone(), "a primary at epoch " + epoch + " joined");
            CloseReason why = e.closed.get();
            assertEquals(CloseReason.Kind.HANDSHAKE_REFUSED, why.kind(), why.toString());
            assertTrue(why.message().contains("epoch " + epoch) && why.message().contains("an epoch runs from 0 to " + (Long.MAX_VALUE - 1)),
                    why.message());
        }
        assertEquals(0, new EpochFile(dir.resolve("alpha")).read(), "no epoch stored");
        host.close();
        // Starts again on its directory (on another port: the old one's connections may hold it a while).
        toClose.add(LoggerHost.start(config(dir, freeLoopbackPort(), LOG)));
    }

    /** Once the largest epoch is granted, a recovery is refused with the reason; the epoch never wraps round to a negative one. */
    @Test
    void aRecoveryAfterTheLargestEpochIsRefusedNotWrappedRound() throws Exception {
        // Nor the largest: a primary stating it is refused at its handshake, so it could never join.
        for (long stored : new long[]{Long.MAX_VALUE - 1, Long.MAX_VALUE}) {
            new EpochFile(java.nio.file.Files.createDirectories(dir.resolve("alpha"))).write(stored);
            InetSocketAddress at = freeLoopbackPort();
            LoggerHost host = toClose.add(LoggerHost.start(config(dir, at, LOG)));
            Events e = new Events();
            toClose.add(fetch(at, "alpha", 0, e));
            await("the logger's answer", 5000, () -> e.connected.isDone() || e.closed.isDone());
            assertFalse(e.connected.isDone(), () -> "served at epoch " + e.connected.getNow(null).epoch());
            CloseReason why = e.closed.get();
            assertTrue(why.message().contains("has granted epoch " + stored + ": its epochs are used up"), why.toString());
            host.close();
            assertEquals(stored, new EpochFile(dir.resolve("alpha")).read());
        }
        // Starts again on its directory (on another port: the old one's connections may hold it a while).
        toClose.add(LoggerHost.start(config(dir, freeLoopbackPort(), LOG)));
    }

    /**
     * A requester whose handshake comes late (1.5 s after it connected) is not granted the
     * recovery once its channel's handshake timeout (2 s from the connection) has closed it: the
     * fetch used to wait 1.5 s from the handshake, then grant on the dead channel, and every
     * real recovery was told to ask again for the whole grant (10 s). It is told to ask again
     * within its timeout, and the real recovery is served at once, at the next epoch.
     */
    @Test
    void aLateRequesterIsNotGrantedTheRecoveryOnAChannelThatTimedOut() throws Exception {
        InetSocketAddress at = freeLoopbackPort();
        toClose.add(LoggerHost.start(config(dir, at, LOG)));
        Events primaryEvents = new Events();
        PrimaryChannel primary = toClose.add(dial(at, "alpha", 1, channel("alpha").newRecordStream(), primaryEvents));
        primaryEvents.connected.get(5, TimeUnit.SECONDS);
        long lsn = primary.append(new io.fttcp.replication.record.Seed(1));
        await("stable", 5000, () -> primary.stableLsn() == lsn);
        try (Socket late = new Socket(at.getAddress(), at.getPort())) {
            long opened = System.nanoTime();
            Thread.sleep(1500);
            ByteBuffer hello = ByteBuffer.allocate(512);
            new FrameEncoder().encodeHandshake(new Handshake(ReplicationChannel.PROTOCOL_VERSION, Role.BACKUP, "alpha", 1, 0), hello);
            late.getOutputStream().write(hello.array(), 0, hello.flip().remaining());
            // The primary goes after the late requester's channel timed out (2 s), while its fetch would still wait.
            while (System.nanoTime() - opened < TimeUnit.MILLISECONDS.toNanos(2200)) Thread.sleep(5);
            primary.close();
            Thread.sleep(LEASE.toMillis() + 200);
        }
        Events real = new Events();
        long asked = System.nanoTime();
        toClose.add(fetch(at, "alpha", 1, real));
        await("the real recovery's answer", 5000, () -> real.connected.isDone() || real.closed.isDone());
        assertTrue(real.connected.isDone(), () -> "the real recovery was refused: " + real.closed.getNow(null));
        assertTrue(real.connectedAt - asked < TimeUnit.MILLISECONDS.toNanos(FETCH_WAIT_MILLIS), "served at once");
        assertEquals(2, real.connected.get().epoch(), "no epoch granted to the late requester");
    }
}
