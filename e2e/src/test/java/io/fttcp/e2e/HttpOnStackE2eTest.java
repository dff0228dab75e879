package io.fttcp.e2e;

import io.fttcp.apps.http.Generator;
import io.fttcp.cli.demo.CurlDownload;
import io.fttcp.testbed.ExecResult;
import io.fttcp.testbed.Host;
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
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The HTTP file server on the user-space stack (with the TAP's offloads), used by real clients in
 * another namespace: curl and wget downloading a 256 MiB file, curl uploads, 200 concurrent curls.
 */
@Timeout(value = 120)
class HttpOnStackE2eTest {
    private static final long BIG_FILE_BYTES = 256L << 20;
    private static final long UPLOAD_BYTES = 64L << 20;
    private static final String BASE = "http://" + Topology.SERVICE_ADDRESS;

    @RegisterExtension
    static final SharedTopology net = new SharedTopology(b -> b.client("client").server("server"));

    private static Path root;
    private static SeededFile bigFile;

    @BeforeAll
    static void startServer() throws IOException, InterruptedException {
        root = Files.createTempDirectory("fttcp-e2e-root");
        long seed = System.nanoTime();
        bigFile = SeededFile.create(root.resolve("big.bin"), BIG_FILE_BYTES, seed);
        net.serve("server", "--network", "stack", "--app", "http", "--listen", Topology.SERVICE_ADDRESS + ":80",
                "--tap", net.host("server").tapDevice(), "--root", root.toString(),
                "--metrics", net.host("server").kernelAddress() + ":" + METRICS_PORT);
    }

    private static final int METRICS_PORT = 9400;

    /** {@code serve --metrics} on the stack: its TAP's counters, its connections, and the JVM's metrics. */
    @Test
    void metricsCountTheStacksFramesAndTheJvm() {
        double before = sample(scrapeServer(), "fttcp_tap_frames_written_total");
        ExecResult get = net.topology().exec(net.host("client"), Duration.ofSeconds(30), "curl", "-sS", "--max-time", "20", "-o", "/dev/null",
                "-w", "%{http_code} %{size_download}", BASE + "/gen/1048576");
        assertEquals("200 1048576", get.output().trim(), get.toString());
        String m = scrapeServer();
        assertTrue(sample(m, "fttcp_tap_frames_written_total") - before >= 16, "1 MiB in at most 64 KiB frames, counted by the TAP:\n" + m);
        assertEquals(0.0, sample(m, "fttcp_tap_write_errors_total"), m);
        assertEquals(0.0, sample(m, "fttcp_tap_failed"), m);
        assertEquals(0.0, sample(m, "fttcp_host_lock_busy"), m);
        assertTrue(m.contains("# TYPE fttcp_connections gauge"), m);
        for (String loss : new String[] {"retransmitted_segments", "timeouts", "fast_recoveries", "lost_retransmissions", "sack_renegings"}) {
            assertTrue(m.contains("# TYPE fttcp_tcp_" + loss + "_total counter"), "the host's loss-recovery counters (IpHost.lossTotals):\n" + m);
        }
        assertEquals(0.0, sample(m, "fttcp_arp_address_conflicts_total"), "nobody else claims the service address:\n" + m);
        assertTrue(m.contains("jvm_memory_used_bytes{area=\"heap\"}") && m.contains("jvm_gc_collection_seconds_count{"), "the JVM's own metrics:\n" + m);
    }

    private static String scrapeServer() {
        Host server = net.host("server");
        ExecResult scrape = net.topology().exec(server, Duration.ofSeconds(10), "curl", "-sS", "--max-time", "5",
                "http://" + server.kernelAddress() + ":" + METRICS_PORT + "/metrics");
        assertEquals(0, scrape.exitCode(), scrape.toString());
        return scrape.output();
    }

    private static double sample(String scrape, String name) {
        return scrape.lines().filter(l -> l.startsWith(name + " ")).mapToDouble(l -> Double.parseDouble(l.substring(name.length() + 1).trim()))
                .findFirst().orElseThrow(() -> new AssertionError("no sample " + name + " in:\n" + scrape));
    }

    @AfterAll
    static void deleteFiles() throws IOException {
        if (root != null) {
            try (Stream<Path> files = Files.walk(root)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    /**
     * The server closes first ({@code Connection: close}; curl reads to the end of the stream, so
     * the server's FIN comes first) and holds TIME-WAIT; curl, with none,
     * connects again from the same port at once. Its SYN ends the TIME-WAIT and opens the new
     * connection, as on Linux; before, the stack answered it with an ACK, which curl's kernel
     * reset before resending its SYN (Linux does that within milliseconds, other clients on
     * their retransmission timer, a second: the stack as a client did).
     */
    @Test
    void aClientReusingItsPortAtOnceEndsTheServersTimeWait() {
        double before = sample(scrapeServer(), "fttcp_tcp_time_waits_ended_by_new_syn_total");
        for (int i = 0; i < 3; i++) {
            ExecResult get = net.topology().exec(net.host("client"), Duration.ofSeconds(30), "curl", "-sS", "--max-time", "10",
                    "--local-port", "41234", "-H", "Connection: close", "--ignore-content-length", "-o", "/dev/null", "-w", "%{http_code} %{time_connect}",
                    BASE + "/gen/1000");
            assertEquals(0, get.exitCode(), "curl " + i + ": " + get);
            String[] out = get.output().trim().split(" ");
            assertEquals("200", out[0], get.toString());
            double connect = Double.parseDouble(out[1]);
            assertTrue(connect < 0.5, "curl " + i + " connected after " + connect + " s: " + get);
        }
        String m = scrapeServer();
        assertEquals(2.0, sample(m, "fttcp_tcp_time_waits_ended_by_new_syn_total") - before, "the second and third curl's SYNs:\n" + m);
    }

    @Test
    void curlDownloadsA256MiBFileIntact() {
        CurlDownload d = CurlDownload.run(net.topology(), net.host("client"), BASE + "/big.bin", Duration.ofSeconds(90));
        assertEquals(BIG_FILE_BYTES, d.bytes(), "bytes curl received of " + bigFile);
        assertEquals(bigFile.sha256(), d.sha256(), "sha256 of the download of " + bigFile);
        System.out.printf("curl: %d bytes in %.2f s (%.0f Mbit/s)%n", d.bytes(), d.seconds(), d.megabitsPerSecond());
    }

    @Test
    void wgetDownloadsA256MiBFileIntact() {
        ExecResult r = net.bash("client", Duration.ofSeconds(90),
                "set -o pipefail; wget --quiet --tries=1 --timeout=60 --output-document=- " + BASE + "/big.bin | tee >(wc -c >&2) | sha256sum");
        assertEquals(0, r.exitCode(), "wget | sha256sum failed:\n" + r.output());
        assertTrue(r.output().contains(bigFile.sha256() + "  -"), "sha256 of the wget download of " + bigFile + ":\n" + r.output());
        assertTrue(r.output().lines().anyMatch(l -> l.strip().equals(Long.toString(BIG_FILE_BYTES))), "byte count:\n" + r.output());
    }

    private static final Pattern UPLOAD_ANSWER = Pattern.compile("sha256=([0-9a-f]{64}) bytes=(\\d+)");

    @Test
    void curlUploadsA64MiBFileIntact() throws IOException {
        SeededFile upload = SeededFile.create(root.resolve("upload.bin"), UPLOAD_BYTES, System.nanoTime());
        ExecResult r = net.bash("client", Duration.ofSeconds(90),
                "curl --silent --show-error --fail --max-time 60 -T " + upload.path() + " " + BASE + "/upload/e2e.bin");
        assertEquals(0, r.exitCode(), "curl -T failed:\n" + r.output());
        Matcher m = UPLOAD_ANSWER.matcher(r.output());
        assertTrue(m.find(), "no sha256=... bytes=... in the answer:\n" + r.output());
        assertEquals(UPLOAD_BYTES, Long.parseLong(m.group(2)), "bytes the server received of " + upload);
        assertEquals(upload.sha256(), m.group(1), "sha256 the server computed of " + upload);
    }

    @Test
    void curlChunkedUploadFromAPipeIsIntact() throws IOException {
        SeededFile upload = SeededFile.create(root.resolve("chunked.bin"), 16L << 20, System.nanoTime());
        ExecResult r = net.bash("client", Duration.ofSeconds(90), "set -o pipefail; cat " + upload.path()
                + " | curl --silent --show-error --fail --max-time 60 -T - " + BASE + "/upload/chunked.bin");
        assertEquals(0, r.exitCode(), "cat | curl -T - failed:\n" + r.output());
        Matcher m = UPLOAD_ANSWER.matcher(r.output());
        assertTrue(m.find(), "no sha256=... bytes=... in the answer:\n" + r.output());
        assertEquals(upload.size(), Long.parseLong(m.group(2)), "bytes the server received of " + upload);
        assertEquals(upload.sha256(), m.group(1), "sha256 the server computed of " + upload);
    }

    @Test
    void twoHundredConcurrentCurlsAllGetIntactContent() throws IOException {
        int clients = 200;
        long seed = System.nanoTime();
        SplittableRandom random = new SplittableRandom(seed);
        StringBuilder jobs = new StringBuilder();
        Map<Integer, String> expected = new HashMap<>();
        for (int i = 0; i < clients; i++) {
            long size = (1L << 20) + random.nextLong(3L << 20);
            jobs.append(i).append(' ').append(size).append('\n');
            expected.put(i, new Generator(i).sha256Hex(size));
        }
        Path jobFile = Files.writeString(root.resolve("jobs.txt"), jobs);
        // Each worker prints "<i> <sha256>" or "<i> FAIL <exit>"; xargs starts all 200 at once, and the rate
        // limit (0.5-2 s each) makes them overlap, and makes the stack meet full receive windows.
        String worker = "set -o pipefail; "
                + "h=$(curl --silent --show-error --fail --max-time 60 --limit-rate 2M \"" + BASE + "/gen/$1?seed=$0\" | sha256sum) "
                + "&& echo \"$0 ${h%% *}\" || echo \"$0 FAIL $?\"";
        // A sampler counts established connections to the server meanwhile: "peak <n>" at the end.
        String sampler = "peak=0; while [ ! -e " + root.resolve("done") + " ]; do "
                + "n=$(ss -Htn state established dst " + Topology.SERVICE_ADDRESS + " | wc -l); "
                + "[ $n -gt $peak ] && peak=$n; sleep 0.1; done; echo \"peak $peak\"";
        ExecResult r = net.bash("client", Duration.ofSeconds(100),
                "(" + sampler + ") & sampler=$!; "
                        + "xargs -P " + clients + " -n 2 bash -c '" + worker + "' < " + jobFile + "; rc=$?; "
                        + "touch " + root.resolve("done") + "; wait $sampler; exit $rc");
        assertEquals(0, r.exitCode(), "xargs failed (seed " + seed + "):\n" + r.output());
        Map<Integer, String> got = new HashMap<>();
        for (String line : r.output().lines().toList()) {
            String[] f = line.strip().split(" ", 2);
            if (f.length == 2 && f[0].matches("\\d+")) {
                got.put(Integer.parseInt(f[0]), f[1]);
            }
        }
        int intact = 0;
        StringBuilder bad = new StringBuilder();
        for (int i = 0; i < clients; i++) {
            if (expected.get(i).equals(got.get(i))) {
                intact++;
            } else {
                bad.append("  client ").append(i).append(": ").append(got.getOrDefault(i, "(no answer)")).append('\n');
            }
        }
        assertEquals(clients, intact, "intact downloads (sizes seed " + seed + "); the others:\n" + bad + "\nfull output:\n" + r.output());
        Matcher peak = Pattern.compile("(?m)^peak (\\d+)$").matcher(r.output());
        assertTrue(peak.find(), "no peak count:\n" + r.output());
        System.out.println("concurrent curls: peak " + peak.group(1) + " connections established at once");
        assertTrue(Integer.parseInt(peak.group(1)) >= clients / 4,
                "the downloads hardly overlapped: at most " + peak.group(1) + " connections at once");
    }
}
