package io.fttcp.stack.socket;

import io.fttcp.api.ConnectionResetException;
import io.fttcp.api.Poller;
import io.fttcp.api.StreamSocket;
import io.fttcp.stack.host.Connection;
import io.fttcp.stack.tcp.CloseReason;
import io.fttcp.stack.tcp.FourTuple;
import io.fttcp.stack.tcp.TcpConnection;
import io.fttcp.stack.tcp.TcpEvents;
import io.fttcp.stack.tcp.TcpState;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.NoConnectionPendingException;
import java.time.Duration;

/** A connected (or connecting) socket of the user-space stack. */
final class StackStreamSocket extends StackPollable implements StreamSocket, TcpEvents {
    private Connection conn;
    private volatile boolean connected;
    /** finishConnect returned true: OP_CONNECT is no longer ready. */
    private boolean connectFinished;
    private boolean outputShutdown;
    private boolean inputShutdown;
    private CloseReason endReason;
    private volatile long readTimeoutNanos;

    StackStreamSocket(StackNetwork net) {
        super(net);
    }

    void attach(Connection c, boolean alreadyEstablished) {
        this.conn = c;
        this.connected = alreadyEstablished || c.tcp().isEstablished();
        this.connectFinished = alreadyEstablished;
        c.setEvents(this);
        // It may have ended before anyone held a socket for it (a reset while it waited to be
        // accepted): reads then say so, like Linux's ECONNRESET on a reset accepted connection.
        endReason = c.closeReason();
        // A restored connection may already have shut down its output (FIN_WAIT_1/2, LAST_ACK):
        // writes then fail like after shutdownOutput, not with the core's IllegalStateException.
        outputShutdown = c.tcp().isOutputShutdown();
    }

    // ---- events from the connection (lock held) ----------------------------------------------

    @Override
    public void onEstablished(TcpConnection c) {
        connected = true;
        signalChange();
    }

    @Override
    public void onReadable(TcpConnection c) {
        signalChange();
    }

    @Override
    public void onWritable(TcpConnection c) {
        signalChange();
    }

    @Override
    public void onClosed(TcpConnection c, CloseReason reason) {
        endReason = reason;
        signalChange();
    }

    // ---- API ---------------------------------------------------------------------------------

