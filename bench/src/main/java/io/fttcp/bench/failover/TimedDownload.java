package io.fttcp.bench.failover;

import io.fttcp.apps.http.Generator;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The failover benchmark's client (kernel TCP): {@code GET /gen/<bytes>} on its own thread,
 * every read timestamped into a {@link ReadTimeline} and every byte compared with the
 * {@link Generator} stream the server sends. {@link #awaitMark} returns once enough has arrived
 * for the caller to inject a failure; {@link #finish} waits for the end and writes the timeline.
 */
public final class TimedDownload {
    private static final int READ_BUFFER = 256 * 1024;
    private static final int MAX_HEAD = 16 * 1024;
    /** Downloads up to this size are kept in memory and checked after the end; larger ones are checked as they arrive. */
    private static final long MAX_KEPT_BYTES = 512L << 20;
    /** A read that waits this long means the failover did not resume the connection. */
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(20);

    private final InetSocketAddress server;
    private final long bytes;
    private final long markBytes;
    private final ReadTimeline timeline = new ReadTimeline();
    private final byte[] expected = new byte[READ_BUFFER];
    private final CountDownLatch marked = new CountDownLatch(1);
    private final CountDownLatch done = new CountDownLatch(1);
    private final Thread thread;
    private volatile long received;
    private volatile long mismatchAt = -1;
    private volatile String failure;

    private final long maxKeptBytes;

    private TimedDownload(InetSocketAddress server, long bytes, long markBytes, long maxKeptBytes) {
        if (bytes < 1 || markBytes < 0 || markBytes > bytes) {
            throw new IllegalArgumentException("need 0 <= markBytes <= bytes and bytes > 0: " + markBytes + ", " + bytes);
        }
        this.server = server;
        this.bytes = bytes;
        this.markBytes = markBytes;
        this.maxKeptBytes = maxKeptBytes;
        this.thread = Thread.ofPlatform().name("timed-download").daemon().start(this::run);
    }

    /** Starts downloading {@code bytes} of the generated stream from {@code server}. */
    public static TimedDownload start(InetSocketAddress server, long bytes, long markBytes) {
        return new TimedDownload(server, bytes, markBytes, MAX_KEPT_BYTES);
    }

    /** As {@link #start}, keeping the body for checking at the end only up to {@code maxKeptBytes} (tests). */
    static TimedDownload start(InetSocketAddress server, long bytes, long markBytes, long maxKeptBytes) {
        return new TimedDownload(server, bytes, markBytes, maxKeptBytes);
    }

    private void run() {
        // Kept whole and checked at the end, so checking costs no CPU while the failover is measured.
        byte[] kept = bytes <= maxKeptBytes ? new byte[(int) bytes] : null;
        byte[] buffer = new byte[READ_BUFFER];
        Generator generator = new Generator(0);
        try (Socket socket = new Socket()) {
            socket.setReceiveBufferSize(4 << 20);
            socket.connect(server, (int) Duration.ofSeconds(10).toMillis());
            socket.setSoTimeout((int) READ_TIMEOUT.toMillis());
            OutputStream out = socket.getOutputStream();
            out.write(("GET /gen/" + bytes + " HTTP/1.1\r\nHost: " + server.getHostString() + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            Head head = readHead(in, buffer);
            int early = (int) Math.min(head.filled() - head.bodyStart(), bytes);
            if (early > 0) {
                if (kept != null) {
                    System.arraycopy(buffer, head.bodyStart(), kept, 0, early);
                } else {
                    verify(generator, buffer, head.bodyStart(), early, received);
                }
                arrived(early);
            }
            while (received < bytes) {
                int want = (int) Math.min(READ_BUFFER, bytes - received);
                int n = kept != null ? in.read(kept, (int) received, want) : in.read(buffer, 0, want);
                if (n < 0) {
                    throw new IOException("the server closed the connection after " + received + " of " + bytes + " bytes");
                }
                if (kept == null) {
                    verify(generator, buffer, 0, n, received);
                }
                arrived(n);
            }
        } catch (SocketTimeoutException e) {
            failure = "no data for " + READ_TIMEOUT.toSeconds() + " s after " + received + " bytes";
        } catch (IOException | RuntimeException e) {
            failure = e.toString();
        } finally {
            marked.countDown();
            if (kept != null) {
                for (long at = 0; at < received && mismatchAt < 0; at += READ_BUFFER) {
                    verify(generator, kept, (int) at, (int) Math.min(READ_BUFFER, received - at), at);
                }
            }
            done.countDown();
        }
    }

    /** Where the body starts in the buffer, and how much of the buffer the reads filled (the body's first bytes may have come along). */
    private record Head(int bodyStart, int filled) {
    }

    private Head readHead(InputStream in, byte[] buffer) throws IOException {
        int filled = 0;
        while (true) {
            int n = in.read(buffer, filled, MAX_HEAD - filled);
            if (n < 0) {
                throw new IOException("the server closed the connection before the response head");
            }
            filled += n;
            int end = indexOfBlankLine(buffer, filled);
            if (end >= 0) {
                String head = new String(buffer, 0, end, StandardCharsets.ISO_8859_1);
                if (!head.startsWith("HTTP/1.1 200")) {
                    throw new IOException("unexpected response: " + head.lines().findFirst().orElse(""));
                }
                long length = contentLength(head);
                if (length != bytes) {
                    throw new IOException("Content-Length " + length + ", expected " + bytes);
                }
                return new Head(end + 4, filled);
            }
            if (filled == MAX_HEAD) {
                throw new IOException("response head longer than " + MAX_HEAD + " bytes");
            }
        }
    }

    private static int indexOfBlankLine(byte[] b, int length) {
        for (int i = 0; i + 3 < length; i++) {
            if (b[i] == '\r' && b[i + 1] == '\n' && b[i + 2] == '\r' && b[i + 3] == '\n') {
                return i;
            }
        }
        return -1;
    }

    private static long contentLength(String head) throws IOException {
        for (String line : head.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).strip().equalsIgnoreCase("Content-Length")) {
                try {
                    return Long.parseLong(line.substring(colon + 1).strip());
                } catch (NumberFormatException e) {
                    throw new IOException("malformed Content-Length: " + line);
                }
            }
        }
        throw new IOException("no Content-Length in the response");
    }

    private void arrived(int n) {
        timeline.record(System.nanoTime(), n);
        received += n;
        if (received >= markBytes) {
            marked.countDown();
        }
    }

    /** Compares {@code data[off..off+n)} with the generated stream at {@code streamOffset}; notes the first difference. */
    private void verify(Generator generator, byte[] data, int off, int n, long streamOffset) {
        if (mismatchAt >= 0) {
            return;
        }
        generator.fill(streamOffset, expected, 0, n);
        int at = Arrays.mismatch(data, off, off + n, expected, 0, n);
        if (at >= 0) {
            mismatchAt = streamOffset + at;
        }
    }

    /** Waits until {@code markBytes} have arrived; returns the count, or throws if the download failed or the time ran out first. */
    public long awaitMark(Duration timeout) throws IOException, InterruptedException {
        if (!marked.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IOException("only " + received + " of the " + markBytes + " bytes before the mark arrived within " + timeout.toSeconds() + " s");
        }
        if (received < markBytes) {
            throw new IOException("the download failed before the mark: " + failure);
        }
        return received;
    }

    /** Waits for the end of the download, writes the timeline to {@code timelineFile}, and says how it went. */
    public Outcome finish(Duration timeout, Path timelineFile) throws IOException, InterruptedException {
        if (!done.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IOException("the download did not end within " + timeout.toSeconds() + " s (" + received + " bytes)");
        }
        try (OutputStream out = Files.newOutputStream(timelineFile)) {
            timeline.writeTo(out);
        }
        return new Outcome(received, bytes, mismatchAt, failure);
    }

    /** Stops waiting for the server (the download thread ends at its next read). */
    public void abandon() {
        thread.interrupt();
    }

    /**
     * How a download went.
     *
     * @param received   body bytes that arrived
     * @param expected   body bytes asked for
     * @param mismatchAt offset of the first byte that differed from the generated stream, or -1
     * @param failure    why it stopped early, or null
     */
    public record Outcome(long received, long expected, long mismatchAt, String failure) {
        public boolean intact() {
            return failure == null && mismatchAt < 0 && received == expected;
        }
    }
}
