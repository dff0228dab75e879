package io.fttcp.sim.stack;

import java.nio.ByteBuffer;

/**
 * The server side of an echo service: writes back everything it reads, in order, reading no
 * more while a chunk waits for send-buffer space; at end of stream it closes after the last byte.
 */
public final class EchoEndpoint extends ConnectionApp {
    private final ByteBuffer pending;
    private long echoed;
    private boolean endOfStream;
    private boolean closeCalled;

    public EchoEndpoint() {
        this(16 * 1024);
    }

    public EchoEndpoint(int bufferBytes) {
        pending = ByteBuffer.allocate(bufferBytes).flip();
    }

    @Override
    protected void pump(long now) {
        while (true) {
            if (pending.hasRemaining()) {
                echoed += host.write(connection, pending);
                if (pending.hasRemaining()) {
                    return; // onWritable brings us back
                }
            }
            if (endOfStream) {
                break;
            }
            pending.clear();
            int n = host.read(connection, pending);
            pending.flip();
            if (n < 0) {
                endOfStream = true;
            } else if (n == 0) {
                return;
            }
        }
        if (!closeCalled) {
            closeCalled = true;
            host.close(connection);
        }
    }

    public long echoed() {
        return echoed;
    }

    @Override
    public boolean isDone() {
        return closeCalled;
    }

    @Override
    public String toString() {
        return "EchoEndpoint[" + (connection == null ? "unconnected" : connection.tuple()) + " echoed " + echoed
                + (endOfStream ? ", EOF" : "") + (isClosed() ? ", " + closeReason() : "") + "]";
    }
}
