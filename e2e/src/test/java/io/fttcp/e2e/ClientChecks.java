package io.fttcp.e2e;

import io.fttcp.apps.http.Generator;
import io.fttcp.testbed.ExecResult;
import io.fttcp.testbed.ReplicaPair;
import io.fttcp.testbed.Topology;
import io.fttcp.testbed.WatchedProcess;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** What the failure tests check on the client's side, and when they inject the failure. */
final class ClientChecks {
    private static final Pattern BYTES_ACKED = Pattern.compile("bytes_acked:(\\d+)");

    private ClientChecks() {}

    /** A byte count between 10% and 80% of {@code total}. */
    static long threshold(SplittableRandom random, long total) {
        return total / 10 + random.nextLong(total * 7 / 10);
    }

    /**
     * Polls {@code progress} until it reaches {@code threshold}, then runs {@code failure}; returns the
     * progress seen just before. Fails if curl exits before (the failure would come too late).
     */
    static long failWhen(LongSupplier progress, long threshold, BackgroundCurl curl, String why, Runnable failure)
            throws InterruptedException {
        return failWhen(progress, threshold, curl, why, () -> "", failure);
    }

    /**
     * As {@link #failWhen(LongSupplier, long, BackgroundCurl, String, Runnable)}; if curl exits
     * before, the failure message adds {@code context} (what the client and the servers saw: a
     * failed run on CI shows little more than its message).
     */
    static long failWhen(LongSupplier progress, long threshold, BackgroundCurl curl, String why, Supplier<String> context, Runnable failure)
            throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        long seen;
        while ((seen = progress.getAsLong()) < threshold) {
            if (!curl.isAlive()) {
                fail("curl exited before the failure, " + why + ", at " + seen + " bytes; curl said: " + curl.output() + "\n" + context.get());
            }
            assertTrue(System.nanoTime() < deadline, "the transfer did not reach " + threshold + " bytes within 60 s: " + seen + ", " + why);
            Thread.sleep(2);
        }
        failure.run();
        assertTrue(curl.isAlive(), "curl had finished by the time of the failure, " + why);
        return seen;
    }

    /** The client's bytes acknowledged by the service (curl's only connection to it), per {@code ss}; 0 before it exists. */
    static long bytesAckedByTheService(SharedTopology net) {
        ExecResult r = net.topology().exec(net.host("client"), Duration.ofSeconds(10),
                "ss", "-tinH", "state", "established", "dst", Topology.SERVICE_ADDRESS);
        Matcher m = BYTES_ACKED.matcher(r.output());
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    /** curl exits 0 within {@code wait}, saying nothing of a reset; if it is stuck, {@code stuck} says what the client sees. */
    static void assertCurlSucceeded(BackgroundCurl curl, Duration wait, String why, Supplier<String> stuck) throws InterruptedException {
        int exit = curl.awaitExit(wait);
        if (exit == -1) {
            fail("curl did not finish within " + wait.toSeconds() + " s, " + why + "; curl said: " + curl.output() + "\n" + stuck.get());
        }
        assertEquals(0, exit, "curl's exit code, " + why + "; curl said: " + curl.output());
        assertNoReset(curl.output(), why);
    }

    private static final Pattern UPLOAD_ANSWER = Pattern.compile("sha256=([0-9a-f]{64}) bytes=(\\d+)");

    /** The HTTP server's answer to an upload ({@code sha256=... bytes=...}) names what was sent. */
    static void assertUploadAnswer(String clientOutput, long size, String sha256, String why) {
        Matcher m = UPLOAD_ANSWER.matcher(clientOutput);
        assertTrue(m.find(), "no sha256=... bytes=... in the server's answer, " + why + ":\n" + clientOutput);
        assertEquals(size, Long.parseLong(m.group(2)), "bytes the server received, " + why);
        assertEquals(sha256, m.group(1), "sha256 the server computed, " + why);
    }

    private static final Pattern RESTORED = Pattern.compile("restored (\\d+) connection");

    /** A takeover's line ({@code TOOK OVER ...: restored N connection(s) ...}) says it restored at least one connection and refused none. */
    static void assertRestoredSome(String tookOverLine, String why) {
        Matcher m = RESTORED.matcher(tookOverLine);
        assertTrue(m.find() && Integer.parseInt(m.group(1)) >= 1, "the takeover restored no connection, " + why + ": " + tookOverLine);
        assertFalse(tookOverLine.contains("refused"), "the takeover refused connections, " + why + ": " + tookOverLine);
    }

    static void assertNoReset(String clientOutput, String why) {
        assertFalse(clientOutput.toLowerCase().contains("reset"), "the client saw a reset, " + why + ":\n" + clientOutput);
    }

    static String sha256(Path file) throws IOException {
        MessageDigest sha = SeededFile.newSha256();
        byte[] buf = new byte[1 << 20];
        try (InputStream in = Files.newInputStream(file)) {
            int n;
            while ((n = in.read(buf)) > 0) {
                sha.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    /** One response read, then a keep-alive connection waiting silently for the next: cat fails only if it is reset. */
    static Process idleSession(SharedTopology net) {
        return net.topology().start(net.host("client"), "bash", "-c", "exec 3<>/dev/tcp/" + Topology.SERVICE_ADDRESS
                + "/80 && printf 'GET /gen/100000 HTTP/1.1\\r\\nHost: fttcp\\r\\n\\r\\n' >&3 && exec cat <&3 >/dev/null");
    }

    /** {@code session} ({@link #idleSession}) ends within 15 s, reset. */
    static void assertReset(SharedTopology net, Process session, String which, String why) throws Exception {
        boolean ended = session.waitFor(15, java.util.concurrent.TimeUnit.SECONDS);
        String said = ended ? new String(session.getErrorStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8) : "";
        assertTrue(ended && session.exitValue() != 0 && said.contains("reset"), () -> which + " was not reset at once ("
                + (ended ? "cat said: " + said : "still waiting") + "), " + why + "\n" + clientView(net));
    }

    /** A new client is served: a 1 MiB download, its sha256 checked. */
    static void assertServiceStillAnswers(SharedTopology net, SplittableRandom random, String why) {
        long contentSeed = random.nextLong(1, Long.MAX_VALUE);
        long size = 1L << 20;
        ExecResult r = net.bash("client", Duration.ofSeconds(40), "set -o pipefail; curl --silent --show-error --fail --max-time 30 'http://"
                + Topology.SERVICE_ADDRESS + "/gen/" + size + "?seed=" + contentSeed + "' | sha256sum");
        assertEquals(0, r.exitCode(), "curl afterwards, " + why + ":\n" + r.output());
        assertTrue(r.output().startsWith(new Generator(contentSeed).sha256Hex(size) + " "),
                "sha256 of a download afterwards, " + why + ":\n" + r.output());
    }

    /**
     * Why a client could not even connect: its neighbour table (is the service's address
     * resolved?), its TCP counters, and the last lines each replica printed (did the primary
     * step down or stay fenced?).
     */
    static String connectView(SharedTopology net, ReplicaPair pair) {
        StringBuilder b = new StringBuilder(net.bash("client", Duration.ofSeconds(30), "ip neigh show; nstat -az | grep -E 'ActiveOpens|AttemptFails|OutRsts|InErrs|RetransSegs|SynRetrans'").output());
        for (WatchedProcess p : List.of(pair.primary(), pair.backup())) {
            b.append("--- ").append(p.description()).append(p.isAlive() ? "" : " (EXITED)").append(", last lines:\n")
                    .append(SharedTopology.lastLines(p.output(), 15));
        }
        return b.toString();
    }

    /** The client's connections to the service, its TCP drop counters and a few packets of the service's. */
    static String clientView(SharedTopology net) {
        return net.bash("client", Duration.ofSeconds(30), "ss -tin dst " + Topology.SERVICE_ADDRESS
                + "; nstat -az | grep -E 'PAWS|OFO|Prune|Drop|BadSeg|Challenge|InErrs|RetransSegs|OutRsts|ACKSkipped|ZeroWindow|OldAck|TSEcrRejected|SYNChallenge'"
                + "; timeout 8 tcpdump -S -ni any -c 40 -v host " + Topology.SERVICE_ADDRESS + " 2>&1 | tail -60").output();
    }
}
