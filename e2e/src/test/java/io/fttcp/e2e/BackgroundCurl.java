package io.fttcp.e2e;

import io.fttcp.testbed.Host;
import io.fttcp.testbed.Topology;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A curl running in the background in a client namespace, so a test can watch a transfer's
 * progress and break the server meanwhile. A download goes to a file (its size is the progress);
 * an upload's answer and any error are kept as curl's output (stdout and stderr merged).
 */
final class BackgroundCurl implements AutoCloseable {
    private final Process process;
    private final Path downloadFile;
    private final String description;
    private final ByteArrayOutputStream output = new ByteArrayOutputStream();
    private final Thread reader;

    private BackgroundCurl(Process process, Path downloadFile, String description) {
        this.process = process;
        this.downloadFile = downloadFile;
        this.description = description;
        this.reader = Thread.ofVirtual().name("curl-output").start(this::readOutput);
    }

    /** {@code curl URL --output file}, failing on HTTP errors, at most {@code maxTime}; extra curl options may follow. */
    static BackgroundCurl download(Topology topology, Host client, String url, Path file, Duration maxTime, String... options) {
        List<String> command = baseCommand(maxTime);
        command.addAll(List.of(options));
        command.addAll(List.of("--output", file.toString(), url));
        return new BackgroundCurl(topology.start(client, pb -> pb.redirectErrorStream(true), command.toArray(String[]::new)),
                file, "curl " + url + " > " + file);
    }

    /**
     * {@code curl -T file URL} without {@code Expect: 100-continue} (curl would wait a second for it),
     * at most {@code maxTime}; extra curl options may follow.
     */
    static BackgroundCurl upload(Topology topology, Host client, Path file, String url, Duration maxTime, String... options) {
        List<String> command = baseCommand(maxTime);
        command.addAll(List.of(options));
        command.addAll(List.of("-H", "Expect:", "-T", file.toString(), url));
        return new BackgroundCurl(topology.start(client, pb -> pb.redirectErrorStream(true), command.toArray(String[]::new)),
                null, "curl -T " + file + " " + url);
    }

    private static List<String> baseCommand(Duration maxTime) {
        return new ArrayList<>(List.of("curl", "--silent", "--show-error", "--fail", "--connect-timeout", "10",
                "--max-time", Long.toString(maxTime.toSeconds())));
    }

    private void readOutput() {
        byte[] buf = new byte[8192];
        try (InputStream in = process.getInputStream()) {
            int n;
            while ((n = in.read(buf)) >= 0) {
                synchronized (output) {
                    output.write(buf, 0, n);
                }
            }
        } catch (IOException ignored) {
            // curl is gone; what it said is kept
        }
    }

    /** Bytes of the download on disk so far (0 before curl created the file). */
    long downloadedBytes() {
        try {
            return Files.size(downloadFile);
        } catch (IOException e) {
            return 0;
        }
    }

    Path downloadFile() {
        return downloadFile;
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** curl's exit code, waiting up to {@code timeout}; -1 if it is still running. */
    int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            return -1;
        }
        reader.join(Duration.ofSeconds(5));
        return process.exitValue();
    }

    /** What curl printed (an upload's answer, errors), stdout and stderr merged. */
    String output() {
        synchronized (output) {
            return output.toString(StandardCharsets.UTF_8);
        }
    }

    String description() {
        return description;
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
