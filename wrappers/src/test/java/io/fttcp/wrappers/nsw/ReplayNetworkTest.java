package io.fttcp.wrappers.nsw;

import io.fttcp.apps.echo.LineEchoServer;
import io.fttcp.apps.http.HttpFileServer;
import io.fttcp.apps.http.HttpServerConfig;
import io.fttcp.replication.record.Record;
import io.fttcp.stack.tcp.FourTuple;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A second instance of a real application on the {@link ReplayNetwork}, fed with what the
 * primary's instance logged (and SEGMENT records carrying the clients' bytes, split, duplicated
 * and reordered): it must write exactly the primary's bytes on every connection.
 */
class ReplayNetworkTest {

    private static final long SEED = Long.getLong("fttcp.seed", 0xB0C4L);

    interface BackupStarter {
        AutoCloseable start(ReplayNetwork network, InetSocketAddress address) throws Exception;
    }

    private final Map<FourTuple, String> diverged = new ConcurrentHashMap<>();

    @Test
    void echoBackupWritesThePrimarysBytes() throws Exception {
        for (long seed = SEED; seed < SEED + 3; seed++) {
            String context = "seed " + seed;
            ReplayNetwork backup = new ReplayNetwork(diverged::put);
            PrimaryRun run = PrimaryRun.run(seed, OutputHashing.HASH, true, PrimaryRun.echo(PrimaryRun.loopback()), TestClients::echo, 24, r -> { });
            try (AutoCloseable app = startBackup(backup, run.address, (n, a) -> LineEchoServer.start(n, a))) {
                feed(backup, run.recorder.records());
                checkSameOutput(run, backup, false, context);
            }
            assertTrue(diverged.isEmpty(), context + ": divergence reported: " + diverged);
        }
    }

    @Test
    void hotBackupFedWhileThePrimaryRunsWritesThePrimarysBytes() throws Exception {
        ReplayNetwork backup = new ReplayNetwork(diverged::put);
        AtomicReference<AutoCloseable> app = new AtomicReference<>();
        PrimaryRun run = PrimaryRun.run(SEED + 10, OutputHashing.HASH, true, PrimaryRun.echo(PrimaryRun.loopback()), TestClients::echo, 24, true,
                backup::apply, address -> app.set(startBackupQuietly(backup, address)));
        try (AutoCloseable a = app.get()) {
            checkSameOutput(run, backup, false, "seed " + (SEED + 10));
        }
        assertTrue(diverged.isEmpty(), "divergence reported: " + diverged);
    }

    /**
     * HTTP downloads and uploads. The file server's Date header reads the wall clock directly
     * (not through the runtime), so hashing is off here and the Date values are masked before
     * comparing; everything else must be byte-exact.
     */
    @Test
    void httpBackupWritesThePrimarysBytes() throws Exception {
        long seed = SEED + 20;
        ReplayNetwork backup = new ReplayNetwork(diverged::put);
        PrimaryRun run = PrimaryRun.run(seed, OutputHashing.OFF, false, PrimaryRun.http(PrimaryRun.loopback()), TestClients::http, 10, r -> { });
        try (AutoCloseable app = startBackup(backup, run.address, (n, a) -> {
            HttpFileServer s = HttpFileServer.start(n, a, HttpServerConfig.serving(null));
            return () -> s.stop(Duration.ofMillis(200));
        })) {
            feed(backup, run.recorder.records());
            checkSameOutput(run, backup, true, "seed " + seed);
        }
        assertTrue(diverged.isEmpty(), "divergence reported: " + diverged);
    }

    /**
     * Requests that stall or trickle get 408 on the primary when its request timeouts run out; the
     * backup, replaying the same clock readings and read outcomes, must answer them the same.
     */
    @Test
    void httpRequestTimeoutsReplayToTheSameAnswers() throws Exception {
        long seed = SEED + 21;
        HttpServerConfig config = HttpServerConfig.serving(null).withRequestHeadTimeout(Duration.ofMillis(300))
                .withBodyPace(Duration.ofMillis(300), 500);
        ReplayNetwork backup = new ReplayNetwork(diverged::put);
        PrimaryRun run = PrimaryRun.run(seed, OutputHashing.HASH, false, PrimaryRun.http(PrimaryRun.loopback(), config), TestClients::httpStalled, 8, r -> { });
        try (AutoCloseable app = startBackup(backup, run.address, (n, a) -> {
            HttpFileServer s = HttpFileServer.start(n, a, config);
            return () -> s.stop(Duration.ofMillis(200));
        })) {
            feed(backup, run.recorder.records());
            checkSameOutput(run, backup, false, "seed " + seed);
        }
        assertTrue(diverged.isEmpty(), "divergence reported: " + diverged);
    }

    @Test
    void pollingApplicationReplaysFromReadyRecords() throws Exception {
        long seed = SEED + 50;
        ReplayNetwork backup = new ReplayNetwork(diverged::put);
        PrimaryRun run = PrimaryRun.run(seed, OutputHashing.HASH, true, network -> PolledEchoServer.start(network, PrimaryRun.loopback()),
                TestClients::echo, 12, r -> { });
        assertTrue(run.recorder.records().stream().anyMatch(r -> r instanceof io.fttcp.replication.record.Ready re && !re.ready().isEmpty()),
                "no READY records");
        try (AutoCloseable app = startBackup(backup, run.address, (n, a) -> PolledEchoServer.start(n, a))) {
            feed(backup, run.recorder.records());
            checkSameOutput(run, backup, false, "seed " + seed);
        }
        assertTrue(diverged.isEmpty(), "divergence reported: " + diverged);
    }

