package io.fttcp.roles.takeover;

import io.fttcp.stack.host.Connection;
import io.fttcp.stack.host.HostConfig;
import io.fttcp.stack.host.IpHost;
import io.fttcp.stack.host.Listener;
import io.fttcp.stack.runtime.HostLoop;
import io.fttcp.stack.tcp.CloseReason;
import io.fttcp.stack.tcp.TcpCheckpoint;
import io.fttcp.stack.tcp.TcpConnection;
import io.fttcp.stack.tcp.TcpEvents;
import io.fttcp.stack.tcp.TcpState;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The takeover's resets of clients whose connections were not restored, on two real stacks in
 * one process (a client, and the new primary that holds nothing of the connection), on real
 * time: the repeats run on their own thread, as in a takeover.
 */
class ClientResetsTest {
    private static final int SERVER = 0xC6120002, CLIENT = 0xC6120001; // 198.18.0.2, 198.18.0.1
    private static final long MS = 1_000_000L;

    /** The two hosts, the packets between them, and the server's loop (the lock the repeats take). */
    private static final class Pair implements HostLoop {
        final ReentrantLock lock = new ReentrantLock();
        final ConcurrentLinkedQueue<ByteBuffer> toClient = new ConcurrentLinkedQueue<>(), toServer = new ConcurrentLinkedQueue<>();
        final IpHost client = new IpHost(HostConfig.defaults(1, 2), (p, t) -> toServer.add(copy(p)));
        final IpHost server = new IpHost(HostConfig.defaults(3, 4), (p, t) -> toClient.add(copy(p)));
        CloseReason clientClosed;

        Pair() {
            client.addAddress(CLIENT);
            server.addAddress(SERVER);
        }

        private static ByteBuffer copy(ByteBuffer p) {
            ByteBuffer c = ByteBuffer.allocate(p.remaining());
            c.put(p.duplicate()).flip();
            return c;
        }

        /** Delivers packets and fires both hosts' timers until {@code done} or {@code maxNanos} pass. */
        boolean runUntil(BooleanSupplier done, long maxNanos) {
            long end = System.nanoTime() + maxNanos;
            while (!done.getAsBoolean()) {
                if (System.nanoTime() - end > 0) return false;
                lock.lock();
                try {
                    long now = now();
                    ByteBuffer p;
                    boolean moved = false;
                    while ((p = toServer.poll()) != null) {
                        server.accept(p, now);
                        moved = true;
                    }
                    while ((p = toClient.poll()) != null) {
                        client.accept(p, now);
                        moved = true;
                    }
                    if (client.nextDeadline() <= now) client.onTimer(now);
                    if (server.nextDeadline() <= now) server.onTimer(now);
                    if (moved) continue;
                } finally {
                    lock.unlock();
                }
                java.util.concurrent.locks.LockSupport.parkNanos(200_000);
            }
            return true;
        }

        /** A client connection holding 50,000 bytes from the server, and the server's connection. */
        Connection[] connected() {
            Listener l = server.listen(0, 80, 4, new Listener.Events() {
                @Override
                public void onAcceptable(Listener listener) {
                }
            });
            Connection c;
            lock.lock();
            try {
                c = client.connect(0, SERVER, 80, new TcpEvents() {
                    @Override
                    public void onClosed(TcpConnection conn, CloseReason reason) {
                        clientClosed = reason;
                    }
                }, now());
            } finally {
                lock.unlock();
            }
            assertTrue(runUntil(l::hasPending, 2_000 * MS), "handshake");
            Connection s = l.poll();
            ByteBuffer src = ByteBuffer.wrap(new byte[50_000]);
            ByteBuffer dst = ByteBuffer.allocate(60_000);
            assertTrue(runUntil(() -> {
                s.write(src, now());
                c.read(dst, now());
                return dst.position() == 50_000;
            }, 5_000 * MS), "transfer");
            runUntil(() -> false, 300 * MS); // the client's delayed ACKs out: silent from here on
            return new Connection[] {c, s};
        }

        @Override
        public ReentrantLock lock() {
            return lock;
        }

        @Override
        public long now() {
            return System.nanoTime();
        }

        @Override
        public void timersChanged() {
        }

        @Override
        public boolean blockingAllowed() {
            return true;
        }
    }

    /** The server forgets its connection without a word (as a primary that died); returns what it knew. */
    private static TcpCheckpoint forget(Pair w, Connection s) {
        w.lock.lock();
        try {
            TcpCheckpoint known = s.checkpoint(w.now());
            s.abort(w.now());
            w.toClient.clear();
            return known;
        } finally {
            w.lock.unlock();
        }
    }

    /** The takeover's part (host lock held) and its thread of repeats, from 5 ms on. */
    private static Thread startResets(Pair w, ClientResets.Target target) {
        ClientResets resets = new ClientResets(List.of(target), 5 * MS);
        w.lock.lock();
        try {
            resets.begin(w.server, w.now());
        } finally {
            w.lock.unlock();
        }
        return Takeover.repeat(resets, w.server, w);
    }

    @Test
    void aSilentClientThatHoldsMoreThanTheGuessIsReset() throws Exception {
        Pair w = new Pair();
        Connection[] c = w.connected();
        TcpCheckpoint known = forget(w, c[1]);
        ClientResets.Target target = new ClientResets.Target(known.tuple(), known.sndUna() - 20_000, known.rcvNxt());
        Thread repeats = startResets(w, target);
        assertTrue(w.runUntil(() -> w.clientClosed != null, 2_000 * MS), "the client was not reset: " + c[0].state());
        assertEquals(CloseReason.RESET_BY_PEER, w.clientClosed);
        // Probes go on (nothing here tells they were answered) until all nine went out.
        assertTrue(w.runUntil(() -> w.server.stats().resetProbesSent == ClientResets.PROBES, 30_000 * MS),
                "probes sent: " + w.server.stats().resetProbesSent);
        repeats.join(5_000);
        assertTrue(!repeats.isAlive(), "the repeats ended after the last probe");
    }

    /**
     * A four-tuple the stack holds a connection of (restored, or its client came back from the
     * same port, or named twice: by its records and by a roster) gets no reset and no probe.
     */
    @Test
    void aFourTupleTheStackHoldsIsLeftAlone() throws Exception {
        Pair w = new Pair();
        Connection[] c = w.connected();
        TcpCheckpoint known;
        w.lock.lock();
        try {
            known = c[1].checkpoint(w.now()); // the connection still exists here: as if its client came back from the same port
        } finally {
            w.lock.unlock();
        }
        ClientResets.Target target = new ClientResets.Target(known.tuple(), known.sndUna() - 20_000, known.rcvNxt());
        Thread repeats = startResets(w, target);
        repeats.join(5_000);
        assertTrue(!repeats.isAlive(), "the repeats did not stop");
        assertEquals(0, w.server.stats().resetProbesSent, "a probe went out");
        w.runUntil(() -> false, 100 * MS);
        assertEquals(TcpState.ESTABLISHED, c[0].state(), "the connection of the same four-tuple lives on");
    }
}
