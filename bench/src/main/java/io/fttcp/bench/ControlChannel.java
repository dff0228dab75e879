package io.fttcp.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Talks to a bench process (server or client) over its stdin and stdout: one command line in,
 * one {@link ControlReply} line out. A reader thread queues the replies so waits can time out.
 */
public final class ControlChannel implements AutoCloseable {
    private static final String END = "\u0000end";

    private final String name;
    private final Process process;
    private final Writer commands;
    private final BlockingQueue<String> replies = new LinkedBlockingQueue<>();

    public ControlChannel(String name, Process process) {
        this.name = name;
        this.process = process;
        this.commands = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        Thread.ofPlatform().daemon().name("control-" + name).start(this::readReplies);
    }

    private void readReplies() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                // JVM log lines ("[0.8s][info][jfr,startup] ...", e.g. when profiling) are not replies.
                if (!line.startsWith("[")) {
                    replies.add(line);
                }
            }
        } catch (IOException e) {
            // The process went away; the waiting caller hears about it below.
        } finally {
            replies.add(END);
        }
    }

    /** Waits for the process's first reply, which must be {@code ready}. */
    public ControlReply awaitReady(Duration timeout) throws IOException, InterruptedException {
        return next(timeout, "start").expect("ready");
    }

    /** Sends {@code command} and returns its reply, checked to be {@code expectedWord}. */
    public ControlReply call(String command, String expectedWord, Duration timeout) throws IOException, InterruptedException {
        try {
            commands.write(command + "\n");
            commands.flush();
        } catch (IOException e) {
            throw new IOException(name + " does not take commands (" + e.getMessage() + "); exit code "
                    + exitCode(), e);
        }
        return next(timeout, command).expect(expectedWord);
    }

    private ControlReply next(Duration timeout, String what) throws IOException, InterruptedException {
        String line = replies.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (line == null) {
            throw new IOException(name + " did not answer '" + what + "' within " + timeout.toSeconds() + " s");
        }
        if (line.equals(END)) {
            replies.add(END);
            throw new IOException(name + " ended before answering '" + what + "'; exit code " + exitCode());
        }
        try {
            return ControlReply.parse(line);
        } catch (IllegalArgumentException e) {
            throw new IOException(name + " answered '" + what + "' with a malformed line: " + e.getMessage(), e);
        }
    }

    private String exitCode() {
        try {
            return process.waitFor(2, TimeUnit.SECONDS) ? String.valueOf(process.exitValue()) : "(still running)";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "(unknown)";
        }
    }

    /** Asks the process to quit, then kills it if it has not within a few seconds. */
    @Override
    public void close() {
        try {
            commands.write("quit\n");
            commands.flush();
            commands.close();
        } catch (IOException e) {
            // Already gone.
        }
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
