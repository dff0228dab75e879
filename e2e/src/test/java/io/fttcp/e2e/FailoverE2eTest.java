package io.fttcp.e2e;

import io.fttcp.apps.http.Generator;
import io.fttcp.testbed.ExecResult;
import io.fttcp.testbed.Host;
import io.fttcp.testbed.ReplicaPair;
import io.fttcp.testbed.Topology;
import io.fttcp.testbed.WatchedProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static io.fttcp.e2e.ClientChecks.assertNoReset;
import static io.fttcp.e2e.ClientChecks.failWhen;
import static io.fttcp.e2e.ClientChecks.sha256;
import static io.fttcp.e2e.ClientChecks.threshold;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Primary/backup failover with real clients (curl, socat) in a client namespace: the primary JVM
 * is killed, frozen or cut off while data flows; every transfer must complete intact, with no
 * client seeing an error or a reset, and the backup must have restored the client's connection.
 * Each test draws its failure moment from a printed seed. A transfer that gets stuck fails with
 * the client's view of it (ss, TCP drop counters, a packet capture with absolute sequence numbers)
 * and the replicas' thread dumps.
 */
@Timeout(value = 120)
class FailoverE2eTest {
    private static final long BIG_DOWNLOAD = 256L << 20;
    private static final long UPLOAD = 64L << 20;
    /**
     * About 2 s for the upload: its progress is polled with {@code ss} in the client's namespace,
     * which takes a while on a loaded machine, and the kill must land before the upload ends.
     */
    private static final String UPLOAD_RATE = "32M";
    private static final String BASE = "http://" + Topology.SERVICE_ADDRESS;
    /** curl's own limit is beyond the test's wait, so a stuck transfer is still there for the diagnostics (ss -tin). */
    private static final Duration CURL_MAX_TIME = Duration.ofSeconds(150);
    private static final Duration TRANSFER_WAIT = Duration.ofSeconds(60);
    private static final Duration TAKEOVER_WAIT = Duration.ofSeconds(15);
    private static final Pattern RESTORED = Pattern.compile("restored (\\d+) connection");
    private static final Pattern CAUGHT_UP = Pattern.compile("caught up on (\\d+) retained record\\(s\\) \\((\\d+) client bytes\\) through LSN (\\d+)");

    /**
     * The failure detection timeout the replicas run with: the product's default, 150 ms (with
     * its 2 s warm-up after the replicas connect). Before the warm-up existed it broke fresh pairs
     * up by themselves on this 2-core machine when saturated (2 of 8 idle pairs); with it, 4 of 4
     * runs of this class passed. The test that starts 100 clients at once saturates the machine
     * on purpose and runs with 1 s ({@link #SATURATED_DETECTION}); on a saturated machine,
     * {@code -Dfttcp.e2e.detection=1s} keeps the other pairs together too (a killed primary is
     * still detected at once: its connection drops).
     */
    private static final String DETECTION = System.getProperty("fttcp.e2e.detection", "150ms");
    /** For the test that saturates the machine on purpose (100 clients starting at once). */
    private static final String SATURATED_DETECTION = System.getProperty("fttcp.e2e.saturatedDetection", "1s");

    @RegisterExtension
    static final SharedTopology net = new SharedTopology(b -> b.client("client").server("primary").server("backup"));

    private static Path dir;

    @BeforeAll
    static void createDirectory() throws IOException {
        dir = Files.createTempDirectory("fttcp-e2e-failover");
    }

