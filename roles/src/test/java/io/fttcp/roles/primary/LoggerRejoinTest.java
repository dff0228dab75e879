package io.fttcp.roles.primary;

import io.fttcp.replication.channel.BackupChannel;
import io.fttcp.replication.channel.ChannelConfig;
import io.fttcp.replication.channel.ChannelListener;
import io.fttcp.replication.channel.CloseReason;
import io.fttcp.replication.channel.PrimaryChannel;
import io.fttcp.replication.codec.Handshake;
import io.fttcp.replication.log.LogConfig;
import io.fttcp.replication.record.Connect;
import io.fttcp.replication.record.LoggedRecord;
import io.fttcp.replication.record.Record;
import io.fttcp.replication.retention.LiveRecordSet;
import io.fttcp.replication.retention.RetentionPolicy;
import io.fttcp.roles.config.FtConfig;
import io.fttcp.roles.logger.LoggerConfig;
import io.fttcp.roles.logger.LoggerHost;
import io.fttcp.roles.logger.Traffic;
import io.fttcp.stack.tcp.FourTuple;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A primary under the continue policy loses its logger and serves unprotected, opening new
 * connections meanwhile; the logger comes back, the primary re-joins with a catch-up of its live
 * connections' records ({@link LoggerDial}, as {@code PrimaryHost}'s dial loop does) and is
 * PROTECTED again; then the primary crashes, the logger restarts too, and a recovery fetches
 * exactly the records a logger present all along would serve: every live connection's, those
 * opened while unprotected included, byte for byte (the recovered server replays them).
 */
class LoggerRejoinTest {
    private static final Duration HEARTBEAT = Duration.ofMillis(20);
    private static final Duration DETECTION = Duration.ofMillis(450);
    private static final Duration LEASE = Duration.ofMillis(300);
    private static final Duration MARGIN = Duration.ofMillis(150);

