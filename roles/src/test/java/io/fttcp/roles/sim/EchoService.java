package io.fttcp.roles.sim;

import java.nio.ByteBuffer;

/** Writes back everything it reads, in order; closes after end of stream and the last byte. */
final class EchoService extends ServiceApp {
    private final ByteBuffer pending = ByteBuffer.allocate(16 * 1024).flip();
    private long echoed;
    private boolean endOfStream, closeCalled;

    @Override
    protected void pump() {
        while (true) {
            if (pending.hasRemaining()) {
                echoed += sockets.write(connection, pending);
                if (pending.hasRemaining()) return; // onWritable brings us back
            }
            if (endOfStream) break;
            pending.clear();
            int n = sockets.read(connection, pending);
            pending.flip();
            if (n < 0) endOfStream = true;
            else if (n == 0) return;
        }
        if (!closeCalled) {
            closeCalled = true;
            sockets.close(connection);
        }
    }

    /** Bytes written back so far. */
    long echoed() {
        return echoed;
    }

    @Override
    boolean isDone() {
        return closeCalled;
    }

    @Override
    public String toString() {
        return "EchoService[" + connection.tuple() + " echoed " + echoed + (endOfStream ? ", EOF" : "")
                + (isClosed() ? ", " + closeReason() : "") + "]";
    }
}
