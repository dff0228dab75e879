package io.fttcp.roles.sim;

import io.fttcp.api.StreamSocket;
import io.fttcp.replication.record.Close;
import io.fttcp.replication.record.Read;
import io.fttcp.replication.record.Record;
import io.fttcp.replication.record.Write;
import io.fttcp.sim.stack.Pattern;
import io.fttcp.stack.tcp.FourTuple;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.function.LongSupplier;

/**
 * The backup's copy of one connection's server application ({@link BulkService} or
 * {@link EchoService}, same behaviour), written on the application-facing socket API so that
 * it runs on the backup's north-side wrapper ({@code ReplayNetwork}): before takeover it makes
 * exactly the calls the primary's logged determinants replay (each READ and WRITE record of its
 * connection, in log order; the application never blocks, so it calls only when the record is
 * there), after takeover it carries on against the live socket the wrapper switched to.
 *
 * <p>A <em>nondeterministic</em> copy produces different output bytes (another pattern): the
 * divergence rule must catch it.
 */
final class BackupService {
    private static final int CHUNK = 64 * 1024;

    final FourTuple tuple;
    private final StreamSocket socket;
    private final Transfers.Plan plan;
    private final ArrayDeque<Record> determinants;
    private final LongSupplier loggedClientBytes;
    private final Pattern sendPattern, expectPattern;
    private final ByteBuffer in = ByteBuffer.allocate(CHUNK);
    private final ByteBuffer out = ByteBuffer.allocate(CHUNK);
    /** Echo: bytes read, not yet written back (write mode). */
    private final ByteBuffer echo = ByteBuffer.allocate(4 * CHUNK);
    private long written, received;
    private boolean endOfStream, outputShut, closeCalled;
    private boolean live;
    private String failure;
    private IOException resetBy;

    /**
     * @param determinants      this connection's READ, WRITE and CLOSE records not yet replayed, in log order (shared with the feeder)
     * @param loggedClientBytes the client bytes of this connection the backup has received (contiguous), for a READ's precondition
     */
    BackupService(FourTuple tuple, StreamSocket socket, Transfers.Plan plan, ArrayDeque<Record> determinants,
                  LongSupplier loggedClientBytes, boolean nondeterministic, boolean live) throws IOException {
        this.tuple = tuple;
        this.socket = socket;
        this.plan = plan;
        this.determinants = determinants;
        this.loggedClientBytes = loggedClientBytes;
        this.live = live;
        this.sendPattern = new Pattern(nondeterministic ? ~plan.downSeed() : plan.downSeed());
        this.expectPattern = new Pattern(plan.upSeed());
        socket.configureBlocking(false);
    }

    private boolean isEcho() {
        return plan.requests() != null;
    }

    /** Before the refusal point of a refusing plan: the answer waits, the reads may go on. */
    private boolean beforeRefusal() {
        return plan.refuses() && received < plan.refuseAfter();
    }

    /** After takeover: from now on the socket is live. */
    void goLive() {
        live = true;
    }

