package io.fttcp.roles.sim;

import io.fttcp.sim.stack.Pattern;
import io.fttcp.sim.stack.ReadPace;
import io.fttcp.stack.tcp.CloseReason;

import java.nio.ByteBuffer;

/**
 * The server end of a bulk transfer both ways (the primary's twin of the simulation's
 * {@code BulkEndpoint}): sends {@code sendBytes} of a pattern then shuts its output down, checks
 * every byte it reads against the pattern it expects, and closes after end of stream. Or, if it
 * refuses ({@code refuseAfter} >= 0): reads only that many bytes, then writes its whole output
 * as the answer and closes with the rest of the input unread (its stack resets the client).
 */
final class BulkService extends ServiceApp {
    private static final int CHUNK = 64 * 1024;

    private final Pattern sendPattern, expectPattern;
    private final long sendBytes, expectBytes, refuseAfter;
    private final ByteBuffer out = ByteBuffer.allocate(CHUNK).flip();
    private final ByteBuffer in = ByteBuffer.allocate(CHUNK);
    private long generated, received;
    private boolean outputShut, endOfStream, closeCalled;
    private final ReadPace pace = new ReadPace();

    BulkService(Pattern sendPattern, long sendBytes, Pattern expectPattern, long expectBytes, long refuseAfter) {
        this.sendPattern = sendPattern;
        this.sendBytes = sendBytes;
        this.expectPattern = expectPattern;
        this.expectBytes = expectBytes;
        this.refuseAfter = refuseAfter;
    }

    private boolean refuses() {
        return refuseAfter >= 0;
    }

    /**
     * Reads at most {@code bytes} at a time, then nothing for {@code pauseNanos}: an application
     * slower than its client (a disk, a database), so the primary's receive window closes and the
     * client probes it. Only the primary's pace: a replica replays the logged read counts.
     */
    BulkService readingAtMost(int bytes, long pauseNanos) {
        pace.set(bytes, pauseNanos);
        return this;
    }

    @Override
    protected void pump() {
        receive();
        send();
        receive();
        closeIfDone();
    }

    private void closeIfDone() {
        boolean done = refuses() ? received == refuseAfter && generated - out.remaining() == sendBytes : endOfStream && outputShut;
        if (done && !closeCalled && failure() == null) {
            closeCalled = true;
            sockets.close(connection);
        }
    }

    private void send() {
        if (refuses() && received < refuseAfter) return; // the answer follows what it answers
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
        if (!outputShut && !refuses()) {
            outputShut = true;
            sockets.shutdownOutput(connection);
        }
    }

    private void receive() {
        while (!endOfStream && failure() == null && !pace.pausing() && (!refuses() || received < refuseAfter)) {
            in.clear();
            pace.limit(in);
            if (refuses()) in.limit((int) Math.min(in.limit(), refuseAfter - received));
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
            long pause = pace.consumed(n);
            if (pause > 0) host.after(pause, this::resume);
        }
    }

    private void resume() {
        pace.resumed();
        if (closeReason() != CloseReason.CLOSED || failure() != null) {
            schedulePump();
            return;
        }
        // Ended in order while this reader paused (TIME-WAIT ended): what arrived stays
        // readable, but no event pumps a closed connection.
        receive();
        closeIfDone();
    }

    long received() {
        return received;
    }

    @Override
    boolean isDone() {
        return closeCalled && failure() == null && received == (refuses() ? refuseAfter : expectBytes);
    }

    @Override
    public String toString() {
        return "BulkService[" + connection.tuple() + " sent " + (generated - out.remaining()) + "/" + sendBytes + ", received "
                + received + "/" + expectBytes + (endOfStream ? ", EOF" : "") + (isClosed() ? ", " + closeReason() : "")
                + (failure() == null ? "" : ", FAILED: " + failure()) + "]";
    }
}
