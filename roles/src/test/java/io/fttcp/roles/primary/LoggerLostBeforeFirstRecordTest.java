package io.fttcp.roles.primary;

import io.fttcp.replication.channel.BackupChannel;
import io.fttcp.replication.channel.ChannelConfig;
import io.fttcp.replication.channel.ChannelListener;
import io.fttcp.replication.channel.CloseReason;
import io.fttcp.replication.channel.PrimaryChannel;
import io.fttcp.replication.codec.Handshake;
import io.fttcp.replication.log.LogConfig;
import io.fttcp.replication.record.LoggedRecord;
import io.fttcp.replication.record.Record;
import io.fttcp.replication.retention.LiveRecordSet;
import io.fttcp.replication.retention.RetentionPolicy;
import io.fttcp.roles.config.FtConfig;
import io.fttcp.roles.logger.LoggerConfig;
import io.fttcp.roles.logger.LoggerHost;
import io.fttcp.roles.logger.Traffic;
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
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The continue policy when the logger is lost before it logged anything of this primary (the
 * situation of the logger simulation's seed 4206450098745334865: the logger crashed 5 ms into
 * the run and came back 2 ms later holding nothing). The primary serves on unprotected, its log
 * at LSN 0 or past it; when the logger is back, holding nothing, the primary must re-join it and
 * be PROTECTED again, and a recovery must then fetch exactly what a logger present all along
 * would serve:
 * <ul>
 *   <li>nothing appended while unprotected: a re-join with nothing to catch up;</li>
 *   <li>records appended while unprotected: the logger's log is empty, so it keeps its
 *       generation and takes the catch-up of the live connections' records into it.</li>
 * </ul>
 */
class LoggerLostBeforeFirstRecordTest {
    private static final Duration HEARTBEAT = Duration.ofMillis(20);
    private static final Duration DETECTION = Duration.ofMillis(450);
    private static final Duration LEASE = Duration.ofMillis(300);
    private static final Duration MARGIN = Duration.ofMillis(150);

    @TempDir
    Path dir;
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private InetSocketAddress at;

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : toClose.reversed()) c.close();
    }

    @Test
    void nothingAppendedWhileUnprotected() throws Exception {
        run(0x5EED_0001L, false);
    }

    @Test
    void recordsAppendedWhileUnprotectedAreCaughtUpIntoTheEmptyLog() throws Exception {
        run(0x5EED_0002L, true);
        run(0x5EED_0003L, true);
    }

    private void run(long seed, boolean appendWhileUnprotected) throws Exception {
        String where = "seed " + seed;
        Path logDir = dir.resolve(Long.toHexString(seed));
        SplittableRandom random = new SplittableRandom(seed);
        List<Record> unprotected = appendWhileUnprotected ? Traffic.serverRecords(random, 4 + random.nextInt(4), 0.5, 0) : List.of();
        List<Record> reprotected = Traffic.serverRecords(random, 3 + random.nextInt(4), 0.5, 100);

        at = freeLoopbackPort();
        LoggerHost logger = startLogger(logDir);
        ChannelConfig cc = channel("alpha");
        ReplicationLog log = new ReplicationLog(cc.newRecordStream(), cc, FtConfig.Retention.connections);
        PrimaryChannel first = dial(log);
        assertEquals(Protection.PROTECTED, log.protection(), where);

        logger.close(); // before the primary's first record
        await("unprotected (" + where + ")", () -> log.protection() == Protection.UNPROTECTED);
        assertEquals(0, first.stableLsn(), where);
        long unprotectedThrough = append(log, unprotected);
        assertEquals(Long.MAX_VALUE, log.stableLsn(), where);

        logger = startLogger(logDir); // back, holding nothing
        PrimaryChannel rejoined = dial(log);
        assertEquals(Protection.PROTECTED, log.protection(), where + ": protection regained");
        long through = append(log, reprotected);
        assertTrue(through > unprotectedThrough, where);
        await("the re-protected records stable (" + where + ")", () -> rejoined.stableLsn() == through);
        assertEquals(through, log.stableLsn(), where);
        assertTrue(!logger.status().contains("catching up"), where + ": " + logger.status());

        // The primary crashes; the logger restarts on what its log kept; a recovery fetches it all.
        rejoined.close();
        logger.close();
        logger = startLogger(logDir);
        Fetch recovery = fetchUntilServed();
        logger.close();
        assertEquals(through, recovery.caughtUp.get(), where);

        List<Record> all = new ArrayList<>(unprotected);
        all.addAll(reprotected);
        LiveRecordSet presentAllAlong = new LiveRecordSet(RetentionPolicy.CONNECTION_SCOPED);
        for (int i = 0; i < all.size(); i++) presentAllAlong.add(i + 1, all.get(i));
        assertEquals(presentAllAlong.snapshot(through), List.copyOf(recovery.records), where + ": exactly what a logger present all along would serve");
    }

    private static ChannelConfig channel(String cluster) {
        return ChannelConfig.defaults(cluster).withWarmup(Duration.ZERO).withTimings(HEARTBEAT, DETECTION, LEASE, MARGIN);
    }

    private static InetSocketAddress freeLoopbackPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return new InetSocketAddress(InetAddress.getLoopbackAddress(), s.getLocalPort());
        }
    }

    private LoggerHost startLogger(Path logDir) throws IOException {
        for (int attempt = 0; ; attempt++) {
            try {
                LoggerHost host = LoggerHost.start(new LoggerConfig(logDir, at, LogConfig.defaults().withBatchBufferBytes(1 << 16), channel("logger"),
                        RetentionPolicy.CONNECTION_SCOPED));
                toClose.add(host);
                return host;
            } catch (IOException e) {
                if (attempt == 5 || !e.getMessage().contains("cannot listen")) throw e;
                at = freeLoopbackPort(); // the machine is shared: the freed port was taken; the logger comes back elsewhere
            }
        }
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - end > 0) fail("timed out waiting for " + what);
            Thread.sleep(1);
        }
    }

    private static long append(ReplicationLog log, List<Record> records) {
        long last = log.lastLsn();
        for (Record r : records) last = log.append(r);
        return last;
    }

    /** As PrimaryHost's dial loop under the continue policy: a lost logger leaves the primary unprotected. */
    private PrimaryChannel dial(ReplicationLog log) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            CompletableFuture<PrimaryChannel> mine = new CompletableFuture<>();
            ChannelListener events = new ChannelListener() {
                @Override
                public void onClosed(CloseReason reason) {
                    PrimaryChannel lost = mine.join();
                    if (!log.unprotected(lost) && log.awaiting(lost)) log.unprotected(null);
                }
            };
            try {
                PrimaryChannel c = LoggerDial.attempt(at, Duration.ofSeconds(5), channel("alpha"), 1, log, events);
                assertNotNull(c, "the primary takes the logger");
                mine.complete(c);
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

    private Fetch fetchUntilServed() throws Exception {
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
}
