package io.fttcp.e2e;

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
import java.util.List;
import java.util.SplittableRandom;

import static io.fttcp.e2e.ClientChecks.failWhen;
import static io.fttcp.e2e.ClientChecks.threshold;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Message logging over bad links: the client's cable and the logger's each lose 1% of the frames
 * each way, hold 3% back for 1 to 4 ms and duplicate 0.5% (as {@link ImpairedLinkFailoverE2eTest}).
 * The primary streams an upload's records to the logger across the bad cable; the logger must not
 * take the primary for lost before its kill (the primary's channel to it neither lost nor its lease
 * run out for good), and the standby on a spare host then fetches the records across the same
 * cable and takes over: the upload completes intact, curl exits 0. Without the replication
 * connections' retransmission floor ({@code RetransmissionFloor}) the logger took the primary for
 * silent before the kill in 3 of 6 runs.
 */
@Timeout(value = 150)
class ImpairedLoggerLinkE2eTest {
    private static final long UPLOAD = 24L << 20;
    private static final String BASE = "http://" + Topology.SERVICE_ADDRESS;
    private static final Duration CURL_MAX_TIME = Duration.ofSeconds(120);
    private static final Duration TRANSFER_WAIT = Duration.ofSeconds(90);
    private static final Duration RECOVERY_WAIT = Duration.ofSeconds(30);

    @RegisterExtension
    static final SharedTopology net = new SharedTopology(b -> b.client("client").server("primary").server("standby").server("logger"));

    private static ImpairedCable clientCable;
    private static ImpairedCable loggerCable;
    private static Path dir;

    @BeforeAll
    static void impairTheLinks() throws IOException {
        long seed = System.nanoTime();
        System.out.println("ImpairedLoggerLinkE2eTest: the client's and the logger's cables, " + LinkImpairment.BAD_LINK + ", seed " + seed);
        clientCable = ImpairedCable.insert(net.topology(), net.host("client"), LinkImpairment.BAD_LINK, seed);
        loggerCable = ImpairedCable.insert(net.topology(), net.host("logger"), LinkImpairment.BAD_LINK, seed + 1);
        dir = Files.createTempDirectory("fttcp-e2e-impaired-logger");
    }

    @AfterAll
    static void removeTheCables() throws IOException {
        ImpairedCable.closeAll("ImpairedLoggerLinkE2eTest", clientCable, loggerCable);
        if (dir != null) {
            Files.deleteIfExists(dir);
        }
    }

    @Test
    void uploadSurvivesThePrimarysLossToAStandbyOverALossyReorderingLoggerLink() throws Exception {
        long seed = System.nanoTime();
        SplittableRandom random = new SplittableRandom(seed);
        long threshold = threshold(random, UPLOAD);
        String why = "primary killed once the server acknowledged " + threshold + " of " + UPLOAD + " bytes, the logger's link bad (seed " + seed + ")";
        System.out.println("ImpairedLoggerLinkE2eTest: upload, " + why);
        SeededFile upload = SeededFile.create(dir.resolve("upload-" + seed + ".bin"), UPLOAD, random.nextLong());
        ImpairedCable.Counts[] loggerBefore = loggerCable.snapshot();
        long gcBefore = ImpairedCable.collectionMillis();
        try {
            LoggedService service = net.logged("logger", "primary", "http", List.of());
            WatchedProcess standby = service.startStandby(net.host("standby"));
            try (BackgroundCurl curl = BackgroundCurl.upload(net.topology(), net.host("client"), upload.path(),
                    BASE + "/upload/logged.bin", CURL_MAX_TIME, "--limit-rate", "16M")) {
                failWhen(() -> ClientChecks.bytesAckedByTheService(net), threshold, curl, why, () -> {
                    String primary = service.primary().output();
                    String logger = service.logger().output();
                    ImpairedCable.assertFloorSet(why, primary, logger);
                    assertFalse(!service.primary().isAlive() || primary.contains("logger lost") || primary.contains("stepped down"),
                            "the primary lost the logger over the bad link before the kill (this JVM spent "
                                    + (ImpairedCable.collectionMillis() - gcBefore) + " ms in collections meanwhile), " + why
                                    + ":\n--- primary:\n" + primary + "--- logger:\n" + logger);
                    service.primary().signal("KILL");
                });
                String took = standby.awaitLine(l -> l.contains(LoggedService.TOOK_OVER), "that it took over, " + why, RECOVERY_WAIT);
                System.out.println("ImpairedLoggerLinkE2eTest: " + took);
                ClientChecks.assertRestoredSome(took, why);
                ClientChecks.assertCurlSucceeded(curl, TRANSFER_WAIT, why, () -> "the cables: " + clientCable + "; " + loggerCable);
                ClientChecks.assertUploadAnswer(curl.output(), UPLOAD, upload.sha256(), why);
            }
        } finally {
            Files.deleteIfExists(upload.path());
        }
        loggerCable.assertImpairedSince(loggerBefore, "logger", why);
    }
}
