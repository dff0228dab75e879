package io.fttcp.cli.demo;

import io.fttcp.bench.failover.ReadTimeline;
import io.fttcp.testbed.Host;
import io.fttcp.testbed.Topology;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * curl downloading in a host's namespace, its output piped to this JVM, which hashes it and
 * timestamps every read, so the stall a failure causes can be seen from the client's side.
 * {@link #awaitBytes} lets the caller act in the middle of the download.
 */
public final class WatchedCurlDownload implements AutoCloseable {
    private static final int READ_BUFFER = 256 * 1024;

    private final Process curl;
    private final String url;
    private final ReadTimeline timeline = new ReadTimeline();
    private final MessageDigest sha256;
    private final Thread reader;
    private final CountDownLatch done = new CountDownLatch(1);
    private final Object progress = new Object();
    private volatile long received;
    private volatile IOException failure;
    private volatile String curlErrors = "";

    private WatchedCurlDownload(Process curl, String url) {
        this.curl = curl;
        this.url = url;
        try {
            this.sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JVM lacks SHA-256", e);
        }
        Thread.ofVirtual().name("curl-errors").start(this::readErrors);
        this.reader = Thread.ofPlatform().name("curl-output").daemon().start(this::readOutput);
    }

    /** Starts {@code curl URL} in {@code client}'s namespace, failing after {@code limit}. */
    public static WatchedCurlDownload start(Topology topology, Host client, String url, Duration limit) {
        Process p = topology.start(client, pb -> { }, "curl", "--silent", "--show-error", "--fail",
                "--max-time", Long.toString(limit.toSeconds()), "--output", "-", url);
        return new WatchedCurlDownload(p, url);
    }

    private void readOutput() {
        byte[] buffer = new byte[READ_BUFFER];
        try (InputStream in = curl.getInputStream()) {
            int n;
            while ((n = in.read(buffer)) > 0) {
                timeline.record(System.nanoTime(), n);
                sha256.update(buffer, 0, n);
                received += n;
                synchronized (progress) {
                    progress.notifyAll();
                }
            }
        } catch (IOException e) {
            failure = e;
        } finally {
            done.countDown();
            synchronized (progress) {
                progress.notifyAll();
            }
        }
    }

    private void readErrors() {
        try (InputStream err = curl.getErrorStream()) {
            curlErrors = new String(err.readAllBytes(), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            // curl's messages are only for diagnostics.
        }
    }

    /** Waits until at least {@code bytes} have arrived; false if the download ended or the time ran out first. */
    public boolean awaitBytes(long bytes, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (progress) {
            while (received < bytes) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || done.getCount() == 0) {
                    return received >= bytes;
                }
                progress.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            }
            return true;
        }
    }

    public long received() {
        return received;
    }

    /**
     * Waits for the download to end; returns what arrived. Throws {@link IllegalStateException}
     * with curl's message if curl failed or did not finish within {@code timeout}.
     */
    public Result finish(Duration timeout) throws InterruptedException {
        if (!done.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException("curl " + url + " did not finish within " + timeout.toSeconds() + " s (" + received + " bytes so far)");
        }
        int exit = curl.waitFor(10, TimeUnit.SECONDS) ? curl.exitValue() : -1;
        if (exit != 0 || failure != null) {
            String why = failure != null ? failure.getMessage() : curlErrors;
            throw new IllegalStateException("curl " + url + " failed (exit " + exit + ") after " + received + " bytes: " + why);
        }
        return new Result(received, HexFormat.of().formatHex(sha256.digest()), timeline);
    }

    @Override
    public void close() {
        curl.destroyForcibly();
        try {
            reader.join(Duration.ofSeconds(2));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** What curl delivered: its byte count and SHA-256, and when each read returned. */
    public record Result(long bytes, String sha256, ReadTimeline timeline) {
        public double seconds() {
            int n = timeline.reads();
            return n < 2 ? 0 : (timeline.time(n - 1) - timeline.time(0)) / 1e9;
        }
    }
}
