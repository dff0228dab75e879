package io.fttcp.e2e;

import io.fttcp.apps.http.Generator;
import io.fttcp.testbed.ExecResult;
import io.fttcp.testbed.LoggedService;
import io.fttcp.testbed.Topology;
import io.fttcp.testbed.WatchedProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static io.fttcp.e2e.ClientChecks.failWhen;
import static io.fttcp.e2e.ClientChecks.sha256;
import static io.fttcp.e2e.ClientChecks.threshold;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Message logging with real clients: the primary's records go to {@code fttcp logger} on its own
 * host; the primary JVM is killed while curl transfers, and a server recovers its connections
 * from the logger, either restarted in place (the test plays the supervisor) or as a standby on
 * a spare host; the logger itself is killed and restarted. Every transfer must complete intact,
 * curl exiting 0, no reset, and the recovering server must restore the client's connection.
 */
@Timeout(value = 150)
class LoggedRecoveryE2eTest {
    private static final long BIG_DOWNLOAD = 256L << 20;
    private static final long UPLOAD = 64L << 20;
    private static final String UPLOAD_RATE = "32M";
    private static final String BASE = "http://" + Topology.SERVICE_ADDRESS;
    private static final Duration CURL_MAX_TIME = Duration.ofSeconds(150);
    private static final Duration TRANSFER_WAIT = Duration.ofSeconds(60);
    private static final Duration RECOVERY_WAIT = Duration.ofSeconds(30);

    @RegisterExtension
    static final SharedTopology net = new SharedTopology(b -> b.client("client").server("primary").server("standby").server("logger"));

    private static Path dir;

    @BeforeAll
    static void createDirectory() throws IOException {
        dir = Files.createTempDirectory("fttcp-e2e-logged");
    }