    @Override
    public int read(ByteBuffer dst) throws IOException {
        var lock = net.loop.lock();
        lock.lock();
        try {
            ensureOpen();
            ensureConnected();
            if (inputShutdown) return -1;
            long deadline = readTimeoutNanos == 0 ? Long.MAX_VALUE : net.loop.now() + readTimeoutNanos;
            while (true) {
                int n = conn.read(dst, net.loop.now());
                if (n > 0 || !dst.hasRemaining()) { // what arrived before a reset first, as on Linux
                    net.loop.timersChanged();
                    return n;
                }
                // The peer's FIN, even if a reset or a timeout followed it: end of stream, as on Linux
                // (its read checks for the FIN before the error); a write reports the error.
                if (n < 0) return -1;
                failIfReset();
                if (endReason != null) return -1; // closed without a FIN or an error: end of stream
                if (!blocking) return 0;
                ensureMayBlock();
                if (deadline == Long.MAX_VALUE) {
                    changed.await();
                } else {
                    long left = deadline - net.loop.now();
                    if (left <= 0) throw new SocketTimeoutException("read timed out after " + Duration.ofNanos(readTimeoutNanos).toMillis() + " ms");
                    changed.awaitNanos(left);
                }
                ensureOpen();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("read interrupted");
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        var lock = net.loop.lock();
        lock.lock();
        try {
            ensureOpen();
            ensureConnected();
            if (outputShutdown) throw new ClosedChannelException();
            int total = 0;
            while (src.hasRemaining()) {
                failIfReset();
                if (endReason != null) throw new IOException("broken pipe: connection " + conn.tuple() + " is closed");
                int n = conn.write(src, net.loop.now());
                total += n;
                if (n > 0) net.loop.timersChanged();
                if (!blocking) break;
                if (src.hasRemaining() && n == 0) {
                    ensureMayBlock();
                    changed.await();
                    ensureOpen();
                }
            }
            return total;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("write interrupted");
        } finally {
            lock.unlock();
        }
    }

    void awaitConnected() throws IOException {
        var lock = net.loop.lock();
        lock.lock();
        try {
            ensureMayBlock();
            while (!finishConnect()) changed.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("connect interrupted");
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean finishConnect() throws IOException {
        var lock = net.loop.lock();
        lock.lock();
        try {
            ensureOpen();
            if (conn == null) throw new NoConnectionPendingException();
            if (connected) {
                connectFinished = true;
                return true;
            }
            if (endReason != null) {
                String to = FourTuple.dotted(conn.tuple().remoteAddress()) + ":" + conn.tuple().remotePort();
                throw new ConnectException(switch (endReason) {
                    case REFUSED, RESET_BY_PEER -> "connection refused by " + to;
                    case TIMED_OUT -> "connection to " + to + " timed out";
                    default -> "connection to " + to + " failed: " + endReason;
                });
            }
            return false;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean isConnected() {
        return connected && !closed;
    }

    @Override
    public void shutdownOutput() throws IOException {
        var lock = net.loop.lock();
        lock.lock();
        try {
            ensureOpen();
            ensureConnected();
            if (outputShutdown) return;
            outputShutdown = true;
            if (endReason == null) {
                conn.shutdownOutput(net.loop.now());
                net.loop.timersChanged();
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void shutdownInput() throws IOException {
        var lock = net.loop.lock();
        lock.lock();
        try {
            ensureOpen();
            ensureConnected();
            inputShutdown = true;
            signalChange();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void setReadTimeout(Duration timeout) {
        if (timeout.isNegative()) throw new IllegalArgumentException("negative read timeout: " + timeout);
        long nanos;
        try {
            nanos = timeout.toNanos();
        } catch (ArithmeticException e) {
            nanos = 0; // centuries: the same as no timeout
        }
        readTimeoutNanos = nanos;
    }

    @Override
    public void setNoDelay(boolean noDelay) {
        var lock = net.loop.lock();
        lock.lock();
        try {
            conn.setNagle(!noDelay, net.loop.now());
            net.loop.timersChanged();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void setKeepAlive(boolean keepAlive) {
        var lock = net.loop.lock();
        lock.lock();
        try {
            conn.setKeepalive(keepAlive, net.loop.now());
            net.loop.timersChanged();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public InetSocketAddress localAddress() {
        FourTuple t = conn.tuple();
        return StackNetwork.toAddress(t.localAddress(), t.localPort());
    }

    @Override
    public InetSocketAddress remoteAddress() {
        FourTuple t = conn.tuple();
        return StackNetwork.toAddress(t.remoteAddress(), t.remotePort());
    }

    @Override
    public void close() {
        var lock = net.loop.lock();
        lock.lock();
        try {
            if (closed) return;
            closed = true;
            forgetSocket();
            cancelKeys();
            if (endReason == null && conn.state() != TcpState.CLOSED) {
                conn.close(net.loop.now());
                net.loop.timersChanged();
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    @Override
    void networkClosed() {
        if (endReason == null) endReason = CloseReason.ABORTED;
        signalChange();
    }

    /** The host's connection behind this socket (repair and the wrappers use it). */
    Connection connection() {
        return conn;
    }

    @Override
    int readyOps() {
        int ops = 0;
        if (!connected) {
            return endReason != null ? Poller.OP_CONNECT : 0;
        }
        TcpConnection t = conn.tcp();
        if (inputShutdown || endReason != null || t.readableBytes() > 0 || t.isEndOfStream()) ops |= Poller.OP_READ;
        if (endReason != null || outputShutdown || t.writableBytes() > 0) ops |= Poller.OP_WRITE;
        return connectFinished ? ops : ops | Poller.OP_CONNECT;
    }

    private void ensureConnected() throws IOException {
        if (!connected) {
            if (endReason != null) finishConnect();
            throw new java.nio.channels.NotYetConnectedException();
        }
    }

    private void failIfReset() throws ConnectionResetException {
        if (endReason == CloseReason.RESET_BY_PEER) throw new ConnectionResetException("connection reset by peer: " + conn.tuple());
        if (endReason == CloseReason.TIMED_OUT) throw new ConnectionResetException("connection timed out: " + conn.tuple());
        if (endReason == CloseReason.ABORTED) throw new ConnectionResetException("connection aborted: " + conn.tuple());
    }
}