    @AfterAll
    static void deleteDirectory() throws IOException {
        if (dir != null) {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    /** How the primary is lost in a download test, and what is checked about it afterwards. */
    private enum Failure { KILL, STOP, LINK_DOWN, TERM, PARTITION, PARTITION_TOWARD_BACKUP }

    @Test
    void downloadSurvivesThePrimarysKill() throws Exception {
        downloadAcross(Failure.KILL);
    }

    /**
     * A stop (SIGTERM: systemd, a container runtime, kill) is the commonest loss of a primary's
     * process: it hands its connections to the backup and exits at once. Before, its application
     * closed them (the download cut short after a 5 s grace) and the backup, told the channel was
     * closed on purpose, stopped too.
     */
    @Test
    void downloadSurvivesThePrimarysStop() throws Exception {
        downloadAcross(Failure.TERM);
    }

    @Test
    void downloadSurvivesAFrozenPrimaryWhichStepsDownWhenContinued() throws Exception {
        downloadAcross(Failure.STOP);
    }

    @Test
    void downloadSurvivesThePrimaryCutOffWhichStepsDownWhenReconnected() throws Exception {
        downloadAcross(Failure.LINK_DOWN);
    }

    /**
     * The split brain a lease exists for: the replicas lose each other (their own addresses cut
     * apart by nftables in the backup's namespace) while the client reaches both, and the primary
     * runs on. The backup waits out the lease and takes over; the primary, silent past its lease,
     * emits nothing and steps down when it hears the backup announce the service address, before
     * the partition heals. The download completes intact from the backup, no reset.
     */
    @Test
    void downloadSurvivesTheReplicasPartitionedWhileTheClientReachesBoth() throws Exception {
        downloadAcross(Failure.PARTITION);
    }

    private void downloadAcross(Failure failure) throws Exception {
        long seed = System.nanoTime();
        SplittableRandom random = new SplittableRandom(seed);
        long contentSeed = random.nextLong(1, Long.MAX_VALUE);
        long threshold = threshold(random, BIG_DOWNLOAD);
        String why = failure + " once " + threshold + " of " + BIG_DOWNLOAD + " bytes arrived (seed " + seed + ")";
        System.out.println("FailoverE2eTest: download, " + why);
        Path file = dir.resolve("download-" + seed + ".bin");
        ReplicaPair replicas = null;
        try (ReplicaPair pair = replicas("http");
             BackgroundCurl curl = BackgroundCurl.download(net.topology(), net.host("client"),
                     BASE + "/gen/" + BIG_DOWNLOAD + "?seed=" + contentSeed, file, CURL_MAX_TIME)) {
            replicas = pair;
            long at = failWhen(curl::downloadedBytes, threshold, curl, why, () -> inject(failure, pair, why));
            assertRestoredAConnection(pair, why);
            assertCurlSucceeded(curl, why);
            assertEquals(BIG_DOWNLOAD, Files.size(file), "bytes downloaded, " + why);
            assertEquals(new Generator(contentSeed).sha256Hex(BIG_DOWNLOAD), sha256(file), "sha256 of the download, " + why);
            Files.delete(file);
            System.out.println("FailoverE2eTest: failed at " + at + " bytes; download intact");
            checkTheOldPrimary(failure, pair, random, why);
        } finally {
            Files.deleteIfExists(file);
            reconnect(failure, replicas);
        }
    }

    /**
     * A client that reads far slower than the server sends (a player: curl at 384 KB/s): its
     * receive buffer (at most 1 MiB in its namespace) stays nearly full and its window closes now
     * and then (the test checks it did: the client's count of zero windows advertised), so at the
     * kill the backup restores a connection whose client can take little or nothing now. The
     * restored connection must wait and probe, not stall or overrun it. (With a buffer of 16 KiB
     * Linux never advertised a zero window: its window stayed just under a segment.)
     */
    @Test
    void aSlowReaderWhoseWindowClosesSurvivesThePrimarysKill() throws Exception {
        long size = 3L << 20;
        long seed = System.nanoTime();
        SplittableRandom random = new SplittableRandom(seed);
        long contentSeed = random.nextLong(1, Long.MAX_VALUE);
        long threshold = threshold(random, size);
        String why = "KILL of a slow reader's primary once " + threshold + " of " + size + " bytes arrived (seed " + seed + ")";
        System.out.println("FailoverE2eTest: " + why);
        Path file = dir.resolve("slow-" + seed + ".bin");
        String rmem = net.bash("client", Duration.ofSeconds(10), "sysctl -n net.ipv4.tcp_rmem").requireSuccess().output().trim();
        net.bash("client", Duration.ofSeconds(10), "sysctl -qw net.ipv4.tcp_rmem='4096 131072 1048576'").requireSuccess();
        long zeroWindowsBefore = zeroWindowsAdvertised();
        try (ReplicaPair pair = replicas("http");
             BackgroundCurl curl = BackgroundCurl.download(net.topology(), net.host("client"),
                     BASE + "/gen/" + size + "?seed=" + contentSeed, file, CURL_MAX_TIME, "--limit-rate", "384K")) {
            failWhen(curl::downloadedBytes, threshold, curl, why, () -> inject(Failure.KILL, pair, why));
            assertRestoredAConnection(pair, why);
            assertCurlSucceeded(curl, why);
            assertEquals(size, Files.size(file), "bytes downloaded, " + why);
            assertEquals(new Generator(contentSeed).sha256Hex(size), sha256(file), "sha256 of the download, " + why);
            long zeroWindows = zeroWindowsAdvertised() - zeroWindowsBefore;
            System.out.println("FailoverE2eTest: the client advertised a zero window " + zeroWindows + " time(s)");
            assertTrue(zeroWindows > 0, "the client's window never closed: the test tested nothing of it, " + why);
        } finally {
            Files.deleteIfExists(file);
            net.bash("client", Duration.ofSeconds(10), "sysctl -qw net.ipv4.tcp_rmem='" + rmem + "'");
        }
    }

    /** How often the client's kernel advertised a zero window so far (its namespace's counter). */
    private static long zeroWindowsAdvertised() {
        String out = net.bash("client", Duration.ofSeconds(10), "nstat -az TcpExtTCPToZeroWindowAdv | awk '/TCPToZeroWindowAdv/ {print $2}'")
                .requireSuccess().output().trim();
        return out.isEmpty() ? 0 : Long.parseLong(out);
    }

    /** Loses the primary as {@code failure} says, once sure the pair was still together. */
    private static void inject(Failure failure, ReplicaPair pair, String why) {
        assertStillPaired(pair, why);
        switch (failure) {
            case KILL -> pair.primary().signal("KILL");
            case STOP -> pair.primary().signal("STOP");
            case LINK_DOWN -> net.topology().linkDown(pair.primaryHost());
            case TERM -> pair.primary().signal("TERM");
            case PARTITION -> net.topology().partition(pair.backupHost(), pair.primaryHost());
            case PARTITION_TOWARD_BACKUP -> net.topology().partitionOneWay(pair.primaryHost(), pair.backupHost());
        }
    }

    /** Once the transfer is over: what became of the old primary, and (where it came back) the service still answers. */
    private static void checkTheOldPrimary(Failure failure, ReplicaPair pair, SplittableRandom random, String why) throws InterruptedException {
        switch (failure) {
            case KILL -> { }
            case TERM -> {
                pair.primary().awaitLine(l -> l.contains("stopping without closing the connections"),
                        "that the stopped primary handed its connections over, " + why, Duration.ofSeconds(2));
                int exit = pair.primary().awaitExit(Duration.ofSeconds(2));
                assertNotEquals(-1, exit, () -> "the stopped primary still runs 2 s after the takeover, " + why + ":\n" + pair.primary().output());
            }
            case STOP -> {
                pair.primary().signal("CONT");
                assertStepsDown(pair, Duration.ofSeconds(5), why + ", then continued");
                ClientChecks.assertServiceStillAnswers(net, random, why + ", then continued");
            }
            case PARTITION, PARTITION_TOWARD_BACKUP -> {
                assertStepsDown(pair, Duration.ofSeconds(3), why + ", then still partitioned");
                String primary = pair.primary().output();
                // Past its lease it must not have served on (the backup may have taken over). Whether it
                // noticed the silence before the announcement came is a race (both take the detection timeout).
                assertTrue(!primary.contains("continuing UNPROTECTED") && primary.contains("another host announced the service address"),
                        () -> "the old primary stayed fenced and stepped down for the backup's announcement, " + why + ":\n" + primary);
                System.out.print("FailoverE2eTest: the old primary's last words:\n" + SharedTopology.lastLines(primary, 6));
                net.topology().healPartition(pair.backupHost());
                ClientChecks.assertServiceStillAnswers(net, random, why + ", then healed");
            }
            case LINK_DOWN -> {
                net.topology().linkUp(pair.primaryHost());
                // It hears the new owner's periodic gratuitous ARP (every second).
                assertStepsDown(pair, Duration.ofSeconds(3), why + ", then reconnected");
                ClientChecks.assertServiceStillAnswers(net, random, why + ", then reconnected");
            }
        }
    }

    /**
     * As {@link #downloadSurvivesTheReplicasPartitionedWhileTheClientReachesBoth}, one way: the
     * backup no longer hears the primary, whose kernel still hears the backup's (its
     * acknowledgements and heartbeats keep the primary's detector content, but echo no new
     * heartbeat: the lease runs out all the same). The primary stays fenced and steps down when
     * it hears the backup's announcement.
     */
    @Test
    void uploadSurvivesTheBackupNoLongerHearingThePrimary() throws Exception {
        uploadAcross(Failure.PARTITION_TOWARD_BACKUP);
    }

    @Test
    void uploadSurvivesThePrimarysKill() throws Exception {
        uploadAcross(Failure.KILL);
    }

    /**
     * As {@link #downloadSurvivesTheReplicasPartitionedWhileTheClientReachesBoth}, uploading: the
     * client's bytes keep reaching the fenced primary until the switch learns the backup's port,
     * and only the backup may acknowledge them.
     */
    @Test
    void uploadSurvivesTheReplicasPartitionedWhileTheClientReachesBoth() throws Exception {
        uploadAcross(Failure.PARTITION);
    }

    private void uploadAcross(Failure failure) throws Exception {
        long seed = System.nanoTime();
        SplittableRandom random = new SplittableRandom(seed);
        long threshold = threshold(random, UPLOAD);
        String why = failure + " once the server acknowledged " + threshold + " of " + UPLOAD + " bytes (seed " + seed + ")";
        System.out.println("FailoverE2eTest: upload, " + why);
        SeededFile upload = SeededFile.create(dir.resolve("upload-" + seed + ".bin"), UPLOAD, random.nextLong());
        ReplicaPair replicas = null;
        try (ReplicaPair pair = replicas("http");
             BackgroundCurl curl = BackgroundCurl.upload(net.topology(), net.host("client"), upload.path(),
                     BASE + "/upload/failover.bin", CURL_MAX_TIME, "--limit-rate", UPLOAD_RATE)) {
            replicas = pair;
            long at = failWhen(() -> ClientChecks.bytesAckedByTheService(net), threshold, curl, why, () -> inject(failure, pair, why));
            assertRestoredAConnection(pair, why);
            assertCurlSucceeded(curl, why);
            ClientChecks.assertUploadAnswer(curl.output(), UPLOAD, upload.sha256(), why);
            System.out.println("FailoverE2eTest: failed at " + at + " bytes acknowledged; upload intact");
            checkTheOldPrimary(failure, pair, random, why);
        } finally {
            Files.deleteIfExists(upload.path());
            reconnect(failure, replicas);
        }
    }

    /** For the next tests: undoes a cut the test may have left (a no-op if there is none). */
    private static void reconnect(Failure failure, ReplicaPair replicas) {
        if (replicas == null) return;
        if (failure == Failure.LINK_DOWN) net.topology().linkUp(replicas.primaryHost());
        if (failure == Failure.PARTITION || failure == Failure.PARTITION_TOWARD_BACKUP) net.topology().healPartition(replicas.backupHost());
    }

    /**
     * Re-protection: the backup takes over, a new backup started on the old primary's host
     * catches up from the live connection's records (the upload's bytes so far), and the new
     * primary's kill is survived too, within one upload.
     */
    @Test
    void uploadSurvivesTwoKillsWithANewBackupBetween() throws Exception {
        long size = 256L << 20;
        long seed = System.nanoTime();
        SplittableRandom random = new SplittableRandom(seed);
        long firstKill = size / 20 + random.nextLong(size / 10);
        String why = "KILL once the server acknowledged " + firstKill + " of " + size + " bytes, a new backup, KILL again (seed " + seed + ")";
        System.out.println("FailoverE2eTest: upload, " + why);
        SeededFile upload = SeededFile.create(dir.resolve("upload-" + seed + ".bin"), size, random.nextLong());
        // The upload's bytes so far are the catch-up: past the default retention limit (64 MiB) before the second backup joins.
        try (ReplicaPair pair = net.replicas("primary", "backup", "http", "replication.detection = " + DETECTION,
                "replication.backup = " + net.host("backup").kernelAddress(), "replication.retention-limit = 512MiB");
             BackgroundCurl curl = BackgroundCurl.upload(net.topology(), net.host("client"), upload.path(),
                     BASE + "/upload/twice.bin", CURL_MAX_TIME, "--limit-rate", UPLOAD_RATE)) {
            failWhen(() -> ClientChecks.bytesAckedByTheService(net), firstKill, curl, why, () -> {
                assertStillPaired(pair, why);
                pair.primary().signal("KILL");
            });
            assertRestoredAConnection(pair, why);
            WatchedProcess second = pair.startBackup(net.host("primary"));
            pair.backup().awaitLine(l -> l.contains("protection PROTECTED"), "that the new backup protects it, " + why, TAKEOVER_WAIT);
            Thread.sleep(ReplicaPair.WARMUP.toMillis());
            long acked = ClientChecks.bytesAckedByTheService(net);
            assertTrue(curl.isAlive() && acked < size, "the upload ended before the second kill (" + acked + " bytes acknowledged), " + why);
            pair.backup().signal("KILL");
            String line = second.awaitLine(l -> l.contains(ReplicaPair.TOOK_OVER), "that the new backup took over, " + why, TAKEOVER_WAIT);
            System.out.println("FailoverE2eTest: second takeover after " + acked + " bytes: " + line);
            ClientChecks.assertRestoredSome(line, "the second takeover, " + why);
            assertCurlSucceeded(curl, why);
            ClientChecks.assertUploadAnswer(curl.output(), size, upload.sha256(), why);
        } finally {
            Files.deleteIfExists(upload.path());
        }
    }

    /**
     * The replicas serve different bytes under one name (new content deployed to one host only):
     * the backup's copy of the application diverges on that download (the output hashes differ),
     * and at takeover the connection is reset and reported, never continued with the backup's
     * bytes; a concurrent download of the same content on both survives intact, without waiting
     * for the diverged one. The diverged download's client is unthrottled curl: when the primary
     * dies it holds more than the backup's records tell (the acknowledgements of the last bytes
     * in flight died with the primary), so an RST at the backup's guess lies below its window and
     * is dropped, and it waits silently for data. An ACK at an old sequence number makes it answer
     * with its rcv.nxt, which is reset exactly (before, it waited for its own timeout).
     */
    @Test
    void aDownloadOfAFileThatDiffersBetweenTheReplicasIsResetNotCorrupted() throws Exception {
        long size = 256L << 20;
        long seed = System.nanoTime();
        SplittableRandom random = new SplittableRandom(seed);
        long threshold = size / 5 + random.nextLong(size / 2);
        String why = "KILL once " + threshold + " of " + size + " bytes of a file that differs between the replicas arrived (seed " + seed + ")";
        System.out.println("FailoverE2eTest: " + why);
        Path primaryRoot = Files.createDirectories(dir.resolve("root-" + net.host("primary").kernelAddress()));
        Path backupRoot = Files.createDirectories(dir.resolve("root-" + net.host("backup").kernelAddress()));
        SeededFile served = SeededFile.create(primaryRoot.resolve("content.bin"), size, random.nextLong());
        SeededFile.create(backupRoot.resolve("content.bin"), size, random.nextLong());
        long contentSeed = random.nextLong(1, Long.MAX_VALUE);
        Path file = dir.resolve("diverged-" + seed + ".bin");
        Path other = dir.resolve("intact-" + seed + ".bin");
        try (ReplicaPair pair = net.replicas("primary", "backup", "http", List.of("--metrics", "HOST:" + METRICS_PORT),
                "replication.detection = " + DETECTION, "app.root = " + dir.resolve("root-HOST"));
             BackgroundCurl intact = BackgroundCurl.download(net.topology(), net.host("client"), BASE + "/gen/" + (64L << 20) + "?seed=" + contentSeed,
                     other, CURL_MAX_TIME, "--limit-rate", "8M");
             BackgroundCurl diverged = BackgroundCurl.download(net.topology(), net.host("client"), BASE + "/content.bin", file, CURL_MAX_TIME)) {
            failWhen(diverged::downloadedBytes, threshold, diverged, why, () -> {
                assertStillPaired(pair, why);
                pair.primary().signal("KILL");
            });
            String line = pair.awaitTakeover(TAKEOVER_WAIT);
            System.out.println("FailoverE2eTest: " + line);
            assertTrue(line.contains("refused") && line.contains("differ from the primary's") && line.contains("restored 1 connection"),
                    "the takeover did not restore the intact download and refuse the diverged one, " + why + ": " + line);
            assertFalse(line.contains("LIMIT HIT"), "the takeover waited for the diverged connection's records, " + why + ": " + line);
            int exit = diverged.awaitExit(Duration.ofSeconds(10));
            assertTrue(exit > 0 && diverged.output().contains("reset"), () -> "the diverged download's curl was not reset at once (exit " + exit
                    + ", -1: still running), " + why + "; curl said: " + diverged.output() + "\n" + ClientChecks.clientView(net));
            long got = Files.size(file);
            assertEquals(got, Files.mismatch(file, served.path()), "the diverged download is not a prefix of the primary's file, " + why);
            assertCurlSucceeded(intact, why);
            assertEquals(new Generator(contentSeed).sha256Hex(64L << 20), sha256(other), "sha256 of the concurrent download, " + why);
            System.out.println("FailoverE2eTest: the diverged download was reset after " + got + " bytes, all the primary's");
            // Both connections are over: the new primary keeps no records for a joining backup (the
            // reset one's too: a catch-up would restore it again, and keep its bytes for ever).
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            String metrics = scrape(pair.backupHost());
            while (value(metrics, "fttcp_retained_connections") != 0 && System.nanoTime() < deadline) {
                Thread.sleep(100);
                metrics = scrape(pair.backupHost());
            }
            String last = metrics;
            assertEquals(0, value(last, "fttcp_retained_connections"), () -> "the new primary still keeps records of a connection, " + why + ":\n" + last);
        } finally {
            Files.deleteIfExists(file);
            Files.deleteIfExists(other);
            Files.deleteIfExists(primaryRoot.resolve("content.bin"));
            Files.deleteIfExists(backupRoot.resolve("content.bin"));
        }
    }

    /**
     * The primary dies while a new backup is still catching up on the connections it served
     * unprotected (their retained records, in LSN order). The backup takes over (the service goes
     * on) but holds only part of those records: a connection restored from part of them would be
     * behind its client, and an upload's client, which never resends bytes the old primary
     * acknowledged, would hang until its own timeout (it did, before). So none is restored: the
     * upload's client and an idle keep-alive session's (waiting silently for the server) are reset
     * within seconds, and new clients are served. A second idle session, opened once the upload
     * had run a while, has its records far down the catch-up: the backup knows it only from the
     * catch-up's roster, and resets its client too (before the roster, it was left waiting).
     */
    @Test
    void aPrimaryLostDuringTheCatchUpHasItsUnprotectedClientsResetNotHung() throws Exception {
        long seed = System.nanoTime();
        SplittableRandom random = new SplittableRandom(seed);
        long size = 768L << 20;
        String why = "the backup stopped, an idle session and an upload served unprotected, a new backup, the primary KILLed during its"
                + " catch-up (seed " + seed + ")";
        System.out.println("FailoverE2eTest: " + why);
        SeededFile upload = SeededFile.create(dir.resolve("upload-" + seed + ".bin"), size, random.nextLong());
        Process idle = null;
        Process late = null;
        try (ReplicaPair pair = net.replicas("primary", "backup", "http", "replication.detection = " + DETECTION,
                "replication.backup = " + net.host("backup").kernelAddress(), "replication.retention-limit = 700MiB")) {
            pair.backup().signal("TERM");
            pair.primary().awaitLine(l -> l.contains("protection UNPROTECTED"), "that it serves unprotected, " + why, TAKEOVER_WAIT);
            idle = ClientChecks.idleSession(net);
            try (BackgroundCurl up = BackgroundCurl.upload(net.topology(), net.host("client"), upload.path(), BASE + "/upload/caught.bin",
                    CURL_MAX_TIME, "--limit-rate", "50M")) {
                Thread.sleep(1_500);
                late = ClientChecks.idleSession(net); // after some 75 MB of the upload's records
                Thread.sleep(1_500); // with the JVM's start, a catch-up of about 150 MB: a second or more to send and replay
                assertTrue(up.isAlive() && idle.isAlive() && late.isAlive(), "a client ended before the new backup joined, " + why
                        + "; curl said: " + up.output());
                WatchedProcess second = pair.startBackup(net.host("backup"));
                second.awaitLine(l -> l.contains("replicating the primary"), "that the new backup joined, " + why, TAKEOVER_WAIT);
                // The first catch-up batch (the session's and the upload's CONNECT, the oldest records) applied.
                second.awaitLine(l -> l.contains("catching up: the first"), "that the new backup's catch-up began, " + why, TAKEOVER_WAIT);
                pair.primary().signal("KILL");
                String line = second.awaitLine(l -> l.contains(ReplicaPair.TOOK_OVER), "that the new backup took over, " + why, TAKEOVER_WAIT);
                System.out.println("FailoverE2eTest: " + line);
                assertTrue(second.output().contains("the primary was lost before its catch-up"),
                        () -> "void: the catch-up was complete before the kill, " + why + ":\n" + second.output());
                int uploadExit = up.awaitExit(Duration.ofSeconds(15));
                assertTrue(uploadExit > 0 && up.output().contains("reset"), () -> "the upload's curl was not reset at once (exit " + uploadExit
                        + ", -1: still running), " + why + "; curl said: " + up.output() + "\n" + ClientChecks.clientView(net));
                ClientChecks.assertReset(net, idle, "the idle session", why);
                ClientChecks.assertReset(net, late, "the idle session opened later (known only from the roster)", why);
                assertTrue(second.output().contains("; the roster names "), () -> "the roster, " + why + ":\n" + second.output());
                assertTrue(line.contains("restored 0 connection") && line.split("its records are incomplete", -1).length - 1 == 2,
                        "the takeover refused the two connections whose records arrived (void if the later session's did too), " + why + ": " + line);
                ClientChecks.assertServiceStillAnswers(net, random, why);
            }
        } finally {
            if (idle != null) idle.destroyForcibly();
            if (late != null) late.destroyForcibly();
            Files.deleteIfExists(upload.path());
        }
    }

    /**
     * The backup is the one cut off (its switch port goes down) during an upload: the primary
     * hears nothing, waits out its lease and the claim window, and serves on unprotected, taking
     * more of the upload than the backup ever saw. The backup, alone, must not take over: its
     * uplink has no carrier, so the silence is its own isolation. When its link returns it finds
     * the primary alive and stops. Before, it took over in isolation, and once reconnected its
     * announcement made the current primary step down in favour of a stale copy: the client's
     * bytes the primary had acknowledged meanwhile were lost to the new owner and the upload hung.
     */
    @Test
    void uploadSurvivesTheBackupCutOffWhichStaysABackup() throws Exception {
        long seed = System.nanoTime();
        SplittableRandom random = new SplittableRandom(seed);
        long cut = UPLOAD / 20 + random.nextLong(UPLOAD / 10);
        String why = "the backup's link down once the server acknowledged " + cut + " of " + UPLOAD + " bytes (seed " + seed + ")";
        System.out.println("FailoverE2eTest: upload, " + why);
        SeededFile upload = SeededFile.create(dir.resolve("upload-" + seed + ".bin"), UPLOAD, random.nextLong());
        ReplicaPair replicas = null;
        try (ReplicaPair pair = net.replicas("primary", "backup", "http", List.of("--metrics", "HOST:" + METRICS_PORT),
                "replication.detection = " + DETECTION);
             BackgroundCurl curl = BackgroundCurl.upload(net.topology(), net.host("client"), upload.path(),
                     BASE + "/upload/isolated-backup.bin", CURL_MAX_TIME, "--limit-rate", "8M")) {
            replicas = pair;
            failWhen(() -> ClientChecks.bytesAckedByTheService(net), cut, curl, why, () -> {
                assertStillPaired(pair, why);
                net.topology().linkDown(pair.backupHost());
            });
            pair.primary().awaitLine(l -> l.contains("protection UNPROTECTED"), "that the primary serves on unprotected, " + why, TAKEOVER_WAIT);
            String cutOff = scrape(pair.backupHost()); // its own address answers in its namespace, link or not
            assertTrue(cutOff.contains("fttcp_backup_state{state=\"CUT_OFF\"} 1.0"), () -> "the backup's metrics while it is cut off, " + why + ":\n" + cutOff);
            long acked = ClientChecks.bytesAckedByTheService(net);
            Thread.sleep(500); // the unprotected primary takes more of the upload
            assertTrue(curl.isAlive() && ClientChecks.bytesAckedByTheService(net) > acked,
                    "the primary took nothing more of the upload while the backup was away, " + why);
            net.topology().linkUp(pair.backupHost());
            replicas = null;
            pair.backup().awaitLine(l -> l.contains("alive; not taking over"), "that the backup, reconnected, finds the primary alive and stops, " + why,
                    TAKEOVER_WAIT);
            assertTrue(pair.backup().output().contains("uplinks have no carrier"), () -> "the backup did not see its own isolation, " + why
                    + ":\n--- backup:\n" + pair.backup().output());
            assertEquals(1, pair.backup().awaitExit(Duration.ofSeconds(10)), () -> "the backup's exit (1: stopped), " + why);
            assertFalse(pair.primary().output().contains("stepped down"), () -> "the primary stepped down for the isolated backup, "
                    + why + ":\n--- primary:\n" + pair.primary().output() + "--- backup:\n" + pair.backup().output());
            assertFalse(pair.backup().output().contains(ReplicaPair.TOOK_OVER), () -> "the isolated backup took over, " + why
                    + ":\n--- backup:\n" + pair.backup().output());
            assertCurlSucceeded(curl, why);
            ClientChecks.assertUploadAnswer(curl.output(), UPLOAD, upload.sha256(), why);
        } finally {
            Files.deleteIfExists(upload.path());
            if (replicas != null) {
                net.topology().linkUp(replicas.backupHost());
            }
        }
    }

    /**
     * The other half of a cut-off backup: while it is away, the primary dies (killed inside its
     * claim window: fenced since its lease ran out, so it served nothing the backup lacks). The
     * backup waits for its link, finds nothing listening on the primary's port, and takes over:
     * the download, stalled meanwhile, completes intact.
     */
    @Test
    void downloadSurvivesThePrimarysDeathWhileTheBackupWasCutOff() throws Exception {
        long size = 64L << 20;
        long seed = System.nanoTime();
        SplittableRandom random = new SplittableRandom(seed);
        long contentSeed = random.nextLong(1, Long.MAX_VALUE);
        long cut = size / 20 + random.nextLong(size / 10);
        String why = "the backup's link down once " + cut + " of " + size + " bytes arrived, the primary KILLed meanwhile (seed " + seed + ")";
        System.out.println("FailoverE2eTest: download, " + why);
        Path file = dir.resolve("download-" + seed + ".bin");
        ReplicaPair replicas = null;
        try (ReplicaPair pair = replicas("http");
             BackgroundCurl curl = BackgroundCurl.download(net.topology(), net.host("client"),
                     BASE + "/gen/" + size + "?seed=" + contentSeed, file, CURL_MAX_TIME, "--limit-rate", "16M")) {
            replicas = pair;
            failWhen(curl::downloadedBytes, cut, curl, why, () -> {
                assertStillPaired(pair, why);
                net.topology().linkDown(pair.backupHost());
            });
            pair.primary().awaitLine(l -> l.contains("listening") && l.contains("announcement"), "that the primary waits for a claim, " + why,
                    TAKEOVER_WAIT);
            pair.primary().signal("KILL");
            Thread.sleep(300);
            net.topology().linkUp(pair.backupHost());
            replicas = null;
            assertRestoredAConnection(pair, why);
            assertTrue(pair.backup().output().contains("uplinks have no carrier") && pair.backup().output().contains("DEAD"),
                    () -> "the backup did not wait for its link and find the primary dead, " + why + ":\n--- backup:\n" + pair.backup().output());
            assertCurlSucceeded(curl, why);
            assertEquals(size, Files.size(file), "bytes downloaded, " + why);
            assertEquals(new Generator(contentSeed).sha256Hex(size), sha256(file), "sha256 of the download, " + why);
        } finally {
            Files.deleteIfExists(file);
            if (replicas != null) {
                net.topology().linkUp(replicas.backupHost());
            }
        }
    }

    /**
     * A cut-off backup whose copy went stale: while it is away, the primary waits out its claim
     * window, serves on unprotected (taking more of an upload), and dies. The backup, its link
     * back, finds nothing listening and takes over, but the client is past its copy (it never
     * sends again the bytes the primary acknowledged meanwhile): restored, the upload hung until
     * curl's own timeout. The backup knows the primary was last heard longer than a claim window
     * ago (StaleCopy), so it resets the client instead, within the takeover's reset rounds.
     */
    @Test
    void anUploadPastTheCutOffBackupsStaleCopyIsResetNotLeftHanging() throws Exception {
        long seed = System.nanoTime();
        SplittableRandom random = new SplittableRandom(seed);
        long cut = UPLOAD / 20 + random.nextLong(UPLOAD / 10);
        String why = "the backup's link down once the server acknowledged " + cut + " of " + UPLOAD
                + " bytes, the primary serving on unprotected and then KILLed (seed " + seed + ")";
        System.out.println("FailoverE2eTest: upload, " + why);
        SeededFile upload = SeededFile.create(dir.resolve("upload-" + seed + ".bin"), UPLOAD, random.nextLong());
        ReplicaPair replicas = null;
        try (ReplicaPair pair = replicas("http");
             BackgroundCurl curl = BackgroundCurl.upload(net.topology(), net.host("client"), upload.path(),
                     BASE + "/upload/stale-copy.bin", CURL_MAX_TIME, "--limit-rate", "8M")) {
            replicas = pair;
            failWhen(() -> ClientChecks.bytesAckedByTheService(net), cut, curl, why, () -> {
                assertStillPaired(pair, why);
                net.topology().linkDown(pair.backupHost());
            });
            pair.primary().awaitLine(l -> l.contains("protection UNPROTECTED"), "that the primary serves on unprotected, " + why, TAKEOVER_WAIT);
            long acked = ClientChecks.bytesAckedByTheService(net);
            long deadline = System.nanoTime() + TAKEOVER_WAIT.toNanos();
            while (ClientChecks.bytesAckedByTheService(net) < acked + (1 << 20) && System.nanoTime() < deadline) Thread.sleep(20);
            long past = ClientChecks.bytesAckedByTheService(net) - acked;
            assertTrue(past >= 1 << 20 && curl.isAlive(), "the unprotected primary took only " + past + " more bytes of the upload, " + why);
            pair.primary().signal("KILL");
            Thread.sleep(300);
            net.topology().linkUp(pair.backupHost());
            replicas = null;
            String line = pair.awaitTakeover(TAKEOVER_WAIT);
            System.out.println("FailoverE2eTest: " + line);
            assertTrue(pair.backup().output().contains("may have served on unprotected meanwhile"), () -> "the backup restored its stale copy, " + why
                    + ":\n--- backup:\n" + pair.backup().output());
            int exit = curl.awaitExit(TAKEOVER_WAIT);
            assertTrue(exit != -1, () -> "curl was still uploading " + TAKEOVER_WAIT.toSeconds() + " s after the takeover (left behind a stale copy), "
                    + why + "; curl said: " + curl.output());
            assertTrue(exit != 0 && curl.output().contains("reset by peer"), () -> "curl's exit " + exit + " (a reset expected), " + why
                    + "; curl said: " + curl.output());
        } finally {
            Files.deleteIfExists(upload.path());
            if (replicas != null) {
                net.topology().linkUp(replicas.backupHost());
            }
        }
    }

    /**
     * An application whose state outlives its connections (the key-value store, a checkpoint every
     * 1000 commands, {@code replication.retention = checkpointed}): a long session and short ones
     * change it; it survives a kill, a new backup catching up from the latest checkpoint (not from
     * the whole history: the short sessions' records before it are gone), and a second kill. The
     * long session, restored twice, keeps working, and every value is exact.
     */
    @Test
    void keyValueStateSurvivesTwoKillsWithACatchUpFromACheckpoint() throws Exception {
        long seed = System.nanoTime();
        SplittableRandom random = new SplittableRandom(seed);
        String why = "key-value store, KILL, a new backup, KILL (seed " + seed + ")";
        System.out.println("FailoverE2eTest: " + why);
        KvModel model = new KvModel(random);
        try (ReplicaPair pair = net.replicas("primary", "backup", "kv", "replication.detection = " + DETECTION,
                "replication.backup = " + net.host("backup").kernelAddress(), "replication.retention = checkpointed");
             SocatSession session = SocatSession.connect(net.topology(), net.host("client"), Topology.SERVICE_ADDRESS, 80)) {
            model.commands(session, 1_500, why); // past the first checkpoint
            model.shortSessions(net, 10, why);
            assertStillPaired(pair, why);
            pair.primary().signal("KILL");
            assertRestoredAConnection(pair, why);
            model.commands(session, 1_200, "after the first takeover, " + why);
            model.shortSessions(net, 10, "after the first takeover, " + why);
            WatchedProcess second = pair.startBackup(net.host("primary"));
            pair.backup().awaitLine(l -> l.contains("protection PROTECTED"), "that the new backup protects it, " + why, TAKEOVER_WAIT);
            String caughtUp = second.awaitLine(l -> l.contains("caught up on"), "that the new backup caught up, " + why, TAKEOVER_WAIT);
            System.out.println("FailoverE2eTest: " + caughtUp);
            // The latest checkpoint bounds the catch-up: without it (retention of the live connections) the long
            // session's every record since its start would be in it, about 90 % of the stream here.
            Matcher held = CAUGHT_UP.matcher(caughtUp);
            assertTrue(held.find(), "no record count in: " + caughtUp);
            long records = Long.parseLong(held.group(1));
            long clientBytes = Long.parseLong(held.group(2));
            long through = Long.parseLong(held.group(3));
            assertTrue(records < through * 7 / 10, "the catch-up held " + records + " of " + through + " records: not bounded by a checkpoint, " + why);
            // Nor does the long session pin the client bytes its application read before the checkpoint: at most the
            // 1000 commands since the latest checkpoint remain, of the 2700 it sent (all of them under the old rule).
            assertTrue(clientBytes < model.commandBytes() / 2, "the catch-up held " + clientBytes + " client bytes of the long session's "
                    + model.commandBytes() + ": read bytes pinned below the checkpoint, " + why);
            Thread.sleep(ReplicaPair.WARMUP.toMillis());
            model.commands(session, 300, "with the new backup, " + why);
            pair.backup().signal("KILL");
            String line = second.awaitLine(l -> l.contains(ReplicaPair.TOOK_OVER), "that the new backup took over, " + why, TAKEOVER_WAIT);
            ClientChecks.assertRestoredSome(line, "the second takeover, " + why);
            model.commands(session, 300, "after the second takeover, " + why);
            model.checkEveryValue(session, "on the long session at the end, " + why);
            model.shortSessions(net, 3, "after the second takeover, " + why);
            session.finishSending();
            assertEquals(0, session.receiveToEnd(Duration.ofSeconds(10)).length, "nothing after the answers, " + why);
            assertEquals(0, session.awaitExit(Duration.ofSeconds(10)), "socat's exit code, " + why + "; stderr: " + session.errors());
            assertNoReset(session.errors(), why);
        }
    }

    /**
     * The backup's loss, as an operator sees it: with {@code --metrics}, the primary's metrics say
     * PROTECTED and the backup's REPLICATING; the backup is SIGKILLed; the primary's say
     * UNPROTECTED (its log too), and it goes on serving: a download after it is intact.
     */
    @Test
    void aKilledBackupLeavesThePrimaryServingUnprotectedVisiblyInItsMetrics() throws Exception {
        String why = "backup KILLed, metrics on both replicas";
        try (ReplicaPair pair = net.replicas("primary", "backup", "http", List.of("--metrics", "HOST:" + METRICS_PORT),
                "replication.detection = " + DETECTION)) {
            String primaryMetrics = scrape(pair.primaryHost());
            assertTrue(primaryMetrics.contains("fttcp_protection{state=\"PROTECTED\"} 1.0"), () -> "the primary protected, " + why + ":\n" + primaryMetrics);
            assertTrue(primaryMetrics.contains("fttcp_protection{state=\"UNPROTECTED\"} 0.0"), () -> why + ":\n" + primaryMetrics);
            String backupMetrics = scrape(pair.backupHost());
            assertTrue(backupMetrics.contains("fttcp_backup_state{state=\"REPLICATING\"} 1.0"), () -> "the backup replicating, " + why + ":\n" + backupMetrics);
            assertTrue(backupMetrics.contains("fttcp_backup_replay_lag_bytes "), () -> why + ":\n" + backupMetrics);
            pair.backup().signal("KILL");
            pair.primary().awaitLine(l -> l.contains("protection UNPROTECTED"), "that it serves unprotected, " + why, Duration.ofSeconds(10));
            String after = scrape(pair.primaryHost());
            assertTrue(after.contains("fttcp_protection{state=\"UNPROTECTED\"} 1.0"), () -> "the primary unprotected, " + why + ":\n" + after);
            assertTrue(after.contains("fttcp_protection{state=\"PROTECTED\"} 0.0"), () -> why + ":\n" + after);
            ExecResult get = net.topology().exec(net.host("client"), Duration.ofSeconds(30), "curl", "-sS", "--max-time", "20", "-o", "/dev/null",
                    "-w", "%{http_code} %{size_download}", "http://" + Topology.SERVICE_ADDRESS + "/gen/1048576");
            assertEquals("200 1048576", get.output().trim(), () -> "a download from the unprotected primary, " + why + ": " + get);
            String last = scrape(pair.primaryHost());
            double written = value(last, "fttcp_tap_frames_written_total");
            assertTrue(written - value(after, "fttcp_tap_frames_written_total") >= 16,
                    () -> "the download's frames (1 MiB in at most 64 KiB each) counted by the TAP, " + why + ":\n" + last);
            assertEquals(0.0, value(last, "fttcp_tap_write_errors_total"), () -> why + ":\n" + last);
            assertTrue(last.contains("jvm_gc_collection_seconds_count{") && last.contains("jvm_memory_used_bytes{area=\"heap\"}"),
                    () -> "the JVM's own metrics, " + why + ":\n" + last);
            assertEquals(0.0, value(last, "fttcp_tap_failed"), () -> why + ":\n" + last);
            // The wrapper's numbers come with the stack's (both need the host lock).
            assertEquals(0.0, value(last, "fttcp_host_lock_busy"), () -> why + ":\n" + last);
            assertEquals(0.0, value(last, "fttcp_fenced"), () -> "serving unprotected, not fenced, " + why + ":\n" + last);
            assertTrue(value(last, "fttcp_ssw_segments_logged_total") >= 1, () -> "the wrapper's counters (the download's segments), " + why + ":\n" + last);
            // Nobody could carry its connections on: stopped, it closes them (its application stops first).
            pair.primary().signal("TERM");
            pair.primary().awaitLine(l -> l.contains("fttcp primary: stopping: the application closes the connections"),
                    "that an unprotected primary's application closes its connections when stopped, " + why, Duration.ofSeconds(5));
            assertNotEquals(-1, pair.primary().awaitExit(Duration.ofSeconds(10)), () -> "the unprotected primary stops, " + why);
            assertFalse(pair.primary().output().contains("stopping without closing"), () -> why + ":\n" + pair.primary().output());
        }
    }

    /**
     * A backup asked to stop (SIGTERM) leaves at once, telling its primary, which serves on
     * unprotected at once (no lease to wait out: the backup said it is going) and without a break.
     */
    @Test
    void aStoppedBackupLeavesAtOnceAndThePrimaryServesOnUnprotected() throws Exception {
        long seed = System.nanoTime();
        SplittableRandom random = new SplittableRandom(seed);
        long contentSeed = random.nextLong(1, Long.MAX_VALUE);
        String why = "backup sent SIGTERM mid-download (seed " + seed + ")";
        Path file = dir.resolve("download-" + seed + ".bin");
        try (ReplicaPair pair = replicas("http");
             BackgroundCurl curl = BackgroundCurl.download(net.topology(), net.host("client"),
                     BASE + "/gen/" + BIG_DOWNLOAD + "?seed=" + contentSeed, file, CURL_MAX_TIME)) {
            failWhen(curl::downloadedBytes, threshold(random, BIG_DOWNLOAD), curl, why, () -> {
                assertStillPaired(pair, why);
                pair.backup().signal("TERM");
            });
            pair.backup().awaitLine(l -> l.contains("fttcp backup: stopping (not serving"), "that the stopped backup leaves, " + why, Duration.ofSeconds(2));
            assertNotEquals(-1, pair.backup().awaitExit(Duration.ofSeconds(2)), () -> "the stopped backup still runs 2 s later, " + why);
            pair.primary().awaitLine(l -> l.contains("protection UNPROTECTED"), "that the primary serves on unprotected, " + why, Duration.ofSeconds(2));
            assertFalse(pair.primary().output().contains("may have taken over"), () -> "the primary waited out its lease for a backup that said it left, " + why
                    + ":\n" + pair.primary().output());
            assertCurlSucceeded(curl, why);
            assertEquals(new Generator(contentSeed).sha256Hex(BIG_DOWNLOAD), sha256(file), "sha256 of the download, " + why);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static final int METRICS_PORT = 9400;

    /** The value of the sample {@code name} (with its labels, if any) in a scrape; fails if absent. */
    /**
     * A client reusing its port at once on a protected service (the server closes first, so it
     * holds TIME-WAIT): each new SYN ends the primary's TIME-WAIT, and the south-side wrapper
     * logs the new incarnation's handshake (the old one's close now comes between the SYN and its
     * SYN-ACK; the wrapper forgot the new handshake then, and dropped its SYN-ACK: the client
     * connected on its SYN's retransmission, a second later). The primary is
     * killed; the same port is served by the new primary, which replayed every incarnation.
     */
    @Test
    void aClientReusingItsPortIsServedEachTimeAcrossATakeover() throws Exception {
        String why = "curl from one port four times, KILL before the fourth";
        try (ReplicaPair pair = net.replicas("primary", "backup", "http", List.of("--metrics", "HOST:" + METRICS_PORT),
                "replication.detection = " + DETECTION)) {
            for (int i = 0; i < 3; i++) getFromTheSamePort(i, why);
            String before = scrape(pair.primaryHost());
            assertEquals(2.0, value(before, "fttcp_tcp_time_waits_ended_by_new_syn_total"), () -> "the second and third SYN, " + why + ":\n" + before);
            assertStillPaired(pair, why);
            pair.primary().signal("KILL");
            System.out.println("FailoverE2eTest: " + pair.awaitTakeover(TAKEOVER_WAIT));
            getFromTheSamePort(3, why);
        }
    }

    private static void getFromTheSamePort(int i, String why) {
        ExecResult get = net.topology().exec(net.host("client"), Duration.ofSeconds(30), "curl", "-sS", "--max-time", "10", "--local-port", "41235",
                "-H", "Connection: close", "--ignore-content-length", "-o", "/dev/null", "-w", "%{http_code} %{size_download} %{time_connect}",
                BASE + "/gen/1000");
        assertEquals(0, get.exitCode(), () -> "curl " + i + ", " + why + ": " + get);
        String[] out = get.output().trim().split(" ");
        assertEquals("200 1000", out[0] + " " + out[1], () -> "curl " + i + ", " + why + ": " + get);
        // Not on its SYN's retransmission a second later (its first SYN-ACK dropped by the wrapper).
        assertTrue(Double.parseDouble(out[2]) < 0.5, () -> "curl " + i + " connected after " + out[2] + " s, " + why + ": " + get);
    }

    private static double value(String scrape, String name) {
        return scrape.lines().filter(l -> l.startsWith(name + " ")).mapToDouble(l -> Double.parseDouble(l.substring(name.length() + 1).trim()))
                .findFirst().orElseThrow(() -> new AssertionError("no sample " + name + " in:\n" + scrape));
    }

    /** The replica's metrics, fetched in its own namespace from its own address. */
    private static String scrape(Host host) {
        ExecResult r = net.topology().exec(host, Duration.ofSeconds(10), "curl", "-sS", "--max-time", "5",
                "http://" + host.kernelAddress() + ":" + METRICS_PORT + "/metrics");
        assertEquals(0, r.exitCode(), () -> "scraping " + host.name() + ": " + r);
        return r.output();
    }

    @Test
    void socatEchoSessionSurvivesThePrimarysKill() throws Exception {
        long seed = System.nanoTime();
        SplittableRandom random = new SplittableRandom(seed);
        int linesBefore = 5 + random.nextInt(20);
        String why = "KILL after " + linesBefore + " echoed lines (seed " + seed + ")";
        System.out.println("FailoverE2eTest: echo session, " + why);
        Duration wait = Duration.ofSeconds(10);
        try (ReplicaPair pair = replicas("echo");
             SocatSession s = SocatSession.connect(net.topology(), net.host("client"), Topology.SERVICE_ADDRESS, 7)) {
            for (int i = 0; i < linesBefore; i++) {
                byte[] line = echoLine(random, i);
                s.send(line);
                assertArrayEquals(line, s.receive(line.length, wait), "echo of line " + i + " before the kill, " + why);
            }
            assertStillPaired(pair, why);
            pair.primary().signal("KILL");
            // This line is sent while the backup takes over: the client retransmits it to the new owner.
            byte[] inFlight = echoLine(random, linesBefore);
            s.send(inFlight);
            assertRestoredAConnection(pair, why);
            assertArrayEquals(inFlight, s.receive(inFlight.length, wait), "echo of the line sent during the takeover, " + why);
            for (int i = linesBefore + 1; i < linesBefore + 20; i++) {
                byte[] line = echoLine(random, i);
                s.send(line);
                assertArrayEquals(line, s.receive(line.length, wait), "echo of line " + i + " after the kill, " + why);
            }
            s.finishSending();
            assertEquals(0, s.receiveToEnd(wait).length, "nothing after the echoes, " + why);
            assertEquals(0, s.awaitExit(wait), "socat's exit code, " + why + "; stderr: " + s.errors());
            assertNoReset(s.errors(), why);
        }
    }

    /**
     * Two socat clients in the chat room, whose one poller loop decides the order of their lines
     * (the primary logs it, the backup replays it): lines sent one at a time and at once reach
     * both clients, in one order, before the kill, during the takeover and after it, and neither
     * sees a reset.
     */
    @Test
    void socatChatSurvivesThePrimarysKill() throws Exception {
        long seed = System.nanoTime();
        SplittableRandom random = new SplittableRandom(seed);
        int roundsBefore = 5 + random.nextInt(15);
        String why = "chat, KILL after " + roundsBefore + " rounds (seed " + seed + ")";
        System.out.println("FailoverE2eTest: " + why);
        Duration wait = Duration.ofSeconds(10);
        try (ReplicaPair pair = replicas("chat");
             SocatSession alice = SocatSession.connect(net.topology(), net.host("client"), Topology.SERVICE_ADDRESS, 80)) {
            byte[] hello = "alice is here\n".getBytes(StandardCharsets.UTF_8);
            alice.send(hello);
            assertArrayEquals(hello, alice.receive(hello.length, wait), "alice's first line, " + why);
            try (SocatSession bob = SocatSession.connect(net.topology(), net.host("client"), Topology.SERVICE_ADDRESS, 80)) { // after alice's line went out
                byte[] bobHello = "bob is here\n".getBytes(StandardCharsets.UTF_8); // bob has joined once his line is read
                bob.send(bobHello);
                assertArrayEquals(bobHello, bob.receive(bobHello.length, wait), "bob's first line, " + why);
                assertArrayEquals(bobHello, alice.receive(bobHello.length, wait), "bob's first line at alice, " + why);
                for (int round = 0; round < roundsBefore; round++) {
                    chatRound(alice, bob, random, "r" + round, wait, "round " + round + " before the kill, " + why);
                }
                assertStillPaired(pair, why);
                pair.primary().signal("KILL");
                // Sent while the backup takes over: the clients retransmit them to the new owner.
                chatRound(alice, bob, random, "during", wait, "the round sent during the takeover, " + why);
                assertRestoredAConnection(pair, why);
                for (int round = 0; round < 10; round++) {
                    chatRound(alice, bob, random, "a" + round, wait, "round " + round + " after the kill, " + why);
                }
                for (SocatSession s : List.of(alice, bob)) {
                    s.finishSending();
                    assertEquals(0, s.receiveToEnd(wait).length, "nothing more, " + why);
                    assertEquals(0, s.awaitExit(wait), "socat's exit code, " + why + "; stderr: " + s.errors());
                    assertNoReset(s.errors(), why);
                }
            }
        }
    }

    /** Alice and Bob each send a line at once: both get both, in the same order. */
    private static void chatRound(SocatSession alice, SocatSession bob, SplittableRandom random, String tag, Duration wait, String why)
            throws IOException, InterruptedException {
        byte[] fromAlice = ("alice " + tag + " " + "a".repeat(random.nextInt(100)) + "\n").getBytes(StandardCharsets.UTF_8);
        byte[] fromBob = ("bob " + tag + " h\u00e9llo " + "b".repeat(random.nextInt(100)) + "\n").getBytes(StandardCharsets.UTF_8);
        alice.send(fromAlice);
        bob.send(fromBob);
        int both = fromAlice.length + fromBob.length;
        byte[] atAlice = alice.receive(both, wait);
        byte[] atBob = bob.receive(both, wait);
        assertArrayEquals(atAlice, atBob, "one order for both, " + why);
        String got = new String(atAlice, StandardCharsets.UTF_8);
        String a = new String(fromAlice, StandardCharsets.UTF_8);
        String b = new String(fromBob, StandardCharsets.UTF_8);
        assertTrue(got.equals(a + b) || got.equals(b + a), "both lines whole, " + why + ": " + got);
    }

    private static byte[] echoLine(SplittableRandom random, int i) {
        return ("line " + i + " h\u00e9llo \u2713 " + "x".repeat(random.nextInt(200)) + "\n").getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void hundredConcurrentDownloadsSurviveThePrimarysKill() throws Exception {
        int clients = 100;
        long size = 2L << 20;
        long seed = System.nanoTime();
        SplittableRandom random = new SplittableRandom(seed);
        long contentSeed = random.nextLong(1, Long.MAX_VALUE / 2);
        String why = "KILL once all " + clients + " downloads of " + size + " bytes have data (seed " + seed + ")";
        System.out.println("FailoverE2eTest: concurrent downloads, " + why);
        Path clientDir = Files.createDirectory(dir.resolve("clients-" + seed));
        // One shell starts them all, 20 ms apart (100 processes at once starve the replicas of CPU
        // for seconds on this 2-core machine); each curl writes into a FIFO f<i>, leaves its stderr in
        // c<i>.err and its exit code in c<i>.rc. One reader drains the FIFOs into c<i>.bin at a fixed
        // rate, so every client is slow (its window fills, the server waits for it) and all are still
        // transferring when the last has begun. (curl's own --limit-rate, in 7.88, holds for the
        // first second only.)
        Files.writeString(clientDir.resolve("reader.py"), SLOW_READER);
        String script = "cd " + clientDir + " && for i in $(seq 0 " + (clients - 1) + "); do mkfifo f$i; done"
                + " && { python3 reader.py " + clients + " " + (128 << 10) + " & }"
                + " && for i in $(seq 0 " + (clients - 1) + "); do "
                + "(curl --silent --show-error --fail --connect-timeout 10 --max-time " + CURL_MAX_TIME.toSeconds()
                + " --output f$i \"" + BASE + "/gen/" + size + "?seed=$((" + contentSeed + " + i))\" 2> c$i.err;"
                + " echo $? > c$i.rc.tmp; mv c$i.rc.tmp c$i.rc) & sleep 0.02; done; wait";
        Process all = null;
        // Starting 100 curls saturates both cores for seconds: with the default 150 ms a replica
        // starved that long is taken for dead (seen in CI: the pair broke up before the kill). A
        // kill is detected at once whatever the timeout (the primary's kernel closes the channel).
        try (ReplicaPair pair = replicas("http", SATURATED_DETECTION)) {
            all = net.topology().start(net.host("client"), "bash", "-c", script);
            long started = System.nanoTime();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (true) {
                long transferring = 0;
                for (int i = 0; i < clients; i++) {
                    assertFalse(Files.exists(clientDir.resolve("c" + i + ".rc")), "client " + i + " finished before all had data, "
                            + why + ": exit " + readIfThere(clientDir.resolve("c" + i + ".rc")).strip() + " after "
                            + sizeIfThere(clientDir.resolve("c" + i + ".bin")) + " bytes; " + readIfThere(clientDir.resolve("c" + i + ".err")));
                    if (sizeIfThere(clientDir.resolve("c" + i + ".bin")) > 0) transferring++;
                }
                if (transferring == clients) break;
                assertTrue(System.nanoTime() < deadline, "only " + transferring + " of " + clients + " downloads had data within 30 s, " + why);
                Thread.sleep(5);
            }
            System.out.printf("FailoverE2eTest: all %d downloads had data %d ms after they started%n", clients, (System.nanoTime() - started) / 1_000_000);
            assertStillPaired(pair, why);
            pair.primary().signal("KILL");
            String line = pair.awaitTakeover(TAKEOVER_WAIT);
            System.out.println("FailoverE2eTest: " + line);
            assertTrue(all.waitFor(TRANSFER_WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS), "the downloads did not all finish within "
                    + TRANSFER_WAIT.toSeconds() + " s, " + why + "; " + line);
            System.out.printf("FailoverE2eTest: all %d downloads finished %d ms after they started%n", clients, (System.nanoTime() - started) / 1_000_000);
            List<String> bad = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                String rc = readIfThere(clientDir.resolve("c" + i + ".rc")).strip();
                String err = readIfThere(clientDir.resolve("c" + i + ".err")).strip();
                Path file = clientDir.resolve("c" + i + ".bin");
                String got = "0".equals(rc) ? sha256(file) : "(exit " + rc + ")";
                if (!new Generator(contentSeed + i).sha256Hex(size).equals(got) || !err.isEmpty()) {
                    bad.add("client " + i + ": " + got + " " + err);
                }
            }
            assertEquals(List.of(), bad, "downloads not intact or not clean, " + why + "; " + line);
            Matcher restored = RESTORED.matcher(line);
            assertTrue(restored.find(), "takeover line without a count: " + line);
            assertEquals(clients, Integer.parseInt(restored.group(1)), "connections the backup restored, " + why + ": " + line);
        } finally {
            if (all != null) {
                all.descendants().forEach(ProcessHandle::destroyForcibly);
                all.destroyForcibly();
                all.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
            }
        }
    }

    /**
     * Copies FIFOs f0..f(n-1) to c0.bin.. at {@code rate} bytes per second each; a FIFO is done when
     * it is at its end and its c<i>.rc (the writer's exit code) exists. Exits when all are done.
     */
    private static final String SLOW_READER = """
            import os, sys, time
            n, rate = int(sys.argv[1]), int(sys.argv[2])
            tick = 0.05
            fifos = {i: os.open(f"f{i}", os.O_RDONLY | os.O_NONBLOCK) for i in range(n)}
            outs = {i: open(f"c{i}.bin", "wb") for i in range(n)}
            while fifos:
                start = time.monotonic()
                for i, fd in list(fifos.items()):
                    try:
                        data = os.read(fd, int(rate * tick))
                    except BlockingIOError:
                        continue
                    if data:
                        outs[i].write(data)
                        outs[i].flush()
                    elif os.path.exists(f"c{i}.rc"):
                        os.close(fd)
                        outs[i].close()
                        del fifos[i]
                time.sleep(max(0.0, tick - (time.monotonic() - start)))
            """;

    private static long sizeIfThere(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return 0;
        }
    }

    private static String readIfThere(Path file) throws IOException {
        return Files.exists(file) ? Files.readString(file) : "";
    }

    // ------------------------------------------------------------------ helpers

    private static ReplicaPair replicas(String app) throws InterruptedException {
        return replicas(app, DETECTION);
    }

    private static ReplicaPair replicas(String app, String detection) throws InterruptedException {
        return net.replicas("primary", "backup", app, "replication.detection = " + detection);
    }

    /**
     * Nothing broke the pair up before the test's failure: neither replica lost the other (a
     * failure detected where there was none would leave the transfer unprotected, and the test void).
     */
    private static void assertStillPaired(ReplicaPair pair, String why) {
        String primary = pair.primary().output();
        String backup = pair.backup().output();
        boolean broken = !pair.primary().isAlive() || !pair.backup().isAlive()
                || primary.contains("backup lost") || primary.contains("stepped down") || primary.contains("failed to join")
                || backup.contains("primary lost") || backup.contains(ReplicaPair.TOOK_OVER) || backup.contains("could not join");
        assertFalse(broken, "the pair had already broken up before the test's failure (a failure detected where there was none), "
                + why + ":\n--- primary:\n" + primary + "--- backup:\n" + backup);
    }

    private static void assertRestoredAConnection(ReplicaPair pair, String why) throws InterruptedException {
        String line = pair.awaitTakeover(TAKEOVER_WAIT);
        System.out.println("FailoverE2eTest: " + line);
        ClientChecks.assertRestoredSome(line, why);
    }

    /**
     * The old primary says it stepped down within {@code within}, and then exits with 3 at once: its
     * connections are the new owner's, so it closes nothing on the way out (before, its HTTP server
     * gave requests in progress a 5 s grace that a fenced primary's requests could not use).
     */
    private static void assertStepsDown(ReplicaPair pair, Duration within, String why) throws InterruptedException {
        long start = System.nanoTime();
        pair.primary().awaitLine(l -> l.startsWith("fttcp primary: stepped down"), "that it stepped down, " + why, within);
        System.out.printf("FailoverE2eTest: the old primary stepped down %d ms after %s%n", (System.nanoTime() - start) / 1_000_000,
                why.substring(why.lastIndexOf(", then ") + 2));
        int exit = pair.primary().awaitExit(Duration.ofSeconds(2));
        assertEquals(3, exit, "the old primary's exit code (3: stepped down; -1: still running 2 s after it stepped down), "
                + why + "; its output:\n" + pair.primary().output());
    }

    /** The thread dumps (virtual threads too: the applications run on them) of the replicas this JVM started. */
    private static String replicaThreads() {
        StringBuilder out = new StringBuilder();
        String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
        ProcessHandle.current().descendants()
                .filter(p -> p.info().arguments().map(a -> String.join(" ", a)).orElse("").matches(".*io\\.fttcp\\.cli\\.Main (primary|backup) .*"))
                .forEach(p -> {
                    out.append("--- ").append(p.pid()).append(' ').append(p.info().arguments().map(a -> a[a.length - 3]).orElse("?")).append('\n');
                    Path dump = dir.resolve("threads-" + p.pid() + ".txt");
                    try {
                        Process run = new ProcessBuilder(jcmd, Long.toString(p.pid()), "Thread.dump_to_file", "-format=text", dump.toString())
                                .redirectErrorStream(true).start();
                        String said = new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                        run.waitFor(20, java.util.concurrent.TimeUnit.SECONDS);
                        out.append(Files.exists(dump) ? Files.readString(dump) : "(no dump: " + said + ")\n");
                        Files.deleteIfExists(dump);
                    } catch (IOException e) {
                        out.append("(jcmd failed: ").append(e.getMessage()).append(")\n");
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
        return out.toString();
    }

    private static void assertCurlSucceeded(BackgroundCurl curl, String why) throws InterruptedException {
        ClientChecks.assertCurlSucceeded(curl, TRANSFER_WAIT, why,
                () -> "the client's view of the stuck transfer:\n" + ClientChecks.clientView(net) + "\nthe replicas' threads:\n" + replicaThreads());
    }
}
