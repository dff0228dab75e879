package io.fttcp.sim.stack;

import java.nio.ByteBuffer;

/**
 * The client side of a request-response exchange with an {@link EchoEndpoint}: sends one request
 * (the next {@code requestSizes[i]} bytes of a seeded {@link Pattern}), waits for the whole
 * response and checks it byte for byte, then sends the next; after the last it shuts its output
 * down, expects end of stream with nothing more, and closes.
 */
public final class RequestResponseClient extends ConnectionApp {
    private static final int CHUNK = 16 * 1024;

    private final Pattern pattern;
    private final int[] requestSizes;
    private final ByteBuffer out = ByteBuffer.allocate(CHUNK).flip();
    private final ByteBuffer in = ByteBuffer.allocate(CHUNK);
    private int round;
    /** Stream offset where the current request starts. */
    private long requestStart;
    private long generated;
    private long received;
    private boolean outputShut;
    private boolean endOfStream;
    private boolean closeCalled;

    public RequestResponseClient(Pattern pattern, int... requestSizes) {
        this.pattern = pattern;
        this.requestSizes = requestSizes.clone();
    }

    @Override
    protected void pump(long now) {
        while (round < requestSizes.length) {
            long requestEnd = requestStart + requestSizes[round];
            writeUpTo(requestEnd);
            if (!readUpTo(requestEnd)) {
                return;
            }
            round++;
            requestStart = requestEnd;
        }
        if (!outputShut) {
            outputShut = true;
            host.shutdownOutput(connection);
        }
        if (!endOfStream) {
            in.clear();
            int n = host.read(connection, in);
            if (n > 0) {
                fail("received " + n + " bytes after the last response");
                return;
            }
            endOfStream = n < 0;
        }
        if (endOfStream && !closeCalled) {
            closeCalled = true;
            host.close(connection);
        }
    }

    private void writeUpTo(long end) {
        while (generated - out.remaining() < end) {
            if (!out.hasRemaining()) {
                int n = (int) Math.min(CHUNK, end - generated);
                out.clear();
                pattern.fill(out, generated, n);
                out.flip();
                generated += n;
            }
            if (host.write(connection, out) == 0) {
                return;
            }
        }
    }

    /** Reads and checks response bytes up to stream offset {@code end}; whether all are in. */
    private boolean readUpTo(long end) {
        while (received < end) {
            in.clear().limit((int) Math.min(CHUNK, end - received));
            int n = host.read(connection, in);
            if (n < 0) {
                endOfStream = true;
                fail("end of stream in response " + round + " after " + received + " bytes");
                return false;
            }
            if (n == 0) {
                return false;
            }
            in.flip();
            long mismatch = pattern.firstMismatch(in, received);
            if (mismatch >= 0) {
                fail("response byte " + mismatch + " is " + in.get(in.position() + (int) (mismatch - received))
                        + ", expected " + pattern.byteAt(mismatch));
                return false;
            }
            received += n;
        }
        return true;
    }

    /** Requests whose responses arrived intact. */
    public int completedRounds() {
        return round;
    }

    public long received() {
        return received;
    }

    @Override
    public boolean isDone() {
        return closeCalled && failure() == null && round == requestSizes.length;
    }

    @Override
    public String toString() {
        return "RequestResponseClient[" + (connection == null ? "unconnected" : connection.tuple()) + " round " + round + "/"
                + requestSizes.length + ", received " + received + (endOfStream ? ", EOF" : "")
                + (isClosed() ? ", " + closeReason() : "") + (failure() == null ? "" : ", FAILED: " + failure()) + "]";
    }
}
