package io.fttcp.cli.demo;

import io.fttcp.testbed.Host;
import io.fttcp.testbed.Topology;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code fttcp serve ...} running in its own JVM inside a host's namespace, with its output kept
 * for diagnostics. {@link #awaitReady} waits for the line {@code fttcp: ... listening on ...}.
 */
public final class ServeProcess implements AutoCloseable {
    /** Output beyond this is dropped from the middle, so a chatty server cannot fill the heap. */
    private static final int MAX_KEPT_CHARS = 256 * 1024;
    private static final String READY_MARK = "listening on ";

    private final Process process;
    private final String description;
    private final StringBuilder output = new StringBuilder();
    private final CountDownLatch ready = new CountDownLatch(1);
    private final Thread reader;
    private volatile String listeningOn;

    private ServeProcess(Process process, String description) {
        this.process = process;
        this.description = description;
        this.reader = Thread.ofVirtual().name("serve-output").start(this::readOutput);
    }

    /** Starts {@code fttcp serve <serveArgs>} in {@code host}'s namespace (the class path of this JVM must hold the CLI). */
    public static ServeProcess start(Topology topology, Host host, String... serveArgs) {
        List<String> args = new ArrayList<>(List.of("serve"));
        args.addAll(List.of(serveArgs));
        String[] command = Topology.javaCommand("io.fttcp.cli.Main", args.toArray(String[]::new));
        Process p = topology.start(host, pb -> pb.redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))), command);
        return new ServeProcess(p, "fttcp " + String.join(" ", args) + " (in " + host.name() + ")");
    }

    private void readOutput() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                append(line);
                int mark = line.indexOf(READY_MARK);
                if (line.startsWith("fttcp: ") && mark >= 0 && listeningOn == null) {
                    listeningOn = line.substring(mark + READY_MARK.length()).strip();
                    ready.countDown();
                }
            }
        } catch (IOException e) {
            append("[output unreadable: " + e.getMessage() + "]");
        } finally {
            ready.countDown();
        }
    }

    private void append(String line) {
        synchronized (output) {
            if (output.length() + line.length() > MAX_KEPT_CHARS) {
                // Keep how it began and what it said last; drop from the middle.
                output.replace(output.length() / 4, output.length() / 2, "\n[... output dropped ...]\n");
            }
            output.append(line).append('\n');
        }
    }

    /**
     * Waits until the server says it is listening; throws {@link IllegalStateException} with its
     * output if it exits first or takes longer than {@code timeout}. Returns the address it printed.
     */
    public String awaitReady(Duration timeout) throws InterruptedException {
        boolean signalled = ready.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        String address = listeningOn;
        if (address != null) {
            return address;
        }
        String why = signalled ? "exited before it was ready" + exitDescription() : "was not ready after " + timeout.toSeconds() + " s";
        throw new IllegalStateException(description + " " + why + "; its output:\n" + output());
    }

    private String exitDescription() {
        try {
            return process.waitFor(2, TimeUnit.SECONDS) ? " (exit " + process.exitValue() + ")" : "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Everything the server printed so far (stdout and stderr merged). */
    public String output() {
        synchronized (output) {
            return output.toString();
        }
    }

    public String description() {
        return description;
    }

    /** Stops the server (SIGTERM, then SIGKILL after 5 s) and waits for it. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
            reader.join(Duration.ofSeconds(2));
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
