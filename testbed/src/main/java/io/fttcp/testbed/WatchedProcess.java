package io.fttcp.testbed;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A process started in a namespace whose output (stdout and stderr merged) is kept and can be
 * waited on line by line, and which can be signalled (kill, stop, continue) as a failure test needs.
 */
public final class WatchedProcess implements AutoCloseable {
    /** Output beyond this is dropped from the middle, so a chatty process cannot fill the heap. */
    private static final int MAX_KEPT_CHARS = 512 * 1024;

    private final Process process;
    private final String description;
    private final StringBuilder output = new StringBuilder();
    private final Thread reader;
    /** The output has ended (the process closed it, normally by exiting). */
    private boolean outputEnded;

    private WatchedProcess(Process process, String description) {
        this.process = process;
        this.description = description;
        this.reader = Thread.ofPlatform().daemon().name("watch-" + description).start(this::readOutput);
    }

    /**
     * CPU time the process has used so far (user and system; {@code ip netns exec} execs the
     * command, so this is the command's own), or empty where the platform does not tell.
     */
    public java.util.Optional<java.time.Duration> cpuTime() {
        return process.toHandle().info().totalCpuDuration();
    }

    /**
     * The process's resident memory (VmRSS of /proc/PID/status), empty once it has exited. A
     * SIGKILLed process's sockets close only after the kernel has freed that memory.
     */
    public java.util.OptionalLong residentBytes() {
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc", Long.toString(process.pid()), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return java.util.OptionalLong.of(Long.parseLong(line.substring(6).trim().split("\\s+")[0]) * 1024);
                }
            }
        } catch (java.io.IOException | RuntimeException e) {
            // Gone, or a kernel without it.
        }
        return java.util.OptionalLong.empty();
    }

    /** The process id ({@code ip netns exec} execs the command, so this is the command's own). */
    public long pid() {
        return process.pid();
    }

    /** Starts {@code command} in {@code host}'s namespace, stdin from /dev/null. */
    public static WatchedProcess start(Topology topology, Host host, String description, String... command) {
        Process p = topology.start(host, pb -> pb.redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))), command);
        return new WatchedProcess(p, description + " (in " + host.name() + ")");
    }

    private void readOutput() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                synchronized (output) {
                    if (output.length() + line.length() > MAX_KEPT_CHARS) {
                        output.replace(output.length() / 4, output.length() / 2, "\n[... output dropped ...]\n");
                    }
                    output.append(line).append('\n');
                    output.notifyAll();
                }
            }
        } catch (IOException e) {
            synchronized (output) {
                output.append("[output unreadable: ").append(e.getMessage()).append("]\n");
            }
        } finally {
            synchronized (output) {
                outputEnded = true;
                output.notifyAll();
            }
        }
    }

    /**
     * Waits for a line matching {@code test}, printed at any time since the start; returns it.
     *
     * @throws IllegalStateException with the output, if the process exits or the time runs out first
     */
    public String awaitLine(Predicate<String> test, String what, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (output) {
            while (true) {
                for (String line : output.toString().split("\n")) {
                    if (test.test(line)) return line;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0 || outputEnded) {
                    throw new IllegalStateException(description + (left > 0 || !process.isAlive() ? " exited" + exitCode() + " before it printed " + what
                            : " did not print " + what + " within " + timeout.toMillis() + " ms") + "; its output:\n" + output);
                }
                output.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            }
        }
    }

    private String exitCode() {
        try {
            return process.waitFor(2, TimeUnit.SECONDS) ? " (" + process.exitValue() + ")" : "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }

    /** Sends a signal by name (KILL, STOP, CONT, TERM) to the process (the JVM itself: `ip netns exec` execs it). */
    public void signal(String name) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).redirectErrorStream(true).start();
            if (!kill.waitFor(5, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException("kill -" + name + " " + process.pid() + " failed");
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run kill: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while signalling " + description, e);
        }
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Waits up to {@code timeout} for the process to exit; returns its exit code, or -1 if it is still running. */
    public int awaitExit(Duration timeout) throws InterruptedException {
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : -1;
    }

    public String output() {
        synchronized (output) {
            return output.toString();
        }
    }

    public String description() {
        return description;
    }

    /** Stops it (SIGKILL if SIGTERM does not within 5 s; a stopped process is continued first). */
    @Override
    public void close() {
        if (process.isAlive()) {
            try {
                signal("CONT");
            } catch (IllegalStateException ignored) {
                // it may have exited meanwhile
            }
        }
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
