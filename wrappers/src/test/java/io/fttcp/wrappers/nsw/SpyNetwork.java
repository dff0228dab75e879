package io.fttcp.wrappers.nsw;

import io.fttcp.api.ListeningSocket;
import io.fttcp.api.Network;
import io.fttcp.api.PollKey;
import io.fttcp.api.Pollable;
import io.fttcp.api.Poller;
import io.fttcp.api.StreamSocket;
import io.fttcp.replication.record.Connect;
import io.fttcp.replication.record.Segment;
import io.fttcp.stack.tcp.FourTuple;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Sits under the {@link LoggingNetwork} (over the kernel's sockets) and plays the south side:
 * logs CONNECT when a connection is accepted and SEGMENT records carrying the bytes a read is
 * about to return (split randomly, duplicated, overlapped and reordered, seeded), before the
 * wrapper logs ACCEPT or READ. It also makes reads and writes randomly partial, and notes the
 * stack's writes and FINs in the recorder's timeline.
 */
final class SpyNetwork implements Network {

    static final int FLAG_FIN = 0x01;
    static final int FLAG_PSH = 0x08;
    static final int FLAG_ACK = 0x10;

    /** What one connection's client sent and server wrote, as the spy saw it. */
    static final class Connection {
        final FourTuple tuple;
        final int clientIsn;
        final int serverIsn;
        final ByteArrayOutputStream clientBytes = new ByteArrayOutputStream();
        final ByteArrayOutputStream serverBytes = new ByteArrayOutputStream();
        long acked;
        int tsVal = 1000;

        Connection(FourTuple tuple, int clientIsn, int serverIsn) {
            this.tuple = tuple;
            this.clientIsn = clientIsn;
            this.serverIsn = serverIsn;
        }

        synchronized byte[] server() {
            return serverBytes.toByteArray();
        }

        synchronized byte[] client() {
            return clientBytes.toByteArray();
        }
    }

    private final Network kernel;
    private final PrimaryRecorder recorder;
    private final SplittableRandom random;
    private final boolean partial;
    private final boolean acks;
    final Map<FourTuple, Connection> connections = new ConcurrentHashMap<>();

    /**
     * @param partial reads and writes handle a random part of the buffer
     * @param acks    segments acknowledge a random, growing part of what the server wrote
     */
    SpyNetwork(Network kernel, PrimaryRecorder recorder, long seed, boolean partial, boolean acks) {
        this.kernel = kernel;
        this.recorder = recorder;
        this.random = new SplittableRandom(seed);
        this.partial = partial;
        this.acks = acks;
    }

    private synchronized int nextInt(int bound) {
        return random.nextInt(bound);
    }

    private synchronized long nextLong() {
        return random.nextLong();
    }

    @Override
    public ListeningSocket listen(InetSocketAddress local, int backlog) throws IOException {
        ListeningSocket inner = kernel.listen(local, backlog);
        return new SpyListener() {
            @Override
            public Pollable unwrap() {
                return inner;
            }

            @Override
            public StreamSocket accept() throws IOException {
                StreamSocket s = inner.accept();
                if (s == null) {
                    return null;
                }
                FourTuple tuple = SocketNames.connection(s.localAddress(), s.remoteAddress());
                Connection c = new Connection(tuple, (int) nextLong(), (int) nextLong());
                connections.put(tuple, c);
                recorder.append(new Connect(tuple, c.clientIsn, c.serverIsn, 1460, 1460, 7, 7, true, true, 5000, 900, 65535));
                return new Spy(s, c);
            }

            @Override
            public InetSocketAddress localAddress() {
                return inner.localAddress();
            }

            @Override
            public void configureBlocking(boolean blocking) throws IOException {
                inner.configureBlocking(blocking);
            }

            @Override
            public boolean isBlocking() {
                return inner.isBlocking();
            }

            @Override
            public boolean isOpen() {
                return inner.isOpen();
            }

            @Override
            public void close() throws IOException {
                inner.close();
            }
        };
    }

    @Override
    public StreamSocket connect(InetSocketAddress remote) throws IOException {
        return kernel.connect(remote);
    }

    @Override
    public StreamSocket openConnection(InetSocketAddress remote) throws IOException {
        return kernel.openConnection(remote);
    }

    /** The spy's sockets, which its poller unwraps to the kernel's. */
    interface Wrapped {
        Pollable unwrap();
    }

    private interface SpyListener extends ListeningSocket, Wrapped {
    }

    /** The kernel's poller, polling the kernel sockets under the spy's. */
    @Override
    public Poller openPoller() throws IOException {
        Poller poller = kernel.openPoller();
        return new Poller() {
            @Override
            public PollKey register(Pollable socket, int interestOps, Object attachment) throws IOException {
                return poller.register(((Wrapped) socket).unwrap(), interestOps, attachment);
            }

            @Override
            public int poll(Duration timeout) throws IOException {
                return poller.poll(timeout);
            }

            @Override
            public Set<PollKey> readyKeys() {
                return poller.readyKeys();
            }

            @Override
            public void wakeup() {
                poller.wakeup();
            }

            @Override
            public void close() throws IOException {
                poller.close();
            }
        };
    }

    /** Random segments covering {@code data} at stream offset {@code offset}, with duplicates and overlaps, shuffled. */
    private void logSegments(Connection c, long offset, byte[] data) {
        byte[] all;
        synchronized (c) {
            all = c.clientBytes.toByteArray();
        }
        List<long[]> pieces = new ArrayList<>(); // {start, end} stream offsets
        long at = offset;
        long end = offset + data.length;
        while (at < end) {
            long length = Math.min(end - at, 1 + nextInt(1500));
            pieces.add(new long[] {at, at + length});
            if (nextInt(4) == 0) { // a duplicate, or an overlap reaching back into earlier bytes
                long back = Math.min(at, nextInt(700));
                pieces.add(new long[] {at - back, at + length});
            }
            at += length;
        }
        Collections.shuffle(pieces, new Random(nextLong()));
        for (long[] p : pieces) {
            byte[] payload = java.util.Arrays.copyOfRange(all, (int) p[0], (int) p[1]);
            recorder.append(segment(c, p[0], FLAG_ACK | FLAG_PSH, payload));
        }
    }

    private Segment segment(Connection c, long offset, int flags, byte[] payload) {
        int ack;
        synchronized (c) {
            if (acks) {
                long written = c.serverBytes.size();
                if (written > c.acked) {
                    c.acked += nextInt((int) Math.min(Integer.MAX_VALUE, written - c.acked + 1));
                }
            }
            ack = c.serverIsn + 1 + (int) c.acked;
            c.tsVal++;
        }
        return new Segment(c.tuple, c.clientIsn + 1 + (int) offset, ack, flags, 65535, c.tsVal, 5000, payload);
    }

    /** The kernel's socket, with the south side's logging and random partial calls. */
    private final class Spy implements StreamSocket, Wrapped {
        private final StreamSocket inner;
        private final Connection c;
        private long readOffset;

        Spy(StreamSocket inner, Connection c) {
            this.inner = inner;
            this.c = c;
        }

        @Override
        public Pollable unwrap() {
            return inner;
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            int savedLimit = dst.limit();
            if (partial && dst.remaining() > 1) {
                dst.limit(dst.position() + 1 + nextInt(dst.remaining()));
            }
            int from = dst.position();
            int n;
            try {
                n = inner.read(dst);
            } finally {
                dst.limit(savedLimit);
            }
            if (n > 0) {
                byte[] data = new byte[n];
                dst.get(from, data);
                synchronized (c) {
                    c.clientBytes.writeBytes(data);
                }
                logSegments(c, readOffset, data);
                readOffset += n;
            } else if (n < 0) {
                recorder.append(segment(c, readOffset, FLAG_ACK | FLAG_FIN, new byte[0]));
            }
            return n;
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            int savedLimit = src.limit();
            if (partial && src.remaining() > 1 && nextInt(3) == 0) {
                src.limit(src.position() + 1 + nextInt(src.remaining()));
            }
            int from = src.position();
            try {
                long offset;
                synchronized (c) {
                    offset = c.serverBytes.size();
                }
                recorder.note(new PrimaryRecorder.InnerWrite(c.tuple, offset, src.remaining()));
                int n = inner.write(src);
                byte[] data = new byte[n];
                src.get(from, data);
                synchronized (c) {
                    c.serverBytes.writeBytes(data);
                }
                return n;
            } finally {
                src.limit(savedLimit);
            }
        }

        private void noteFin() {
            synchronized (c) {
                recorder.note(new PrimaryRecorder.InnerFin(c.tuple, c.serverBytes.size()));
            }
        }

        @Override
        public void shutdownOutput() throws IOException {
            noteFin();
            inner.shutdownOutput();
        }

        @Override
        public void close() throws IOException {
            if (inner.isOpen()) {
                noteFin();
            }
            inner.close();
        }

        @Override
        public boolean finishConnect() throws IOException {
            return inner.finishConnect();
        }

        @Override
        public boolean isConnected() {
            return inner.isConnected();
        }

        @Override
        public void shutdownInput() throws IOException {
            inner.shutdownInput();
        }

        @Override
        public void setReadTimeout(Duration timeout) {
            inner.setReadTimeout(timeout);
        }

        @Override
        public void setNoDelay(boolean noDelay) {
            inner.setNoDelay(noDelay);
        }

        @Override
        public void setKeepAlive(boolean keepAlive) {
            inner.setKeepAlive(keepAlive);
        }

        @Override
        public InetSocketAddress localAddress() {
            return inner.localAddress();
        }

        @Override
        public InetSocketAddress remoteAddress() {
            return inner.remoteAddress();
        }

        @Override
        public void configureBlocking(boolean blocking) throws IOException {
            inner.configureBlocking(blocking);
        }

        @Override
        public boolean isBlocking() {
            return inner.isBlocking();
        }

        @Override
        public boolean isOpen() {
            return inner.isOpen();
        }
    }
}
