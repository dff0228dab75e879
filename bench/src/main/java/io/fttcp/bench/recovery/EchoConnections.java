package io.fttcp.bench.recovery;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * A client's connections to the line echo service (kernel TCP), kept open across a failure: each
 * first exchanges {@code bytes} of its {@link EchoPattern} (sent and read back, compared byte
 * for byte), which the logger then holds as that live connection's client bytes; after the
 * failure {@link #probe} sends one line on each and times the answer.
 */
final class EchoConnections implements AutoCloseable {
    private static final int CHUNK = 64 * 1024;
    /** Exchanges up to this size are written whole before reading (they fit the sockets' buffers). */
    private static final long WRITE_THEN_READ = 128 * 1024;
    private static final int OPENING_THREADS = 8;

    private final List<Socket> sockets = new ArrayList<>();
    private EchoFlow flow;

    /** What opening took: the connections, the bytes echoed on them in all, and how long. */
    record Opened(int connections, long bytes, long nanos) {
    }

    /**
     * When each connection's probe answer began and ended ({@link System#nanoTime()}), -1 where
     * it failed, with the first failure.
     */
    record Probed(long[] firstByteNanos, long[] answeredNanos, int failed, String firstFailure) {
    }

    /**
     * Opens {@code count} connections to {@code server}, each exchanging {@code bytes} (checked), and
     * keeps them open; gives up once {@code timeout} has passed (a reply always comes in time).
     */
    Opened open(InetSocketAddress server, int count, long bytes, Duration timeout) throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        long deadline = t0 + timeout.toNanos();
        int first = sockets.size();
        try (ExecutorService pool = Executors.newFixedThreadPool(Math.min(OPENING_THREADS, count))) {
            List<Future<Socket>> opened = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                int index = first + i;
                opened.add(pool.submit(() -> exchange(server, index, bytes, deadline)));
            }
            IOException failure = null;
            for (Future<Socket> f : opened) {
                try {
                    sockets.add(f.get());
                } catch (java.util.concurrent.ExecutionException e) {
                    if (failure == null) {
                        failure = new IOException("a connection's exchange failed: " + e.getCause(), e.getCause());
                    }
                }
            }
            if (failure != null) {
                throw failure;
            }
        }
        return new Opened(count, bytes * count, System.nanoTime() - t0);
    }

    private static Socket exchange(InetSocketAddress server, int index, long bytes, long deadline) throws IOException, InterruptedException {
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.connect(server, millisLeft(deadline));
            socket.setSoTimeout(millisLeft(deadline));
            EchoPattern pattern = new EchoPattern(index, bytes);
            OutputStream out = socket.getOutputStream();
            Thread writer = null;
            if (bytes <= WRITE_THEN_READ) {
                write(out, pattern, bytes);
            } else {
                IOException[] failed = new IOException[1];
                writer = Thread.ofPlatform().name("echo-writer-" + index).start(() -> {
                    try {
                        write(out, pattern, bytes);
                    } catch (IOException e) {
                        failed[0] = e;
                    }
                });
                readBack(socket.getInputStream(), pattern, bytes, index);
                writer.join();
                if (failed[0] != null) {
                    throw failed[0];
                }
            }
            if (writer == null) {
                readBack(socket.getInputStream(), pattern, bytes, index);
            }
            return socket;
        } catch (IOException | InterruptedException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /** Milliseconds until {@code deadline} (at least 1); an exception once it has passed. */
    private static int millisLeft(long deadline) throws IOException {
        long left = (deadline - System.nanoTime()) / 1_000_000;
        if (left <= 0) {
            throw new IOException("out of time");
        }
        return (int) Math.min(Integer.MAX_VALUE, left);
    }

    private static void write(OutputStream out, EchoPattern pattern, long bytes) throws IOException {
        byte[] buffer = new byte[CHUNK];
        for (long sent = 0; sent < bytes; ) {
            int n = (int) Math.min(CHUNK, bytes - sent);
            pattern.fill(sent, buffer, 0, n);
            out.write(buffer, 0, n);
            sent += n;
        }
        out.flush();
    }

    private static void readBack(InputStream in, EchoPattern pattern, long bytes, int index) throws IOException {
        byte[] buffer = new byte[CHUNK];
        byte[] expected = new byte[CHUNK];
        for (long got = 0; got < bytes; ) {
            int n;
            try {
                n = in.read(buffer, 0, (int) Math.min(CHUNK, bytes - got));
            } catch (SocketTimeoutException e) {
                throw new IOException("connection " + index + ": no echo for a while after " + got + " of " + bytes + " bytes");
            }
            if (n < 0) {
                throw new IOException("connection " + index + ": the server closed after echoing " + got + " of " + bytes + " bytes");
            }
            pattern.fill(got, expected, 0, n);
            int at = Arrays.mismatch(buffer, 0, n, expected, 0, n);
            if (at >= 0) {
                throw new IOException("connection " + index + ": the echo differs at byte " + (got + at));
            }
            got += n;
        }
    }

    /** Starts an {@link EchoFlow} on the first connection. */
    void startFlow(Duration period) {
        if (sockets.isEmpty() || flow != null) {
            throw new IllegalStateException(sockets.isEmpty() ? "no connection to flow on: open first" : "a flow is running");
        }
        flow = EchoFlow.start(sockets.getFirst(), period);
    }

    /** Stops the flow and says how it went. */
    EchoFlow.Outcome stopFlow(Duration timeout) throws InterruptedException {
        if (flow == null) {
            throw new IllegalStateException("no flow: flow first");
        }
        EchoFlow f = flow;
        flow = null;
        return f.stop(timeout);
    }

    int size() {
        return sockets.size();
    }

    /**
     * Sends a line on every connection (the probes leave together, before any answer is read),
     * then waits for each answer on its own virtual thread and checks it.
     */
    Probed probe(Duration timeout) throws InterruptedException {
        int n = sockets.size();
        long[] first = new long[n];
        long[] answered = new long[n];
        String[] failures = new String[n];
        byte[][] lines = new byte[n][];
        for (int i = 0; i < n; i++) {
            lines[i] = ("probe " + i + " " + Long.toHexString(System.nanoTime()) + "\n").getBytes(StandardCharsets.US_ASCII);
            try {
                sockets.get(i).setSoTimeout((int) timeout.toMillis());
                sockets.get(i).getOutputStream().write(lines[i]);
            } catch (IOException e) {
                failures[i] = "connection " + i + ": the probe could not be sent: " + e;
            }
        }
        List<Thread> readers = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            if (failures[i] != null) {
                continue;
            }
            int index = i;
            readers.add(Thread.ofVirtual().start(() -> {
                try {
                    readAnswer(sockets.get(index).getInputStream(), lines[index], first, answered, index);
                } catch (IOException e) {
                    failures[index] = "connection " + index + ": " + e;
                }
            }));
        }
        for (Thread t : readers) {
            t.join();
        }
        int failed = 0;
        String firstFailure = null;
        for (int i = 0; i < n; i++) {
            if (failures[i] != null) {
                failed++;
                first[i] = -1;
                answered[i] = -1;
                if (firstFailure == null) {
                    firstFailure = failures[i];
                }
            }
        }
        return new Probed(first, answered, failed, firstFailure);
    }

    private static void readAnswer(InputStream in, byte[] line, long[] first, long[] answered, int index) throws IOException {
        byte[] got = new byte[line.length];
        int filled = 0;
        while (filled < line.length) {
            int n;
            try {
                n = in.read(got, filled, line.length - filled);
            } catch (SocketTimeoutException e) {
                throw new IOException("no answer to the probe (" + filled + " of " + line.length + " bytes)");
            }
            if (n < 0) {
                throw new IOException("the server closed instead of answering the probe");
            }
            if (filled == 0) {
                first[index] = System.nanoTime();
            }
            filled += n;
        }
        answered[index] = System.nanoTime();
        if (!Arrays.equals(got, line)) {
            throw new IOException("the probe's answer differs: " + new String(got, StandardCharsets.US_ASCII).strip());
        }
    }

    @Override
    public void close() {
        flow = null;
        for (Socket s : sockets) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        sockets.clear();
    }
}