    @Test
    void applicationUsingTheRuntimeStaysDeterministic() throws Exception {
        long seed = SEED + 30;
        ReplayNetwork backup = new ReplayNetwork(diverged::put);
        PrimaryRun run = PrimaryRun.run(seed, OutputHashing.HASH, true,
                network -> StampServer.start(network, PrimaryRun.loopback(), network.runtime()), StampServer::client, 6, false, r -> { }, a -> { });
        try (AutoCloseable app = startBackup(backup, run.address, (n, a) -> StampServer.start(n, a, n.runtime()))) {
            feed(backup, run.recorder.records());
            checkSameOutput(run, backup, false, "seed " + seed);
        }
        assertTrue(diverged.isEmpty(), "divergence reported: " + diverged);
    }

    @Test
    void nondeterministicApplicationIsDetectedAsDiverged() throws Exception {
        long seed = SEED + 40;
        ReplayNetwork backup = new ReplayNetwork(diverged::put);
        PrimaryRun run = PrimaryRun.run(seed, OutputHashing.HASH, true,
                network -> StampServer.start(network, PrimaryRun.loopback(), null), StampServer::client, 6, true, r -> { }, a -> { });
        try (AutoCloseable app = startBackup(backup, run.address, (n, a) -> StampServer.start(n, a, null))) {
            feed(backup, run.recorder.records());
            for (TestClients.Session s : run.sessions) {
                FourTuple tuple = tuple(run, s);
                ConnectionImage image = awaitImage(backup, tuple, ConnectionImage::appClosed, "seed " + seed);
                assertTrue(image.diverged(), "seed " + seed + ": not diverged: " + image);
                assertTrue(diverged.containsKey(tuple), "seed " + seed + ": divergence of " + tuple + " not reported: " + diverged);
                assertTrue(image.appOutputOffset() < s.received().length, "seed " + seed + ": writes went on after the divergence: " + image);
            }
        }
    }

    // ---- helpers ---------------------------------------------------------------------------

    private static AutoCloseable startBackup(ReplayNetwork backup, InetSocketAddress address, BackupStarter starter) throws Exception {
        return starter.start(backup, address);
    }

    private static AutoCloseable startBackupQuietly(ReplayNetwork backup, InetSocketAddress address) {
        try {
            LineEchoServer s = LineEchoServer.start(backup, address);
            return s::close;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static void feed(ReplayNetwork backup, java.util.List<Record> records) {
        for (Record r : records) {
            backup.apply(r);
        }
    }

    static FourTuple tuple(PrimaryRun run, TestClients.Session s) {
        try {
            return SocketNames.connection(run.address, s.local());
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    static ConnectionImage awaitImage(ReplayNetwork backup, FourTuple tuple, java.util.function.Predicate<ConnectionImage> done, String context)
            throws InterruptedException {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (true) {
            ConnectionImage image = backup.image(tuple);
            if (image != null && done.test(image)) {
                return image;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(context + ": backup never finished " + tuple + ": " + image);
            }
            Thread.sleep(5);
        }
    }

    /**
     * Per connection: the backup's application wrote as many bytes as the primary's, closed,
     * read every logged byte, and the output it still holds (above the client's last ACK) is
     * the tail of what the client received.
     */
    static void checkSameOutput(PrimaryRun run, ReplayNetwork backup, boolean maskDate, String context) throws InterruptedException {
        for (TestClients.Session s : run.sessions) {
            FourTuple tuple = tuple(run, s);
            ConnectionImage image = awaitImage(backup, tuple, i -> i.diverged() || (i.appClosed() && i.appOutputOffset() >= s.received().length), context);
            assertFalse(image.diverged(), context + ": " + image);
            assertEquals(s.received().length, image.appOutputOffset(), context + ": output of " + tuple);
            assertEquals(s.sent().length, image.appReadOffset(), context + ": input read on " + tuple);
            assertEquals(s.sent().length, image.clientStreamEnd(), context + ": client stream rebuilt on " + tuple);
            assertTrue(image.clientFin(), context + ": client FIN on " + tuple);
            assertEquals(0, image.unreadClientBytes().length, context);
            assertTrue(image.appShutOutput(), context);
            SpyNetwork.Connection spied = run.spy.connections.get(tuple);
            assertNotNull(spied, context);
            long expectedStart = Math.min(spied.acked, s.received().length);
            assertEquals(expectedStart, image.bufferedOutputStart(), context + ": output kept from the client's last ACK on " + tuple);
            assertEquals(expectedStart, image.clientAckedOffset(), context);
            byte[] tail = Arrays.copyOfRange(s.received(), (int) expectedStart, s.received().length);
            if (maskDate) {
                assertEquals(maskDates(tail), maskDates(image.bufferedOutput()), context + ": output of " + tuple);
            } else {
                assertArrayEquals(tail, image.bufferedOutput(), context + ": output of " + tuple);
            }
        }
    }

    private static String maskDates(byte[] bytes) {
        return new String(bytes, StandardCharsets.ISO_8859_1).replaceAll("\r\nDate: [^\r]*\r\n", "\r\nDate: (masked)\r\n");
    }
}
