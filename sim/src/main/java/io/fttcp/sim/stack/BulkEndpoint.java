package io.fttcp.sim.stack;

import io.fttcp.stack.tcp.CloseReason;

import java.nio.ByteBuffer;

/**
 * One end of a bulk transfer, in both directions at once: sends {@code sendBytes} of a seeded
 * {@link Pattern} then shuts its output down, checks every received byte against the pattern it
 * expects, reads to end of stream, and then closes. A sender only, or a receiver only, is the
 * same with zero bytes the other way.
 */
public final class BulkEndpoint extends ConnectionApp {
    private static final int CHUNK = 64 * 1024;

    private final Pattern sendPattern;
    private final long sendBytes;
    private final Pattern expectPattern;
    private final long expectBytes;
    private final ByteBuffer out = ByteBuffer.allocate(CHUNK).flip();
    private final ByteBuffer in = ByteBuffer.allocate(CHUNK);
    private long generated;
    private long received;
    private boolean outputShut;
    private boolean endOfStream;
    private boolean closeCalled;
    private boolean outputAfterInput;
    private final ReadPace pace = new ReadPace();
    /** Aborts (RST) once this many bytes arrived (unless {@link #abortingAfter}: never). */
    private long abortAt = Long.MAX_VALUE;
    private boolean aborted;
    /** RSTs the abort sent (none from TIME-WAIT: the transfer may have ended in the read that reached the point). */
    private long abortResets;

    public BulkEndpoint(Pattern sendPattern, long sendBytes, Pattern expectPattern, long expectBytes) {
        this.sendPattern = sendPattern;
        this.sendBytes = sendBytes;
        this.expectPattern = expectPattern;
        this.expectBytes = expectBytes;
    }

    /**
     * Sends only after reading the peer's end of stream, like a server that answers a complete
     * request: until then the connection stays fully open (and with nothing to send, idle).
     */
    public BulkEndpoint outputAfterInput() {
        outputAfterInput = true;
        return this;
    }

    /**
     * Reads at most {@code bytes} at a time, then nothing for {@code pauseNanos}: a client that
     * consumes at its own pace (a media player, a slow disk), so its receive window fills and the
     * sender must wait on it, probing a closed window.
     */
    public BulkEndpoint readingAtMost(int bytes, long pauseNanos) {
        pace.set(bytes, pauseNanos);
        return this;
    }

    /** Aborts the connection (an RST, as a user cancelling a download) once {@code bytes} arrived. */
    public BulkEndpoint abortingAfter(long bytes) {
        abortAt = bytes;
        return this;
    }

    public boolean aborted() {
        return aborted;
    }

    /** RSTs its abort sent: one, or none from TIME-WAIT (the transfer may have ended in the read that reached the point). */
    public long abortResets() {
        return abortResets;
    }

    @Override
    protected void pump(long now) {
        if (aborted) return;
        receive();
        if (aborted || outputAfterInput && !endOfStream) {
            return;
        }
        send();
        receive();
        closeIfDone();
    }

    private void closeIfDone() {
        if (endOfStream && outputShut && !closeCalled) {
            closeCalled = true;
            host.close(connection);
        }
    }

    private void send() {
        while (sent() < sendBytes) {
            if (!out.hasRemaining()) {
                int n = (int) Math.min(CHUNK, sendBytes - generated);
                out.clear();
                sendPattern.fill(out, generated, n);
                out.flip();
                generated += n;
            }
            if (host.write(connection, out) == 0) {
                return;
            }
        }
        if (!outputShut) {
            outputShut = true;
            host.shutdownOutput(connection);
        }
    }

    private void receive() {
        while (!endOfStream && !pace.pausing() && !aborted) {
            in.clear();
            pace.limit(in);
            int n = host.read(connection, in);
            if (n < 0) {
                endOfStream = true;
                if (received != expectBytes) {
                    fail("end of stream after " + received + " of " + expectBytes + " bytes");
                }
                return;
            }
            if (n == 0) {
                return;
            }
            in.flip();
            if (received + n > expectBytes) {
                fail("received " + (received + n) + " bytes, expected only " + expectBytes);
                return;
            }
            long mismatch = expectPattern.firstMismatch(in, received);
            if (mismatch >= 0) {
                fail("byte " + mismatch + " is " + in.get(in.position() + (int) (mismatch - received))
                        + ", expected " + expectPattern.byteAt(mismatch));
                return;
            }
            received += n;
            if (received >= abortAt) {
                aborted = true;
                long before = host.connectionResetsSent();
                host.abort(connection);
                abortResets = host.connectionResetsSent() - before;
                return;
            }
            long pause = pace.consumed(n);
            if (pause > 0) host.after(pause, this::resume);
        }
    }

    private void resume() {
        pace.resumed();
        if (!isClosed() || failure() != null) {
            schedulePump();
            return;
        }
        // Ended while this reader paused (in order, or reset): what arrived stays readable (as on
        // Linux), but no event pumps a closed connection.
        receive();
        if (closeReason() == CloseReason.CLOSED) closeIfDone();
    }

    @Override
    protected void readAfterEnd(long now) {
        if (failure() == null) receive();
    }

    /** Bytes accepted by the connection so far. */
    public long sent() {
        return generated - out.remaining();
    }

    /** Bytes received and checked so far. */
    public long received() {
        return received;
    }

    public long sendBytes() {
        return sendBytes;
    }

    public long expectBytes() {
        return expectBytes;
    }

    public boolean endOfStream() {
        return endOfStream;
    }

    /** All sent, all received intact, end of stream seen, close called. */
    @Override
    public boolean isDone() {
        if (aborted) return failure() == null;
        return closeCalled && failure() == null && received == expectBytes;
    }

    @Override
    public String toString() {
        return "BulkEndpoint[" + (connection == null ? "unconnected" : connection.tuple()) + " sent " + sent() + "/" + sendBytes
                + ", received " + received + "/" + expectBytes + (endOfStream ? ", EOF" : "")
                + (isClosed() ? ", " + closeReason() : "") + (failure() == null ? "" : ", FAILED: " + failure()) + "]";
    }
}