    /** Makes every call possible now; never blocks. */
    void pump() {
        if (failure != null || resetBy != null || closeCalled && determinants.isEmpty()) return;
        try {
            if (live) pumpLive();
            else replay();
            finish();
        } catch (IOException e) {
            resetBy = e; // a reset connection (the divergence rule) or a refused call: the application gives it up
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing a failed socket: nothing more to do
            }
        }
    }

    /** Replays the logged determinants, in order, as far as they have arrived. */
    private void replay() throws IOException {
        Record next;
        while ((next = determinants.peek()) != null) {
            switch (next) {
                case Read r -> {
                    if (r.count() > 0 && loggedClientBytes.getAsLong() < received + r.count()) {
                        fail("READ of " + r.count() + " at offset " + received + " before the backup has those client bytes ("
                                + loggedClientBytes.getAsLong() + ")");
                        return;
                    }
                    in.clear().limit(Math.max(0, r.count()));
                    int n = socket.read(in);
                    if (n != r.count()) fail("replayed read returned " + n + " where the log says " + r.count());
                    consume(n);
                }
                case Write w -> {
                    int n = writeNext(w.count());
                    if (n != w.count()) fail("replayed write accepted " + n + " where the log says " + w.count());
                }
                case Close c -> { } // the application's own close is deterministic
                default -> throw new IllegalStateException("not a determinant: " + next);
            }
            determinants.poll();
            if (failure != null) return;
            finish();
        }
    }

    private void pumpLive() throws IOException {
        while (!endOfStream && failure == null) {
            in.clear();
            if (isEcho()) in.limit(Math.min(in.capacity(), echo.remaining()));
            if (plan.refuses()) in.limit((int) Math.min(in.capacity(), plan.refuseAfter() - received));
            if (!in.hasRemaining()) break;
            int n = socket.read(in);
            consume(n);
            if (n == 0) break;
            if (isEcho()) flushEcho();
        }
        if (isEcho()) {
            flushEcho();
        } else if (!beforeRefusal()) {
            while (written < plan.downBytes()) {
                if (writeNext(CHUNK) == 0) break;
            }
        }
    }

    private void flushEcho() throws IOException {
        while (echo.position() > 0) {
            if (writeNext(echo.position()) == 0) break;
        }
    }

    /** Processes {@code n} bytes just read into {@code in} (or end of stream). */
    private void consume(int n) {
        if (n < 0) {
            endOfStream = true;
            if (!isEcho() && received != plan.upBytes()) fail("end of stream after " + received + " of " + plan.upBytes() + " bytes");
            return;
        }
        if (n == 0) return;
        in.flip();
        if (isEcho()) {
            echo.put(in);
        } else {
            if (received + n > plan.upBytes()) {
                fail("received " + (received + n) + " bytes, expected only " + plan.upBytes());
                return;
            }
            long mismatch = expectPattern.firstMismatch(in, received);
            if (mismatch >= 0) fail("byte " + mismatch + " of the upload differs from the client's");
        }
        received += n;
    }

    /** Writes up to {@code max} next output bytes; returns how many the socket took. */
    private int writeNext(int max) throws IOException {
        ByteBuffer src;
        if (isEcho()) {
            echo.flip();
            src = echo.slice(0, Math.min(max, echo.remaining()));
        } else {
            int len = (int) Math.min(Math.min(max, CHUNK), plan.downBytes() - written);
            out.clear();
            sendPattern.fill(out, written, len);
            out.flip();
            src = out;
        }
        int n = socket.write(src);
        if (isEcho()) { // the slice moved, not the buffer
            echo.position(n);
            echo.compact();
        }
        written += n;
        return n;
    }

    /** Shuts down and closes exactly when the primary's application does. */
    private void finish() throws IOException {
        if (isEcho()) {
            if (endOfStream && echo.position() == 0 && !closeCalled) {
                closeCalled = true;
                socket.close();
            }
            return;
        }
        if (plan.refuses()) {
            if (received == plan.refuseAfter() && written == plan.downBytes() && !closeCalled && failure == null) {
                closeCalled = true;
                socket.close(); // the rest of the input unread
            }
            return;
        }
        if (written == plan.downBytes() && !outputShut) {
            outputShut = true;
            socket.shutdownOutput();
        }
        if (endOfStream && outputShut && !closeCalled && failure == null) {
            closeCalled = true;
            socket.close();
        }
    }

    private void fail(String what) {
        if (failure == null) failure = what + " on the backup's " + tuple;
    }

    /** Output bytes the application has written. */
    long written() {
        return written;
    }

    String failure() {
        return failure;
    }

    /** The connection failed under the application (reset at takeover), or null. */
    IOException resetBy() {
        return resetBy;
    }

    boolean isDone() {
        return closeCalled && failure == null && resetBy == null
                && (isEcho() || received == (plan.refuses() ? plan.refuseAfter() : plan.upBytes()));
    }

    @Override
    public String toString() {
        return "BackupService[" + tuple + (isEcho() ? " echo" : " bulk") + ", wrote " + written + ", read " + received
                + (endOfStream ? ", EOF" : "") + (outputShut ? ", shut" : "") + (closeCalled ? ", closed" : "") + (live ? ", live" : "")
                + ", " + determinants.size() + " determinants pending" + (failure != null ? ", FAILED: " + failure : "")
                + (resetBy != null ? ", reset: " + resetBy.getMessage() : "") + "]";
    }
}
