package io.fttcp.wrappers.nsw;

import io.fttcp.api.ListeningSocket;
import io.fttcp.api.Network;
import io.fttcp.api.Poller;
import io.fttcp.api.StreamSocket;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** In-memory stand-ins for the sockets takeover restores: what the application writes is kept, what the test pushes is read. */
final class FakeLive {

    private FakeLive() {
    }

    static final class Socket implements StreamSocket {
        final ByteArrayOutputStream written = new ByteArrayOutputStream();
        private final ByteArrayOutputStream incoming = new ByteArrayOutputStream();
        private int incomingRead;
        private boolean incomingEnded;
        boolean blocking = true;
        boolean outputShut;
        boolean closed;
        Duration readTimeout = Duration.ZERO;
        Boolean noDelay;
        private final InetSocketAddress local;
        private final InetSocketAddress remote;

        Socket() {
            this(null, null);
        }

        /** A socket that knows its addresses (what a listener's accept() must name). */
        Socket(InetSocketAddress local, InetSocketAddress remote) {
            this.local = local;
            this.remote = remote;
        }

        synchronized void push(byte[] bytes) {
            incoming.writeBytes(bytes);
            notifyAll();
        }

        synchronized void pushEnd() {
            incomingEnded = true;
            notifyAll();
        }

        synchronized byte[] written() {
            return written.toByteArray();
        }

        @Override
        public synchronized int read(ByteBuffer dst) throws IOException {
            while (true) {
                if (closed) {
                    throw new ClosedChannelException();
                }
                byte[] all = incoming.toByteArray();
                if (all.length > incomingRead) {
                    int n = Math.min(dst.remaining(), all.length - incomingRead);
                    dst.put(all, incomingRead, n);
                    incomingRead += n;
                    return n;
                }
                if (incomingEnded) {
                    return -1;
                }
                if (!blocking) {
                    return 0;
                }
                try {
                    wait();
                } catch (InterruptedException e) {
                    throw new java.io.InterruptedIOException();
                }
            }
        }

        @Override
        public synchronized int write(ByteBuffer src) throws IOException {
            if (closed || outputShut) {
                throw new ClosedChannelException();
            }
            int n = src.remaining();
            byte[] b = new byte[n];
            src.get(b);
            written.writeBytes(b);
            return n;
        }

        @Override
        public boolean finishConnect() {
            return true;
        }

        @Override
        public boolean isConnected() {
            return true;
        }

        @Override
        public synchronized void shutdownOutput() {
            outputShut = true;
        }

        @Override
        public void shutdownInput() {
        }

        @Override
        public void setReadTimeout(Duration timeout) {
            readTimeout = timeout;
        }

        @Override
        public void setNoDelay(boolean on) {
            noDelay = on;
        }

        @Override
        public void setKeepAlive(boolean on) {
        }

        @Override
        public InetSocketAddress localAddress() {
            return local;
        }

        @Override
        public InetSocketAddress remoteAddress() {
            return remote;
        }

        @Override
        public void configureBlocking(boolean on) {
            blocking = on;
        }

        @Override
        public boolean isBlocking() {
            return blocking;
        }

        @Override
        public synchronized boolean isOpen() {
            return !closed;
        }

        @Override
        public synchronized void close() {
            closed = true;
            outputShut = true;
            notifyAll();
        }
    }

    static final class Listener implements ListeningSocket {
        final LinkedBlockingQueue<StreamSocket> backlog = new LinkedBlockingQueue<>();
        final InetSocketAddress local;
        volatile boolean closed;

        Listener(InetSocketAddress local) {
            this.local = local;
        }

        @Override
        public StreamSocket accept() throws IOException {
            try {
                while (!closed) {
                    StreamSocket s = backlog.poll(10, TimeUnit.MILLISECONDS);
                    if (s != null) {
                        return s;
                    }
                }
                throw new ClosedChannelException();
            } catch (InterruptedException e) {
                throw new java.io.InterruptedIOException();
            }
        }

        @Override
        public InetSocketAddress localAddress() {
            return local;
        }

        @Override
        public void configureBlocking(boolean blocking) {
        }

        @Override
        public boolean isBlocking() {
            return true;
        }

        @Override
        public boolean isOpen() {
            return !closed;
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    static final class Net implements Network {
        final List<Listener> listeners = new ArrayList<>();

        @Override
        public synchronized ListeningSocket listen(InetSocketAddress local, int backlog) {
            Listener l = new Listener(local);
            listeners.add(l);
            return l;
        }

        @Override
        public StreamSocket connect(InetSocketAddress remote) throws IOException {
            throw new IOException("no outbound connections in this test");
        }

        @Override
        public StreamSocket openConnection(InetSocketAddress remote) throws IOException {
            throw new IOException("no outbound connections in this test");
        }

        @Override
        public Poller openPoller() throws IOException {
            throw new IOException("no pollers in this test");
        }
    }
}
