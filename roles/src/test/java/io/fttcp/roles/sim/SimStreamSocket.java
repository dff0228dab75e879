package io.fttcp.roles.sim;

import io.fttcp.api.ConnectionResetException;
import io.fttcp.api.StreamSocket;
import io.fttcp.sim.stack.SimStackHost;
import io.fttcp.stack.host.Connection;
import io.fttcp.stack.tcp.CloseReason;
import io.fttcp.stack.tcp.TcpConnection;
import io.fttcp.stack.tcp.TcpEvents;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;

/**
 * The application-facing socket of one connection of a simulated stack host: never blocks
 * (nothing may block the simulation's one thread), so read() returns 0 when nothing is there and
 * write() what fits. Every event of the connection runs {@code onEvent} (the application pumps
 * then). A reset connection fails writes, and reads once what came before the reset is read
 * (unless the peer's FIN came first: end of stream), with {@link ConnectionResetException}.
 */
final class SimStreamSocket implements StreamSocket {
    private final SimStackHost host;
    private final Connection connection;
    private boolean closed;
    private CloseReason closeReason;

    SimStreamSocket(SimStackHost host, Connection connection, Runnable onEvent) {
        this.host = host;
        this.connection = connection;
        connection.setEvents(new TcpEvents() {
            @Override
            public void onEstablished(TcpConnection c) {
                onEvent.run();
            }

            @Override
            public void onReadable(TcpConnection c) {
                onEvent.run();
            }

            @Override
            public void onWritable(TcpConnection c) {
                onEvent.run();
            }

            @Override
            public void onClosed(TcpConnection c, CloseReason reason) {
                closeReason = reason;
                onEvent.run();
            }
        });
    }

    Connection connection() {
        return connection;
    }

    /** How the stack ended the connection, or null while it lives. */
    CloseReason closeReason() {
        return closeReason;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        checkOpen();
        int n = host.read(connection, dst);
        if (n > 0 || !dst.hasRemaining()) return n; // what arrived before a reset first, as the runtime's socket (and Linux)
        if (n < 0) return n; // the peer's FIN, even if a reset followed: end of stream, as the runtime's socket (and Linux)
        failIfReset();
        return n;
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        checkOpen();
        failIfReset();
        return host.write(connection, src);
    }

    private void checkOpen() throws ClosedChannelException {
        if (closed) throw new ClosedChannelException();
    }

    private void failIfReset() throws ConnectionResetException {
        if (closeReason != null && closeReason != CloseReason.CLOSED) {
            throw new ConnectionResetException(connection.tuple() + ": " + closeReason);
        }
    }

    @Override
    public boolean finishConnect() {
        return true;
    }

    @Override
    public boolean isConnected() {
        return !closed;
    }

    @Override
    public void shutdownOutput() throws IOException {
        checkOpen();
        host.shutdownOutput(connection);
    }

    @Override
    public void shutdownInput() {
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        host.close(connection);
    }

    /** An RST to the client, nothing more sent (the takeover's binding resets a connection found diverged after takeover). */
    void abort() {
        closed = true;
        host.call(() -> connection.abort(host.now()));
    }

    @Override
    public void setReadTimeout(Duration timeout) {
    }

    @Override
    public void setNoDelay(boolean noDelay) {
        host.call(() -> connection.setNagle(!noDelay, host.now()));
    }

    @Override
    public void setKeepAlive(boolean keepAlive) {
        host.call(() -> connection.setKeepalive(keepAlive, host.now()));
    }

    @Override
    public void configureBlocking(boolean blocking) throws IOException {
        if (blocking) throw new IOException("a simulated socket cannot block: the simulation has one thread");
    }

    @Override
    public boolean isBlocking() {
        return false;
    }

    @Override
    public boolean isOpen() {
        return !closed;
    }

    @Override
    public InetSocketAddress localAddress() {
        return address(connection.tuple().localAddress(), connection.tuple().localPort());
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return address(connection.tuple().remoteAddress(), connection.tuple().remotePort());
    }

    static InetSocketAddress address(int a, int port) {
        try {
            return new InetSocketAddress(InetAddress.getByAddress(new byte[] {(byte) (a >>> 24), (byte) (a >>> 16), (byte) (a >>> 8), (byte) a}), port);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    static int address(InetSocketAddress a) {
        byte[] b = a.getAddress().getAddress();
        return (b[0] & 0xFF) << 24 | (b[1] & 0xFF) << 16 | (b[2] & 0xFF) << 8 | (b[3] & 0xFF);
    }

    @Override
    public String toString() {
        return "sim socket " + connection.tuple() + (closeReason != null ? " " + closeReason : "");
    }
}
