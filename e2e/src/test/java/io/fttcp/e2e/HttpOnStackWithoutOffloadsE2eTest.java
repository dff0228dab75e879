package io.fttcp.e2e;

import io.fttcp.apps.http.Generator;
import io.fttcp.cli.demo.CurlDownload;
import io.fttcp.testbed.ExecResult;
import io.fttcp.testbed.Topology;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The HTTP server on the user-space stack with the TAP's offloads off (--no-offloads): the stack
 * computes and checks every checksum and sends MTU-sized frames itself.
 */
@Timeout(value = 120)
class HttpOnStackWithoutOffloadsE2eTest {
    private static final long DOWNLOAD_BYTES = 128L << 20;
    private static final long UPLOAD_BYTES = 32L << 20;
    private static final String BASE = "http://" + Topology.SERVICE_ADDRESS;
    private static final Pattern UPLOAD_ANSWER = Pattern.compile("sha256=([0-9a-f]{64}) bytes=(\\d+)");

    @RegisterExtension
    static final SharedTopology net = new SharedTopology(b -> b.client("client").server("server"));

    private static Path scratch;

    @BeforeAll
    static void startServer() throws InterruptedException, IOException {
        scratch = Files.createTempDirectory("fttcp-e2e-plain");
        net.serve("server", "--network", "stack", "--no-offloads", "--app", "http", "--listen", Topology.SERVICE_ADDRESS + ":80",
                "--tap", net.host("server").tapDevice());
    }

    @AfterAll
    static void deleteScratch() throws IOException {
        if (scratch != null) {
            try (var files = Files.list(scratch)) {
                for (Path p : files.toList()) {
                    Files.deleteIfExists(p);
                }
            }
            Files.deleteIfExists(scratch);
        }
    }

    @Test
    void curlDownloadIsIntact() {
        long seed = System.nanoTime() & 0xffff;
        CurlDownload d = CurlDownload.run(net.topology(), net.host("client"), BASE + "/gen/" + DOWNLOAD_BYTES + "?seed=" + seed, Duration.ofSeconds(90));
        assertEquals(DOWNLOAD_BYTES, d.bytes(), "bytes curl received");
        assertEquals(new Generator(seed).sha256Hex(DOWNLOAD_BYTES), d.sha256(), "sha256 of /gen/" + DOWNLOAD_BYTES + "?seed=" + seed);
        System.out.printf("curl without offloads: %d bytes in %.2f s (%.0f Mbit/s)%n", d.bytes(), d.seconds(), d.megabitsPerSecond());
    }

    @Test
    void curlUploadIsIntact() throws IOException {
        SeededFile upload = SeededFile.create(scratch.resolve("upload.bin"), UPLOAD_BYTES, System.nanoTime());
        ExecResult r = net.bash("client", Duration.ofSeconds(90),
                "curl --silent --show-error --fail --max-time 60 -T " + upload.path() + " " + BASE + "/upload/plain.bin");
        assertEquals(0, r.exitCode(), "curl -T failed:\n" + r.output());
        Matcher m = UPLOAD_ANSWER.matcher(r.output());
        assertTrue(m.find(), "no sha256=... bytes=... in the answer:\n" + r.output());
        assertEquals(UPLOAD_BYTES, Long.parseLong(m.group(2)), "bytes the server received of " + upload);
        assertEquals(upload.sha256(), m.group(1), "sha256 the server computed of " + upload);
    }
}
