package io.fttcp.wrappers.nsw;

import io.fttcp.api.ListeningSocket;
import io.fttcp.api.Network;
import io.fttcp.api.PollKey;
import io.fttcp.api.Pollable;
import io.fttcp.api.Poller;
import io.fttcp.api.StreamSocket;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
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

        /** Something to read (bytes or the end of the stream). */
        synchronized boolean readable() {
            return incoming.size() > incomingRead || incomingEnded || closed;
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
        public Poller openPoller() {
            return new FakePoller();
        }
    }

    /** Polls fake sockets: readable sockets, listeners with a backlog, and every socket for writing, in registration order. */
    static final class FakePoller implements Poller {
        private final List<FakeKey> keys = new ArrayList<>();
        private final Set<PollKey> ready = new LinkedHashSet<>();
        private volatile boolean woken;

        final class FakeKey implements PollKey {
            final Pollable socket;
            volatile int interestOps;
            volatile int readyOps;
            final Object attachment;
            volatile boolean valid = true;

            FakeKey(Pollable socket, int interestOps, Object attachment) {
                this.socket = socket;
                this.interestOps = interestOps;
                this.attachment = attachment;
            }

            int readiness() {
                int ops = 0;
                if (socket instanceof Socket s && s.readable()) ops |= OP_READ;
                if (socket instanceof Socket) ops |= OP_WRITE;
                if (socket instanceof Listener l && !l.backlog.isEmpty()) ops |= OP_ACCEPT;
                return ops & interestOps;
            }

            @Override
            public Pollable socket() {
                return socket;
            }

            @Override
            public int interestOps() {
                return interestOps;
            }

            @Override
            public void interestOps(int ops) {
                interestOps = ops;
            }

            @Override
            public int readyOps() {
                return readyOps;
            }

            @Override
            public Object attachment() {
                return attachment;
            }

            @Override
            public void cancel() {
                valid = false;
            }

            @Override
            public boolean isValid() {
                return valid && socket.isOpen();
            }
        }

        @Override
        public synchronized PollKey register(Pollable socket, int interestOps, Object attachment) {
            FakeKey key = new FakeKey(socket, interestOps, attachment);
            keys.add(key);
            return key;
        }

        @Override
        public int poll(Duration timeout) throws IOException {
            long deadline = System.nanoTime() + timeout.toNanos(); // Duration.ZERO: do not wait (Poller's contract)
            while (true) {
                synchronized (this) {
                    ready.clear();
                    for (FakeKey k : keys) {
                        int ops = k.isValid() ? k.readiness() : 0;
                        if (ops != 0) {
                            k.readyOps = ops;
                            ready.add(k);
                        }
                    }
                    if (!ready.isEmpty() || woken || System.nanoTime() >= deadline) {
                        woken = false;
                        return ready.size();
                    }
                }
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    throw new java.io.InterruptedIOException();
                }
            }
        }

        @Override
        public Set<PollKey> readyKeys() {
            return ready;
        }

        @Override
        public void wakeup() {
            woken = true;
        }

        @Override
        public void close() {
        }
    }
}
