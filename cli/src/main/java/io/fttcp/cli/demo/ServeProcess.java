package io.fttcp.cli.demo;

import io.fttcp.testbed.Host;
import io.fttcp.testbed.Topology;
import io.fttcp.testbed.WatchedProcess;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code fttcp serve ...} running in its own JVM inside a host's namespace, with its output kept
 * for diagnostics. {@link #awaitReady} waits for the line {@code fttcp: ... listening on ...}.
 */
public final class ServeProcess implements AutoCloseable {
    private static final String READY_MARK = "listening on ";

    private final WatchedProcess process;

    private ServeProcess(WatchedProcess process) {
        this.process = process;
    }

    /** Starts {@code fttcp serve <serveArgs>} in {@code host}'s namespace (the class path of this JVM must hold the CLI). */
    public static ServeProcess start(Topology topology, Host host, String... serveArgs) {
        List<String> args = new ArrayList<>(List.of("serve"));
        args.addAll(List.of(serveArgs));
        return new ServeProcess(WatchedProcess.start(topology, host, "fttcp " + String.join(" ", args),
                Topology.javaCommand("io.fttcp.cli.Main", args.toArray(String[]::new))));
    }

    /**
     * Waits until the server says it is listening; throws {@link IllegalStateException} with its
     * output if it exits first or takes longer than {@code timeout}. Returns the address it printed.
     */
    public String awaitReady(Duration timeout) throws InterruptedException {
        String line;
        try {
            line = process.awaitLine(l -> l.startsWith("fttcp: ") && l.contains(READY_MARK), "where it listens", timeout);
        } catch (IllegalStateException e) {
            int exit = process.awaitExit(Duration.ofSeconds(2));
            String why = exit >= 0 ? "exited before it was ready (exit " + exit + ")" : "was not ready after " + timeout.toSeconds() + " s";
            throw new IllegalStateException(process.description() + " " + why + "; its output:\n" + process.output(), e);
        }
        return line.substring(line.indexOf(READY_MARK) + READY_MARK.length()).strip();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Everything the server printed so far (stdout and stderr merged). */
    public String output() {
        return process.output();
    }

    public String description() {
        return process.description();
    }

    /** Stops the server (SIGTERM, then SIGKILL after 5 s) and waits for it. */
    @Override
    public void close() {
        process.close();
    }
}