    @TempDir
    Path dir;
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : toClose.reversed()) c.close();
    }

    private static ChannelConfig channel(String cluster) {
        return ChannelConfig.defaults(cluster).withWarmup(Duration.ZERO).withTimings(HEARTBEAT, DETECTION, LEASE, MARGIN);
    }

    private static InetSocketAddress freeLoopbackPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return new InetSocketAddress(InetAddress.getLoopbackAddress(), s.getLocalPort());
        }
    }

    /** Where the logger listens now (the machine is shared: a port freed by a stopped logger may be taken meanwhile). */
    private InetSocketAddress at;

    private LoggerHost startLogger(Path dir) throws IOException {
        for (int attempt = 0; ; attempt++) {
            try {
                LoggerHost host = LoggerHost.start(new LoggerConfig(dir, at, LogConfig.defaults().withBatchBufferBytes(1 << 16), channel("logger"), RetentionPolicy.CONNECTION_SCOPED));
                toClose.add(host);
                return host;
            } catch (IOException e) {
                if (attempt == 5 || !e.getMessage().contains("cannot listen")) throw e;
                at = freeLoopbackPort(); // the logger comes back elsewhere; the primary dials it there
            }
        }
    }

    private static void await(String what, long millis, BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + millis * 1_000_000;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - end > 0) fail("timed out after " + millis + " ms waiting for " + what);
            Thread.sleep(1);
        }
    }

    /** The primary's side of one channel, as PrimaryHost's under the continue policy: a lost logger leaves it unprotected. */
    private static final class Continuing implements ChannelListener {
        private final ReplicationLog log;
        private final CompletableFuture<PrimaryChannel> channel = new CompletableFuture<>();

        Continuing(ReplicationLog log) {
            this.log = log;
        }

        @Override
        public void onClosed(CloseReason reason) {
            PrimaryChannel lost = channel.join();
            if (!log.unprotected(lost) && log.awaiting(lost)) log.unprotected(null);
        }
    }

    private static PrimaryChannel dial(InetSocketAddress at, ReplicationLog log) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            Continuing events = new Continuing(log);
            try {
                PrimaryChannel c = LoggerDial.attempt(at, Duration.ofSeconds(5), channel("alpha"), 1, log, events);
                assertNotNull(c, "the primary takes the logger");
                events.channel.complete(c);
                return c;
            } catch (IOException e) {
                assertTrue(System.nanoTime() - end < 0, "the logger never answered: " + e);
                Thread.sleep(100);
            }
        }
    }

    /** What a recovering server fetches, once served. */
    private static final class Fetch implements ChannelListener {
        final CompletableFuture<Handshake> connected = new CompletableFuture<>();
        final CompletableFuture<Long> caughtUp = new CompletableFuture<>();
        final CompletableFuture<CloseReason> closed = new CompletableFuture<>();
        final List<LoggedRecord> records = Collections.synchronizedList(new ArrayList<>());

        @Override
        public void onConnected(Handshake peer) {
            connected.complete(peer);
        }

        @Override
        public void onRecords(long firstLsn, List<Record> batch) {
            long lsn = firstLsn;
            for (Record r : batch) records.add(new LoggedRecord(lsn++, r));
        }

        @Override
        public void onCaughtUp(long lsn) {
            caughtUp.complete(lsn);
        }

        @Override
        public void onClosed(CloseReason reason) {
            closed.complete(reason);
        }
    }

    private Fetch fetchUntilServed(InetSocketAddress at) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            Fetch f = new Fetch();
            BackupChannel c = BackupChannel.connect(at, null, Duration.ofSeconds(5), channel("alpha"), 1, 0, f);
            toClose.add(c);
            while (!f.connected.isDone() && !f.closed.isDone()) Thread.sleep(1);
            if (f.connected.isDone()) {
                f.caughtUp.get(10, TimeUnit.SECONDS);
                return f;
            }
            assertTrue(System.nanoTime() - end < 0, "no recovery served: " + f.closed.get());
        }
    }

    private static long append(ReplicationLog log, List<Record> records) {
        long last = 0;
        for (Record r : records) last = log.append(r);
        return last;
    }

    private static Set<FourTuple> connectionsOf(List<LoggedRecord> records) {
        Set<FourTuple> out = new HashSet<>();
        for (LoggedRecord r : records) if (r.record() instanceof Connect c) out.add(c.tuple());
        return out;
    }

    @Test
    void anUnprotectedPrimaryIsReprotectedWhenTheLoggerReturnsAndARecoveryRestoresEveryLiveConnection() throws Exception {
        for (long seed : new long[] {System.nanoTime(), 1, 2}) run(seed, dir.resolve("seed-" + Long.toHexString(seed)));
    }

    private void run(long seed, Path dir) throws Exception {
        String where = "seed " + seed;
        SplittableRandom random = new SplittableRandom(seed);
        // Three stretches of traffic: logged; unprotected (the first connections go on and some finish, new ones open); re-protected.
        List<Record> first = Traffic.serverRecords(random, 6 + random.nextInt(6), 0.5, 0);
        List<Record> second = Traffic.serverRecords(random, 6 + random.nextInt(6), 0.4, 100);
        List<Record> third = Traffic.serverRecords(random, 3 + random.nextInt(4), 0.5, 200);
        int firstSplit = first.size() / 2;
        int secondSplit = second.size() / 2;
        List<Record> logged = first.subList(0, firstSplit);
        List<Record> unprotected = new ArrayList<>(first.subList(firstSplit, first.size()));
        unprotected.addAll(second.subList(0, secondSplit));
        List<Record> reprotected = new ArrayList<>(second.subList(secondSplit, second.size()));
        reprotected.addAll(third);

        at = freeLoopbackPort();
        LoggerHost logger = startLogger(dir);
        ChannelConfig cc = channel("alpha");
        ReplicationLog log = new ReplicationLog(cc.newRecordStream(), cc, FtConfig.Retention.connections);
        PrimaryChannel initial = dial(at, log);
        long loggedThrough = append(log, logged);
        await("the first stretch stable (" + where + ")", 10_000, () -> initial.stableLsn() == loggedThrough);
        assertEquals(Protection.PROTECTED, log.protection());

        logger.close(); // the logger goes away: the primary continues unprotected
        await("unprotected (" + where + ")", 10_000, () -> log.protection() == Protection.UNPROTECTED);
        long unprotectedThrough = append(log, unprotected);
        assertEquals(Long.MAX_VALUE, log.stableLsn());

        logger = startLogger(dir); // back on its log, which lacks the unprotected stretch
        PrimaryChannel rejoined = dial(at, log);
        assertEquals(Protection.PROTECTED, log.protection(), "protection regained");
        long through = append(log, reprotected);
        assertTrue(through > unprotectedThrough);
        await("the re-protected stretch stable (" + where + ")", 10_000, () -> rejoined.stableLsn() == through);
        assertEquals(through, log.stableLsn(), where);
        assertTrue(logger.status().contains("generation 1") && !logger.status().contains("catching up"), logger.status());

        // The primary crashes; the logger restarts too (the new generation must be what its log recovers).
        rejoined.close();
        logger.close();
        logger = startLogger(dir);
        assertTrue(logger.status().contains("generation 1"), logger.status());
        Fetch recovery = fetchUntilServed(at);
        logger.close();
        assertEquals(2, recovery.connected.get().epoch(), "the recovery is granted the next epoch: the re-join did not raise it");
        assertEquals(through, recovery.caughtUp.get(), where);

        List<Record> all = new ArrayList<>(logged);
        all.addAll(unprotected);
        all.addAll(reprotected);
        LiveRecordSet presentAllAlong = new LiveRecordSet(RetentionPolicy.CONNECTION_SCOPED);
        for (int i = 0; i < all.size(); i++) presentAllAlong.add(i + 1, all.get(i));
        List<LoggedRecord> expected = presentAllAlong.snapshot(through);
        List<LoggedRecord> fetched = List.copyOf(recovery.records);
        assertEquals(expected, fetched, where + ": exactly what a logger present all along would serve");
        Set<FourTuple> openedUnprotected = connectionsOf(second.subList(0, secondSplit).stream().map(r -> new LoggedRecord(1, r)).toList());
        openedUnprotected.retainAll(connectionsOf(fetched));
        assertFalse(openedUnprotected.isEmpty(), where + ": some connection opened while unprotected is live and restored");
    }
}
