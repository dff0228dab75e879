package io.fttcp.bench.recovery;

import io.fttcp.bench.failover.ReadTimeline;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * A trickle of short numbered lines on a live echo connection, each echo's arrival timestamped
 * into a {@link ReadTimeline}: the connection is in use when the primary dies, with echoes in
 * flight both ways, so the recovered server resumes it at once by retransmitting (rather than
 * waiting for the client's retransmission timer, as an idle connection's next request would),
 * and the first echo after the failure shows when the service came back. One line of
 * {@value #LINE_BYTES} bytes per period adds only a few kB to the logged bytes.
 */
final class EchoFlow {
    static final int LINE_BYTES = 16;
    private static final Duration POLL = Duration.ofMillis(20);
    /** An echo flow silent this long has not come back. */
    private static final Duration SILENCE = Duration.ofSeconds(60);

    private final Socket socket;
    private final long periodNanos;
    private final ReadTimeline timeline = new ReadTimeline();
    private final Thread writer;
    private final Thread reader;
    private volatile boolean stopping;
    private volatile boolean writerDone;
    private volatile long written;
    private volatile long read;
    private volatile long mismatchAt = -1;
    private volatile String failure;

    private EchoFlow(Socket socket, Duration period) {
        this.socket = socket;
        this.periodNanos = period.toNanos();
        this.writer = Thread.ofPlatform().daemon().name("echo-flow-writer").unstarted(this::write);
        this.reader = Thread.ofPlatform().daemon().name("echo-flow-reader").unstarted(this::read);
    }

    /** Starts writing a line every {@code period} on {@code socket} and reading the echoes. */
    static EchoFlow start(Socket socket, Duration period) {
        EchoFlow f = new EchoFlow(socket, period);
        f.reader.start();
        f.writer.start();
        return f;
    }

    /** Line {@code n}: "f", the number in 14 digits, newline. */
    static byte[] line(long n) {
        return String.format("f%014d\n", n).getBytes(StandardCharsets.US_ASCII);
    }

    private void write() {
        try {
            OutputStream out = socket.getOutputStream();
            long next = System.nanoTime();
            long n = 0;
            while (!stopping) {
                // Counted before it is sent, so the reader never sees more echoed than written.
                written += LINE_BYTES;
                out.write(line(n++));
                next += periodNanos;
                LockSupport.parkNanos(next - System.nanoTime());
            }
        } catch (IOException e) {
            if (failure == null) {
                failure = "writing: " + e;
            }
        } finally {
            writerDone = true;
        }
    }

    private void read() {
        byte[] buffer = new byte[64 * 1024];
        byte[] expected = new byte[LINE_BYTES];
        try {
            // Short waits, so the reader notices the writer's end even when no echo is due any more.
            socket.setSoTimeout((int) POLL.toMillis());
            InputStream in = socket.getInputStream();
            long lastProgress = System.nanoTime();
            while (!writerDone || read < written) {
                int n;
                try {
                    n = in.read(buffer);
                } catch (SocketTimeoutException e) {
                    if (System.nanoTime() - lastProgress > SILENCE.toNanos()) {
                        throw new IOException("no echo for " + SILENCE.toSeconds() + " s after " + read + " of " + written + " bytes");
                    }
                    continue;
                }
                if (n < 0) {
                    throw new IOException("the server closed after echoing " + read + " bytes");
                }
                lastProgress = System.nanoTime();
                timeline.record(lastProgress, n);
                for (int i = 0; i < n && mismatchAt < 0; i++) {
                    long at = read + i;
                    if (at % LINE_BYTES == 0) {
                        System.arraycopy(line(at / LINE_BYTES), 0, expected, 0, LINE_BYTES);
                    }
                    if (buffer[i] != expected[(int) (at % LINE_BYTES)]) {
                        mismatchAt = at;
                    }
                }
                read += n;
            }
        } catch (IOException | RuntimeException e) {
            if (failure == null) {
                failure = "reading: " + e;
            }
        }
    }

    /**
     * How the flow went.
     *
     * @param written    bytes sent
     * @param read       bytes echoed
     * @param mismatchAt offset of the first echoed byte that differed, or -1
     * @param failure    why it stopped early, or null
     * @param timeline   when each echo arrived
     */
    record Outcome(long written, long read, long mismatchAt, String failure, ReadTimeline timeline) {
        boolean intact() {
            return failure == null && mismatchAt < 0 && read == written;
        }
    }

    /** Stops writing, waits up to {@code timeout} for every echo, and says how it went. */
    Outcome stop(Duration timeout) throws InterruptedException {
        stopping = true;
        writer.join(timeout.toMillis());
        if (!reader.join(timeout)) {
            failure = failure != null ? failure : "only " + read + " of " + written + " bytes echoed within " + timeout.toSeconds() + " s";
            try {
                socket.close(); // ends the reader's read
            } catch (IOException ignored) {
                // closing anyway
            }
            reader.join(Duration.ofSeconds(5));
        }
        return new Outcome(written, read, mismatchAt, failure, timeline);
    }
}
