package io.fttcp.api.kernel;

import io.fttcp.api.StreamSocket;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;

/**
 * A {@link StreamSocket} over a {@link SocketChannel}.
 *
 * <p>{@code SocketChannel.read} ignores SO_TIMEOUT, so a blocking read with a timeout goes
 * through the channel's socket adaptor stream, which honours it (and parks virtual threads).
 */
final class KernelStreamSocket implements StreamSocket, KernelPollable {

    private final SocketChannel channel;
    private final InetSocketAddress remoteAddress;
    private volatile InetSocketAddress localAddress;
    private volatile int readTimeoutMillis;
    private InputStream timedInput;
    private byte[] scratch;

    KernelStreamSocket(SocketChannel channel, InetSocketAddress remoteAddress) {
        this.channel = channel;
        this.remoteAddress = remoteAddress;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        try {
            int timeout = readTimeoutMillis;
            if (timeout == 0 || !channel.isBlocking()) {
                return channel.read(dst);
            }
            return timedRead(dst, timeout);
        } catch (IOException e) {
            throw KernelErrors.translate(e, "read from " + remoteAddress);
        }
    }

    private int timedRead(ByteBuffer dst, int timeoutMillis) throws IOException {
        if (!dst.hasRemaining()) {
            return 0;
        }
        channel.socket().setSoTimeout(timeoutMillis);
        InputStream in = timedInput();
        if (dst.hasArray()) {
            int n = in.read(dst.array(), dst.arrayOffset() + dst.position(), dst.remaining());
            if (n > 0) {
                dst.position(dst.position() + n);
            }
            return n;
        }
        byte[] buf = scratch(dst.remaining());
        int n = in.read(buf, 0, Math.min(buf.length, dst.remaining()));
        if (n > 0) {
            dst.put(buf, 0, n);
        }
        return n;
    }

    private synchronized InputStream timedInput() throws IOException {
        if (timedInput == null) {
            timedInput = channel.socket().getInputStream();
        }
        return timedInput;
    }

    private byte[] scratch(int wanted) {
        if (scratch == null) {
            scratch = new byte[Math.min(Math.max(wanted, 4096), 64 * 1024)];
        }
        return scratch;
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        try {
            return channel.write(src);
        } catch (IOException e) {
            throw KernelErrors.translate(e, "write to " + remoteAddress);
        }
    }

    @Override
    public boolean finishConnect() throws IOException {
        try {
            return channel.finishConnect();
        } catch (IOException e) {
            throw KernelErrors.translate(e, "connect to " + remoteAddress);
        }
    }

    @Override
    public boolean isConnected() {
        return channel.isConnected();
    }

    @Override
    public void shutdownOutput() throws IOException {
        try {
            channel.shutdownOutput();
        } catch (IOException e) {
            throw KernelErrors.translate(e, "shutdown output to " + remoteAddress);
        }
    }

    @Override
    public void shutdownInput() throws IOException {
        try {
            channel.shutdownInput();
        } catch (IOException e) {
            throw KernelErrors.translate(e, "shutdown input from " + remoteAddress);
        }
    }

    @Override
    public void setReadTimeout(Duration timeout) {
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("read timeout must not be negative: " + timeout);
        }
        long millis = timeout.toMillis();
        if (millis == 0 && !timeout.isZero()) {
            millis = 1; // a sub-millisecond timeout must not turn into "wait forever"
        }
        readTimeoutMillis = (int) Math.min(millis, Integer.MAX_VALUE);
    }

    @Override
    public void setNoDelay(boolean noDelay) {
        setOption(StandardSocketOptions.TCP_NODELAY, noDelay);
    }

    @Override
    public void setKeepAlive(boolean keepAlive) {
        setOption(StandardSocketOptions.SO_KEEPALIVE, keepAlive);
    }

    private <T> void setOption(SocketOption<T> option, T value) {
        try {
            channel.setOption(option, value);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot set " + option.name() + " on " + this, e);
        }
    }

    @Override
    public InetSocketAddress localAddress() {
        InetSocketAddress local = localAddress;
        if (local == null) {
            try {
                local = (InetSocketAddress) channel.getLocalAddress();
            } catch (IOException e) {
                return null; // closed before it was ever asked
            }
            if (local != null && channel.isConnected()) {
                localAddress = local; // fixed once connected
            }
        }
        return local;
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return remoteAddress;
    }

    @Override
    public SelectableChannel channel() {
        return channel;
    }

    @Override
    public String toString() {
        return "kernel socket " + localAddress() + " -> " + remoteAddress;
    }
}