    @AfterAll
    static void deleteDirectory() throws IOException {
        if (dir != null) {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            }
        }
    }

    /** How the primary's connections come back. */
    private enum Recovery { RESTART_IN_PLACE, SPARE_HOST }

    @Test
    void downloadSurvivesThePrimarysRestartInPlace() throws Exception {
        downloadAcross(Recovery.RESTART_IN_PLACE, false);
    }

    @Test
    void downloadSurvivesThePrimarysLossToAStandbyOnASpareHost() throws Exception {
        downloadAcross(Recovery.SPARE_HOST, false);
    }

    @Test
    void downloadSurvivesTheLoggersRestartAndThenThePrimarysRestart() throws Exception {
        downloadAcross(Recovery.RESTART_IN_PLACE, true);
    }

    private void downloadAcross(Recovery recovery, boolean loggerRestartFirst) throws Exception {
        long seed = System.nanoTime();
        SplittableRandom random = new SplittableRandom(seed);
        long contentSeed = random.nextLong(1, Long.MAX_VALUE);
        long loggerAt = threshold(random, BIG_DOWNLOAD / 2);
        String why = (loggerRestartFirst ? "logger killed at " + loggerAt + " bytes and restarted, then primary killed 4 MiB later, "
                : "primary killed at " + loggerAt + " of " + BIG_DOWNLOAD + " bytes, ") + recovery + " (seed " + seed + ")";
        System.out.println("LoggedRecoveryE2eTest: download, " + why);
        Path file = dir.resolve("download-" + seed + ".bin");
        try {
            LoggedService service = net.logged("logger", "primary", "http", List.of());
            WatchedProcess standby = recovery == Recovery.SPARE_HOST ? service.startStandby(net.host("standby")) : null;
            WatchedProcess first = service.primary();
            try (BackgroundCurl curl = BackgroundCurl.download(net.topology(), net.host("client"),
                    BASE + "/gen/" + BIG_DOWNLOAD + "?seed=" + contentSeed, file, CURL_MAX_TIME)) {
                if (loggerRestartFirst) {
                    failWhen(curl::downloadedBytes, loggerAt, curl, why, () -> service.logger().signal("KILL"));
                    first.awaitLine(l -> l.contains("logger lost"), "that it lost the logger, " + why, RECOVERY_WAIT);
                    // The promise: without the logger nothing unlogged is sent. What was released before has arrived by now.
                    Thread.sleep(200);
                    long stalledAt = curl.downloadedBytes();
                    Thread.sleep(300);
                    assertEquals(stalledAt, curl.downloadedBytes(), "bytes that arrived while the logger was away, " + why);
                    service.startLogger();
                    first.awaitLine(l -> l.contains(LoggedService.LOGGER_JOINED) && first.output().indexOf("logger lost") < first.output().lastIndexOf(LoggedService.LOGGER_JOINED),
                            "that the restarted logger took its records again, " + why, RECOVERY_WAIT);
                }
                // After the logger's restart the primary resumes at full speed: kill it soon after.
                long killAt = loggerRestartFirst ? Math.min(curl.downloadedBytes() + (4L << 20), BIG_DOWNLOAD * 9 / 10) : loggerAt;
                failWhen(curl::downloadedBytes, killAt, curl, why, () -> first.signal("KILL"));
                WatchedProcess recovered = recovery == Recovery.SPARE_HOST ? standby : service.startPrimary(net.host("primary"));
                String took = recovered.awaitLine(l -> l.contains(LoggedService.TOOK_OVER), "that it took over, " + why, RECOVERY_WAIT);
                System.out.println("LoggedRecoveryE2eTest: " + took);
                ClientChecks.assertRestoredSome(took, why);
                ClientChecks.assertCurlSucceeded(curl, TRANSFER_WAIT, why, () -> "");
                assertEquals(BIG_DOWNLOAD, Files.size(file), "bytes downloaded, " + why);
                assertEquals(new Generator(contentSeed).sha256Hex(BIG_DOWNLOAD), sha256(file), "sha256 of the download, " + why);
                assertFalse(recovered.output().contains("DIVERGED"), "a connection diverged, " + why + ":\n" + recovered.output());
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @Test
    void uploadSurvivesThePrimarysRestartInPlace() throws Exception {
        uploadAcross(Recovery.RESTART_IN_PLACE, "KILL");
    }

    @Test
    void uploadSurvivesThePrimarysLossToAStandbyOnASpareHost() throws Exception {
        uploadAcross(Recovery.SPARE_HOST, "KILL");
    }

    /**
     * The primary cut off from its logger (the two hosts' own addresses cut apart by nftables in
     * the logger's namespace) while the client, and a standby on a spare host, reach both: the
     * logger takes the primary for lost and serves the standby's recovery; the primary, its lease
     * run out, emits nothing and steps down when it hears the standby announce the service
     * address, before the partition heals. The upload completes intact, no reset.
     */
    @Test
    void uploadSurvivesThePrimaryCutOffFromItsLoggerToAStandbyOnASpareHost() throws Exception {
        uploadAcross(Recovery.SPARE_HOST, PARTITION);
    }

    /**
     * The primary cut off from its logger for a while, with no standby waiting (the default
     * policy, {@code stall}): while the partition lasts the upload stalls (not one more byte
     * acknowledged: every byte acknowledged is logged); once it heals the primary joins the logger
     * again with what it kept, and the upload goes on. Killed then and restarted in place, the
     * primary recovers it intact from the logger.
     */
    @Test
    void anUploadStallsWhileThePrimaryIsCutOffFromItsLoggerAndGoesOnWhenItHeals() throws Exception {
        long seed = System.nanoTime();
        SplittableRandom random = new SplittableRandom(seed);
        long threshold = threshold(random, UPLOAD / 2);
        String why = "primary cut off from the logger for 1.5 s once the server acknowledged " + threshold + " of " + UPLOAD
                + " bytes, then killed and restarted in place (seed " + seed + ")";
        System.out.println("LoggedRecoveryE2eTest: upload, " + why);
        SeededFile upload = SeededFile.create(dir.resolve("upload-" + seed + ".bin"), UPLOAD, random.nextLong());
        try {
            LoggedService service = net.logged("logger", "primary", "http", List.of());
            WatchedProcess first = service.primary();
            try (BackgroundCurl curl = BackgroundCurl.upload(net.topology(), net.host("client"), upload.path(),
                    BASE + "/upload/logged.bin", CURL_MAX_TIME, "--limit-rate", UPLOAD_RATE)) {
                failWhen(() -> ClientChecks.bytesAckedByTheService(net), threshold, curl, why,
                        () -> net.topology().partition(net.host("logger"), net.host("primary")));
                first.awaitLine(l -> l.contains("clients STALL until it is back"), "that it stalls its clients, " + why, RECOVERY_WAIT);
                long stalledAt = ClientChecks.bytesAckedByTheService(net);
                Thread.sleep(1_500);
                long stillAt = ClientChecks.bytesAckedByTheService(net);
                assertEquals(stalledAt, stillAt, () -> "bytes acknowledged while the primary could not log them, " + why);
                assertTrue(curl.isAlive(), () -> "curl gave up during the stall, " + why + ": " + curl.output());
                net.topology().healPartition(net.host("logger"));
                first.awaitLine(l -> l.contains(LoggedService.LOGGER_JOINED) && first.output().split(LoggedService.LOGGER_JOINED, -1).length > 2,
                        "that it joined the logger again once the partition healed, " + why, RECOVERY_WAIT);
                System.out.println("LoggedRecoveryE2eTest: " + (stillAt - threshold) + " bytes acknowledged past the threshold before the stall; the primary said:\n"
                        + first.output().lines().filter(l -> l.contains("logger") || l.contains("protection ")).map(l -> "  | " + l)
                        .collect(java.util.stream.Collectors.joining("\n")));
                failWhen(() -> ClientChecks.bytesAckedByTheService(net), stillAt + (4L << 20), curl, why, () -> first.signal("KILL"));
                WatchedProcess recovered = service.startPrimary(net.host("primary"));
                String took = recovered.awaitLine(l -> l.contains(LoggedService.TOOK_OVER), "that it took over, " + why, RECOVERY_WAIT);
                System.out.println("LoggedRecoveryE2eTest: " + took);
                ClientChecks.assertRestoredSome(took, why);
                ClientChecks.assertCurlSucceeded(curl, TRANSFER_WAIT, why, () -> "");
                ClientChecks.assertUploadAnswer(curl.output(), UPLOAD, upload.sha256(), why);
            }
        } finally {
            Files.deleteIfExists(upload.path());
            net.topology().healPartition(net.host("logger"));
        }
    }

    /** Instead of a signal: the primary's and the logger's own addresses cut apart. */
    private static final String PARTITION = "PARTITION";

    /**
     * A restart (an upgrade: SIGTERM, then the same command again): the stopped primary leaves its
     * connections to the logger's records, and the new process recovers them. Before, its
     * application closed them, and the upload failed.
     */
    @Test
    void uploadSurvivesThePrimarysStopAndRestartInPlace() throws Exception {
        uploadAcross(Recovery.RESTART_IN_PLACE, "TERM");
    }

    /**
     * A standby whose application replays slower than the logger's fetch arrives holds the fetched
     * records the application has not consumed: with {@code replication.max-lag} small, its
     * acknowledgements hold the fetch back, and what it held stays within the bound plus the
     * logger's window (4 MiB) of records sent before the hold, one more in flight as the lag is
     * sampled, and one for a hold that ran out (500 ms). Unbounded, a 64 MiB echo log was
     * measured up to 54 MiB behind.
     */
    @Test
    void aSpareHostsFetchIsHeldToTheReplayLagBound() throws Exception {
        long seed = System.nanoTime();
        SplittableRandom random = new SplittableRandom(seed);
        long threshold = UPLOAD / 2 + random.nextLong(UPLOAD / 4); // a fetch of 32 to 48 MiB
        String why = "primary killed once the server acknowledged " + threshold + " of " + UPLOAD + " bytes, SPARE_HOST with replication.max-lag = 1MiB"
                + " (seed " + seed + ")";
        System.out.println("LoggedRecoveryE2eTest: upload, " + why);
        SeededFile upload = SeededFile.create(dir.resolve("upload-" + seed + ".bin"), UPLOAD, random.nextLong());
        try {
            String metricsAt = net.host("logger").kernelAddress() + ":9401";
            LoggedService service = net.logged("logger", "primary", "http", List.of("--metrics", metricsAt), "replication.max-lag = 1MiB");
            WatchedProcess standby = service.startStandby(net.host("standby"));
            try (BackgroundCurl curl = BackgroundCurl.upload(net.topology(), net.host("client"), upload.path(),
                    BASE + "/upload/logged.bin", CURL_MAX_TIME, "--limit-rate", UPLOAD_RATE)) {
                failWhen(() -> ClientChecks.bytesAckedByTheService(net), threshold, curl, why, () -> {
                    // What the logger says of the log it keeps, while the primary logs to it.
                    ExecResult scrape = net.topology().exec(net.host("logger"), Duration.ofSeconds(10), "curl", "-sS", "--max-time", "5",
                            "http://" + metricsAt + "/metrics");
                    Matcher durable = Pattern.compile("fttcp_logger_durable_lsn\\{cluster=\"[^\"]+\"} ([0-9.E]+)").matcher(scrape.output());
                    assertTrue(durable.find() && Double.parseDouble(durable.group(1)) > 0, () -> "the logger's metrics, " + why + ": " + scrape);
                    assertTrue(scrape.output().contains("fttcp_logger_forces_total{cluster="), () -> "the logger's metrics, " + why + ": " + scrape);
                    service.primary().signal("KILL");
                });
                String took = standby.awaitLine(l -> l.contains(LoggedService.TOOK_OVER), "that it took over, " + why, RECOVERY_WAIT);
                ClientChecks.assertRestoredSome(took, why);
                Matcher fetched = Pattern.compile("fetched \\d+ record\\(s\\) \\((\\d+) client bytes\\).*replay lag at most (\\d+) bytes")
                        .matcher(standby.output());
                assertTrue(fetched.find(), () -> "the standby says what it fetched and its largest lag, " + why + ":\n" + standby.output());
                long fetchedBytes = Long.parseLong(fetched.group(1));
                long lag = Long.parseLong(fetched.group(2));
                System.out.println("LoggedRecoveryE2eTest: fetched " + fetchedBytes + " client bytes, replay lag at most " + lag + " bytes");
                assertTrue(fetchedBytes >= UPLOAD / 2, () -> "the fetch held the upload's logged bytes, " + fetchedBytes + ", " + why);
                // Measured 2.0 to 5.2 MiB; unbounded, 28 to 31.6 MiB.
                assertTrue(lag <= (1 << 20) + 3 * (4 << 20), () -> "the replay lag stayed within 1 MiB + three windows: " + lag + ", " + why);
                ClientChecks.assertCurlSucceeded(curl, TRANSFER_WAIT, why, () -> "");
                ClientChecks.assertUploadAnswer(curl.output(), UPLOAD, upload.sha256(), why);
            }
        } finally {
            Files.deleteIfExists(upload.path());
        }
    }

    private void uploadAcross(Recovery recovery, String signal) throws Exception {
        long seed = System.nanoTime();
        SplittableRandom random = new SplittableRandom(seed);
        long threshold = threshold(random, UPLOAD);
        String loss = signal.equals(PARTITION) ? "primary cut off from the logger" : "primary sent SIG" + signal;
        String why = loss + " once the server acknowledged " + threshold + " of " + UPLOAD + " bytes, " + recovery + " (seed " + seed + ")";
        System.out.println("LoggedRecoveryE2eTest: upload, " + why);
        SeededFile upload = SeededFile.create(dir.resolve("upload-" + seed + ".bin"), UPLOAD, random.nextLong());
        try {
            LoggedService service = net.logged("logger", "primary", "http", List.of());
            WatchedProcess standby = recovery == Recovery.SPARE_HOST ? service.startStandby(net.host("standby")) : null;
            try (BackgroundCurl curl = BackgroundCurl.upload(net.topology(), net.host("client"), upload.path(),
                    BASE + "/upload/logged.bin", CURL_MAX_TIME, "--limit-rate", UPLOAD_RATE)) {
                WatchedProcess first = service.primary();
                failWhen(() -> ClientChecks.bytesAckedByTheService(net), threshold, curl, why, () -> {
                    if (signal.equals(PARTITION)) net.topology().partition(net.host("logger"), net.host("primary"));
                    else first.signal(signal);
                });
                if (signal.equals("TERM")) {
                    first.awaitLine(l -> l.contains("stopping without closing the connections"),
                            "that the stopped primary left its connections to a recovery, " + why, Duration.ofSeconds(2));
                    int exit = first.awaitExit(Duration.ofSeconds(2));
                    assertNotEquals(-1, exit, () -> "the stopped primary still runs 2 s later, " + why + ":\n" + first.output());
                }
                WatchedProcess recovered = recovery == Recovery.SPARE_HOST ? standby : service.startPrimary(net.host("primary"));
                String took = recovered.awaitLine(l -> l.contains(LoggedService.TOOK_OVER), "that it took over, " + why, RECOVERY_WAIT);
                System.out.println("LoggedRecoveryE2eTest: " + took);
                ClientChecks.assertRestoredSome(took, why);
                ClientChecks.assertCurlSucceeded(curl, TRANSFER_WAIT, why, () -> "");
                ClientChecks.assertUploadAnswer(curl.output(), UPLOAD, upload.sha256(), why);
                if (signal.equals(PARTITION)) {
                    String down = first.awaitLine(l -> l.startsWith("fttcp primary: stepped down"), "that the cut-off primary stepped down, " + why,
                            Duration.ofSeconds(3));
                    assertTrue(down.contains("another host announced the service address"), () -> "why it stepped down, " + why + ":\n" + first.output());
                    assertEquals(3, first.awaitExit(Duration.ofSeconds(2)), () -> "the cut-off primary's exit code, " + why + ":\n" + first.output());
                }
            }
        } finally {
            Files.deleteIfExists(upload.path());
            if (signal.equals(PARTITION)) net.topology().healPartition(net.host("logger"));
        }
    }

    /**
     * An application whose state outlives its connections (the key-value store, a checkpoint every
     * 1000 commands), its logger and primary with {@code retention = checkpointed}: a long session
     * and short ones change it, the primary is killed and restarted in place, and the recovered
     * server, restored from the latest checkpoint and what followed, has every value; the long
     * session goes on.
     */
    @Test
    void keyValueStateSurvivesTheRestartInPlaceFromACheckpoint() throws Exception {
        long seed = System.nanoTime();
        SplittableRandom random = new SplittableRandom(seed);
        String why = "key-value store, retention checkpointed, primary killed and restarted in place (seed " + seed + ")";
        System.out.println("LoggedRecoveryE2eTest: " + why);
        KvModel model = new KvModel(random);
        LoggedService service = net.logged("logger", "primary", "kv", List.of("--retention", "checkpointed"), "replication.retention = checkpointed");
        try (SocatSession session = SocatSession.connect(net.topology(), net.host("client"), Topology.SERVICE_ADDRESS, 80)) {
            model.commands(session, 1_500, why); // past the first checkpoint
            model.shortSessions(net, 10, why);
            model.commands(session, 300, why);
            service.primary().signal("KILL");
            WatchedProcess recovered = service.startPrimary(net.host("primary"));
            String took = recovered.awaitLine(l -> l.contains(LoggedService.TOOK_OVER), "that it took over, " + why, RECOVERY_WAIT);
            System.out.println("LoggedRecoveryE2eTest: " + took);
            ClientChecks.assertRestoredSome(took, why);
            model.checkEveryValue(session, "on the long session after the recovery, " + why);
            model.commands(session, 300, "after the recovery, " + why);
            model.shortSessions(net, 3, "after the recovery, " + why);
            assertFalse(recovered.output().contains("DIVERGED"), "a connection diverged, " + why + ":\n" + recovered.output());
            session.finishSending();
            assertEquals(0, session.receiveToEnd(Duration.ofSeconds(10)).length, "nothing after the answers, " + why);
            assertEquals(0, session.awaitExit(Duration.ofSeconds(10)), "socat's exit code, " + why + "; stderr: " + session.errors());
        }
    }

    /**
     * Under {@code logger.on-loss = continue} a primary that loses its logger serves on,
     * unprotected and saying so; the transfer neither stalls nor breaks. When the logger comes
     * back the primary joins it again with a catch-up of its live connections (the logger starts
     * a new generation of its log) and is protected again: killed then, it is recovered from the
     * logger, and the download still completes intact.
     */
    @Test
    void underTheContinuePolicyALostLoggerLeavesThePrimaryServingUnprotectedUntilItReturns() throws Exception {
        long seed = System.nanoTime();
        SplittableRandom random = new SplittableRandom(seed);
        long contentSeed = random.nextLong(1, Long.MAX_VALUE);
        long at = threshold(random, BIG_DOWNLOAD / 4);
        String why = "logger killed at " + at + " bytes, logger.on-loss = continue, logger restarted, primary killed (seed " + seed + ")";
        System.out.println("LoggedRecoveryE2eTest: download, " + why);
        Path file = dir.resolve("download-" + seed + ".bin");
        try {
            LoggedService service = net.logged("logger", "primary", "http", List.of(), "logger.on-loss = continue");
            WatchedProcess first = service.primary();
            // Slow enough that the logger's return and the second failure land within the download.
            try (BackgroundCurl curl = BackgroundCurl.download(net.topology(), net.host("client"),
                    BASE + "/gen/" + BIG_DOWNLOAD + "?seed=" + contentSeed, file, CURL_MAX_TIME, "--limit-rate", "40M")) {
                failWhen(curl::downloadedBytes, at, curl, why, () -> service.logger().signal("KILL"));
                first.awaitLine(l -> l.contains("protection UNPROTECTED"), "that it says it is unprotected, " + why, RECOVERY_WAIT);
                // The status watcher may print the new state before the host's own warning is written: await both.
                first.awaitLine(l -> l.contains("continuing UNPROTECTED"), "that its log says it continues unprotected, " + why, Duration.ofSeconds(5));
                long unprotectedAt = curl.downloadedBytes();
                Thread.sleep(300);
                assertTrue(curl.downloadedBytes() > unprotectedAt, "the download stalled while unprotected, " + why);
                service.startLogger();
                // Once the logger holds the whole catch-up (the status line says CATCHING_UP until then): a kill before leaves the
                // logger's old generation, marked incomplete (a CI run killed it so, 100 ms after a status line that said PROTECTED early).
                first.awaitLine(l -> l.contains("protection regained"), "that the returned logger holds the catch-up and protects it again, "
                        + why, RECOVERY_WAIT);
                long protectedAt = curl.downloadedBytes();
                assertTrue(protectedAt < BIG_DOWNLOAD, "the download ended before the second failure, " + why);
                failWhen(curl::downloadedBytes, protectedAt + (4L << 20), curl, why, () -> first.signal("KILL"));
                WatchedProcess recovered = service.startPrimary(net.host("primary"));
                String took = recovered.awaitLine(l -> l.contains(LoggedService.TOOK_OVER), "that it took over, " + why, RECOVERY_WAIT);
                System.out.println("LoggedRecoveryE2eTest: " + took);
                ClientChecks.assertRestoredSome(took, why);
                ClientChecks.assertCurlSucceeded(curl, TRANSFER_WAIT, why, () -> "");
                assertEquals(new Generator(contentSeed).sha256Hex(BIG_DOWNLOAD), sha256(file), "sha256 of the download, " + why);
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /**
     * Under {@code logger.on-loss = continue}, an idle service (one keep-alive connection,
     * nothing moving) loses its logger and gets it back: the primary re-joins with a catch-up and
     * says protection is regained once a record after the catch-up is acknowledged (the logger
     * has switched to it by then). An idle service appends no record of its own, so the primary
     * appends a heartbeat record while a catch-up is unconfirmed; without it the confirmation
     * never came, and a SIGTERM closed the connections instead of handing them over. Stopped so,
     * it hands the idle connection over, and restarted in place it restores it.
     */
    @Test
    void anIdleServiceWhoseLoggerReturnsRegainsProtectionAndHandsItsConnectionOver() throws Exception {
        String why = "an idle keep-alive connection, logger.on-loss = continue, the logger killed and restarted, the primary stopped";
        System.out.println("LoggedRecoveryE2eTest: " + why);
        Process idle = null;
        try {
            LoggedService service = net.logged("logger", "primary", "http", List.of(), "logger.on-loss = continue");
            WatchedProcess first = service.primary();
            idle = ClientChecks.idleSession(net);
            Thread.sleep(1_000); // its 100 kB answer delivered: from now on nothing moves
            service.logger().signal("KILL");
            first.awaitLine(l -> l.contains("continuing UNPROTECTED"), "that it continues unprotected, " + why, RECOVERY_WAIT);
            service.startLogger();
            first.awaitLine(l -> l.contains("protection regained"), "that it regains protection, idle, " + why, RECOVERY_WAIT);
            first.signal("TERM");
            first.awaitLine(l -> l.contains("stopping without closing the connections"),
                    "that the stopped primary left its connection to a recovery, " + why, Duration.ofSeconds(2));
            WatchedProcess recovered = service.startPrimary(net.host("primary"));
            String took = recovered.awaitLine(l -> l.contains(LoggedService.TOOK_OVER), "that it took over, " + why, RECOVERY_WAIT);
            System.out.println("LoggedRecoveryE2eTest: " + took);
            ClientChecks.assertRestoredSome(took, why);
            assertTrue(idle.isAlive(), "the idle session ended, " + why);
        } finally {
            if (idle != null) idle.destroyForcibly();
        }
    }

    /**
     * Under {@code logger.on-loss = continue}: the primary, cut off from its logger during an
     * upload, waits out its claim window and serves on unprotected, taking more of the upload,
     * and is killed before it can re-join. Restarted in place once the partition heals, it
     * recovers from records its client is past (the client never resends what the primary
     * acknowledged): restored, the upload hung. The logger, which last heard the primary more
     * than its claim window (told in its handshake) before the recovery, marks the records
     * incomplete, and the recovery resets the client instead.
     */
    @Test
    void aPrimaryThatServedPastItsLogAndDiedHasItsClientsResetNotRestoredBehindThem() throws Exception {
        long seed = System.nanoTime();
        SplittableRandom random = new SplittableRandom(seed);
        long size = 512L << 20;
        long at = (16L << 20) + random.nextLong(16L << 20);
        String why = "primary cut off from its logger at " + at + " bytes of an upload, logger.on-loss = continue, serving on unprotected,"
                + " killed, the partition healed, restarted in place (seed " + seed + ")";
        System.out.println("LoggedRecoveryE2eTest: " + why);
        SeededFile upload = SeededFile.create(dir.resolve("upload-" + seed + ".bin"), size, random.nextLong());
        try {
            LoggedService service = net.logged("logger", "primary", "http", List.of(), "logger.on-loss = continue");
            WatchedProcess first = service.primary();
            try (BackgroundCurl curl = BackgroundCurl.upload(net.topology(), net.host("client"), upload.path(), BASE + "/upload/past-the-log.bin",
                    CURL_MAX_TIME, "--limit-rate", "50M")) {
                failWhen(() -> ClientChecks.bytesAckedByTheService(net), at, curl, why,
                        () -> net.topology().partition(net.host("logger"), net.host("primary")));
                first.awaitLine(l -> l.contains("protection UNPROTECTED"), "that it serves unprotected, " + why, RECOVERY_WAIT);
                long acked = ClientChecks.bytesAckedByTheService(net);
                failWhen(() -> ClientChecks.bytesAckedByTheService(net), acked + (4L << 20), curl, why, () -> first.signal("KILL"));
                net.topology().healPartition(net.host("logger"));
                WatchedProcess recovered = service.startPrimary(net.host("primary"));
                String took = recovered.awaitLine(l -> l.contains(LoggedService.TOOK_OVER), "that it took over, " + why, RECOVERY_WAIT);
                System.out.println("LoggedRecoveryE2eTest: " + took);
                assertTrue(service.logger().output().contains("may have served its clients past this log"),
                        () -> "the logger did not mark the records, " + why + ":\n" + service.logger().output());
                assertTrue(took.contains("restored 0 connection") && took.contains("incomplete"), "the recovery restored a connection"
                        + " its client is past, " + why + ": " + took);
                int exit = curl.awaitExit(Duration.ofSeconds(15));
                assertTrue(exit > 0 && curl.output().contains("reset"), () -> "the upload's curl was not reset at once (exit " + exit
                        + ", -1: still running), " + why + "; curl said: " + curl.output() + "\n" + ClientChecks.clientView(net));
                ClientChecks.assertServiceStillAnswers(net, random, why);
            }
        } finally {
            Files.deleteIfExists(upload.path());
            net.topology().healPartition(net.host("logger"));
        }
    }

    /**
     * Under {@code logger.on-loss = continue}: the logger is lost during an upload, the primary
     * takes more of it unprotected and opens an idle session, the logger returns and the primary
     * catches it up (a new generation of its log), and is killed during that catch-up. The
     * logger drops the broken-off generation, and the one it keeps is behind what the primary
     * served since: it marks it incomplete. The primary restarted in place recovers from it, but
     * restores none of its connections: restored, the upload would be behind its client (which
     * never resends what the primary acknowledged) and hang, as it did before the mark. The
     * upload's client and the idle session's (known only from the catch-up's roster) are reset
     * within seconds; new clients are served.
     */
    @Test
    void aPrimaryLostWhileCatchingTheLoggerUpHasItsClientsResetNotRestoredBehindThem() throws Exception {
        long seed = System.nanoTime();
        SplittableRandom random = new SplittableRandom(seed);
        long size = 512L << 20;
        long at = (16L << 20) + random.nextLong(16L << 20);
        String why = "logger killed at " + at + " bytes of an upload, logger.on-loss = continue, an idle session opened, the logger restarted,"
                + " the primary killed during its catch-up (seed " + seed + ")";
        System.out.println("LoggedRecoveryE2eTest: " + why);
        SeededFile upload = SeededFile.create(dir.resolve("upload-" + seed + ".bin"), size, random.nextLong());
        Process idle = null;
        try {
            LoggedService service = net.logged("logger", "primary", "http", List.of(), "logger.on-loss = continue",
                    "replication.retention-limit = 700MiB");
            WatchedProcess first = service.primary();
            try (BackgroundCurl curl = BackgroundCurl.upload(net.topology(), net.host("client"), upload.path(), BASE + "/upload/behind.bin",
                    CURL_MAX_TIME, "--limit-rate", "50M")) {
                failWhen(() -> ClientChecks.bytesAckedByTheService(net), at, curl, why, () -> service.logger().signal("KILL"));
                first.awaitLine(l -> l.contains("protection UNPROTECTED"), "that it serves unprotected, " + why, RECOVERY_WAIT);
                idle = ClientChecks.idleSession(net);
                Thread.sleep(1_500); // some 75 MB more of the upload, acknowledged by the primary alone
                assertTrue(curl.isAlive() && idle.isAlive(), "a client ended while the logger was away, " + why + "; curl said: " + curl.output());
                WatchedProcess logger = service.startLogger();
                logger.awaitLine(l -> l.contains("catch-up under way"), "that the primary began catching the logger up, " + why, RECOVERY_WAIT);
                first.signal("KILL");
                logger.awaitLine(l -> l.contains("are incomplete"), "that the logger marked its records incomplete (void if the catch-up"
                        + " was whole before the kill), " + why, RECOVERY_WAIT);
                WatchedProcess recovered = service.startPrimary(net.host("primary"));
                String took = recovered.awaitLine(l -> l.contains(LoggedService.TOOK_OVER), "that it took over, " + why, RECOVERY_WAIT);
                System.out.println("LoggedRecoveryE2eTest: " + took);
                assertTrue(took.contains("restored 0 connection") && took.contains("incomplete"), "the recovery restored a connection"
                        + " of the incomplete records, " + why + ": " + took);
                int exit = curl.awaitExit(Duration.ofSeconds(15));
                assertTrue(exit > 0 && curl.output().contains("reset"), () -> "the upload's curl was not reset at once (exit " + exit
                        + ", -1: still running), " + why + "; curl said: " + curl.output() + "\n" + ClientChecks.clientView(net));
                ClientChecks.assertReset(net, idle, "the idle session opened while unprotected (known only from the roster)", why);
                ClientChecks.assertServiceStillAnswers(net, random, why);
            }
        } finally {
            if (idle != null) idle.destroyForcibly();
            Files.deleteIfExists(upload.path());
        }
    }
}
