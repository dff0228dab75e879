package io.fttcp.e2e;

import io.fttcp.testbed.Host;
import io.fttcp.testbed.Topology;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * An interactive {@code socat - TCP:addr:port} in a client namespace, driven through its stdin and
 * stdout: what the test writes goes to the server, what the server sends can be read back with a
 * deadline. Stdin EOF makes socat half-close; socat exits once the server has closed too.
 */
final class SocatSession implements AutoCloseable {
    private final Process process;
    private final OutputStream toServer;
    private final BlockingQueue<byte[]> fromServer = new ArrayBlockingQueue<>(1 << 16);
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
    private final ByteArrayOutputStream errors = new ByteArrayOutputStream();
    private volatile boolean endOfStream;

    private SocatSession(Process process) {
        this.process = process;
        this.toServer = process.getOutputStream();
        Thread.ofVirtual().name("socat-out").start(() -> pump(process.getInputStream()));
        Thread.ofVirtual().name("socat-err").start(() -> {
            try {
                process.getErrorStream().transferTo(errors);
            } catch (IOException ignored) {
                // the process is gone; what it said so far is kept
            }
        });
    }

    /** Starts socat in {@code client}'s namespace; {@code -t} bounds the wait for the server's close after our EOF. */
    static SocatSession connect(Topology topology, Host client, String address, int port) {
        return new SocatSession(topology.start(client, "socat", "-t", "10", "-", "TCP:" + address + ":" + port + ",connect-timeout=10"));
    }

    private void pump(InputStream in) {
        byte[] buf = new byte[64 * 1024];
        try (in) {
            int n;
            while ((n = in.read(buf)) >= 0) {
                byte[] chunk = java.util.Arrays.copyOf(buf, n);
                fromServer.put(chunk);
            }
        } catch (IOException | InterruptedException ignored) {
            // socat exited or we were stopped; the reader sees end of stream
        } finally {
            endOfStream = true;
            fromServer.offer(new byte[0]);
        }
    }

    void send(byte[] bytes) throws IOException {
        toServer.write(bytes);
        toServer.flush();
    }

    /** Closes socat's stdin: socat sends FIN to the server. */
    void finishSending() throws IOException {
        toServer.close();
    }

    /** Reads exactly {@code n} bytes, or throws if they do not arrive within {@code timeout}. */
    byte[] receive(int n, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (pending.size() < n) {
            long left = deadline - System.nanoTime();
            byte[] chunk = left > 0 ? fromServer.poll(left, TimeUnit.NANOSECONDS) : null;
            if (chunk == null) {
                throw new SocketTimeoutException("got " + pending.size() + " of " + n + " bytes within " + timeout.toMillis() + " ms; socat stderr: " + errors());
            }
            if (chunk.length == 0 && endOfStream) {
                throw new IOException("socat output ended after " + pending.size() + " of " + n + " bytes; socat stderr: " + errors());
            }
            pending.writeBytes(chunk);
        }
        byte[] all = pending.toByteArray();
        pending.reset();
        pending.write(all, n, all.length - n);
        return java.util.Arrays.copyOf(all, n);
    }

    /** Everything until socat's stdout ends (the server closed), within {@code timeout}. */
    byte[] receiveToEnd(Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!(endOfStream && fromServer.isEmpty())) {
            long left = deadline - System.nanoTime();
            byte[] chunk = left > 0 ? fromServer.poll(left, TimeUnit.NANOSECONDS) : null;
            if (chunk == null) {
                throw new SocketTimeoutException("no end of stream within " + timeout.toMillis() + " ms after " + pending.size() + " bytes; socat stderr: " + errors());
            }
            pending.writeBytes(chunk);
        }
        byte[] all = pending.toByteArray();
        pending.reset();
        return all;
    }

    /** socat's exit code, waiting up to {@code timeout}; -1 if it is still running. */
    int awaitExit(Duration timeout) throws InterruptedException {
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : -1;
    }

    String errors() {
        synchronized (errors) {
            return errors.toString(java.nio.charset.StandardCharsets.UTF_8).strip();
        }
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
