package io.fttcp.roles.sim;

import io.fttcp.sim.stack.Pattern;
import io.fttcp.stack.tcp.CloseReason;

import java.nio.ByteBuffer;

/**
 * The server end of a bulk transfer both ways (the primary's twin of the simulation's
 * {@code BulkEndpoint}): sends {@code sendBytes} of a pattern then shuts its output down, checks
 * every byte it reads against the pattern it expects, and closes after end of stream.
 */
final class BulkService extends ServiceApp {
    private static final int CHUNK = 64 * 1024;

    private final Pattern sendPattern, expectPattern;
    private final long sendBytes, expectBytes;
    private final ByteBuffer out = ByteBuffer.allocate(CHUNK).flip();
    private final ByteBuffer in = ByteBuffer.allocate(CHUNK);
    private long generated, received;
    private boolean outputShut, endOfStream, closeCalled;
    /** Bytes read between pauses (unbounded unless {@link #readingAtMost}), and the pause. */
    private long readQuota = Long.MAX_VALUE, readPause, readSincePause;
    private boolean pausing;

    BulkService(Pattern sendPattern, long sendBytes, Pattern expectPattern, long expectBytes) {
        this.sendPattern = sendPattern;
        this.sendBytes = sendBytes;
        this.expectPattern = expectPattern;
        this.expectBytes = expectBytes;
    }

    /**
     * Reads at most {@code bytes} at a time, then nothing for {@code pauseNanos}: an application
     * slower than its client (a disk, a database), so the primary's receive window closes and the
     * client probes it. Only the primary's pace: a replica replays the logged read counts.
     */
    BulkService readingAtMost(int bytes, long pauseNanos) {
        if (bytes < 1 || pauseNanos < 1) throw new IllegalArgumentException("a read pace needs bytes and a pause: " + bytes + ", " + pauseNanos);
        readQuota = bytes;
        readPause = pauseNanos;
        return this;
    }

    @Override
    protected void pump() {
        receive();
        send();
        receive();
        if (endOfStream && outputShut && !closeCalled && failure() == null) {
            closeCalled = true;
            sockets.close(connection);
        }
    }

    private void send() {
        while (generated - out.remaining() < sendBytes) {
            if (!out.hasRemaining()) {
                int n = (int) Math.min(CHUNK, sendBytes - generated);
                out.clear();
                sendPattern.fill(out, generated, n);
                out.flip();
                generated += n;
            }
            if (sockets.write(connection, out) == 0) return;
        }
        if (!outputShut) {
            outputShut = true;
            sockets.shutdownOutput(connection);
        }
    }

    private void receive() {
        while (!endOfStream && failure() == null && !pausing) {
            in.clear();
            if (readQuota - readSincePause < CHUNK) in.limit((int) (readQuota - readSincePause));
            int n = sockets.read(connection, in);
            if (n < 0) {
                endOfStream = true;
                if (received != expectBytes) fail("end of stream after " + received + " of " + expectBytes + " bytes");
                return;
            }
            if (n == 0) return;
            in.flip();
            if (received + n > expectBytes) {
                fail("received " + (received + n) + " bytes, expected only " + expectBytes);
                return;
            }
            long mismatch = expectPattern.firstMismatch(in, received);
            if (mismatch >= 0) {
                fail("byte " + mismatch + " differs from the pattern");
                return;
            }
            received += n;
            readSincePause += n;
            if (readSincePause >= readQuota) {
                pausing = true;
                host.after(readPause, this::resume);
            }
        }
    }

    private void resume() {
        pausing = false;
        readSincePause = 0;
        if (closeReason() == CloseReason.CLOSED && failure() == null) {
            // Ended in order while this reader paused (TIME-WAIT ended): what arrived stays
            // readable, but no event pumps a closed connection.
            receive();
            if (endOfStream && outputShut && !closeCalled) {
                closeCalled = true;
                sockets.close(connection);
            }
        } else {
            schedulePump();
        }
    }

    long received() {
        return received;
    }

    @Override
    boolean isDone() {
        return closeCalled && failure() == null && received == expectBytes;
    }

    @Override
    public String toString() {
        return "BulkService[" + connection.tuple() + " sent " + (generated - out.remaining()) + "/" + sendBytes + ", received "
                + received + "/" + expectBytes + (endOfStream ? ", EOF" : "") + (isClosed() ? ", " + closeReason() : "")
                + (failure() == null ? "" : ", FAILED: " + failure()) + "]";
    }
}
