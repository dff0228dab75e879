package io.fttcp.stack.tcp;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

/**
 * Two TCP connections wired through an in-memory network with a virtual clock: seeded loss,
 * duplication, reordering (jitter) and delay, plus a filter to drop chosen segments.
 */
final class TestNet {
    static final long MS = 1_000_000L;

    /** A copy of an emitted segment in flight. */
    record Packet(long deliverAt, long order, Endpoint to, TcpSegment segment, long sentAt) {}

    final class Endpoint implements TcpEvents, TcpOutput {
        final String name;
        TcpConfig config;
        final FourTuple tuple;
        TcpConnection conn;
        Endpoint peer;
        final ByteArrayOutputStream received = new ByteArrayOutputStream();
        byte[] toSend = new byte[0];
        int sendPos;
        boolean shutdownWhenDone;
        boolean autoRead = true;
        boolean eof;
        CloseReason closed;
        int established;
        final List<TcpSegment> sent = new ArrayList<>();
        final List<Long> sentTimes = new ArrayList<>();
        int iss;
        int readChunk = 1 << 16;
        int offload;

        Endpoint(String name, TcpConfig config, FourTuple tuple, int iss) {
            this.name = name;
            this.config = config;
            this.tuple = tuple;
            this.iss = iss;
        }

        @Override public void onEstablished(TcpConnection c) { established++; }
        @Override public void onClosed(TcpConnection c, CloseReason reason) { closed = reason; }

        @Override
        public void transmit(TcpConnection c, TcpSegment s) {
            TcpSegment copy = copy(s);
            if (recordSent) {
                sent.add(copy);
                sentTimes.add(now);
            }
            if (dropFilter != null && dropFilter.test(copy)) return;
            if (partitioned) return;
            if (loss > 0 && random.nextDouble() < loss) return;
            enqueue(peer, copy);
            if (duplication > 0 && random.nextDouble() < duplication) enqueue(peer, copy(copy));
        }

        void connect() {
            conn = TcpConnection.connect(config, tuple, iss, now, this, this);
        }

        void pump() {
            if (conn == null) return;
            TcpState st = conn.state();
            if (st == TcpState.CLOSED) return;
            if (offload > 0) conn.setSegmentOffload(offload);
            while (sendPos < toSend.length && conn.writableBytes() > 0 && st != TcpState.SYN_SENT && st != TcpState.SYN_RECEIVED) {
                int n = conn.write(ByteBuffer.wrap(toSend, sendPos, Math.min(writeChunk, toSend.length - sendPos)), now);
                if (n == 0) break;
                sendPos += n;
                if (conn.state() == TcpState.CLOSED) return;
            }
            if (shutdownWhenDone && sendPos == toSend.length && conn.isEstablished() && conn.writableBytes() > 0) conn.shutdownOutput(now);
            if (autoRead) readAll();
        }

        void readAll() {
            ByteBuffer b = ByteBuffer.allocate(readChunk);
            while (true) {
                b.clear();
                int n = conn.read(b, now);
                if (n < 0) { eof = true; return; }
                if (n == 0) return;
                received.write(b.array(), 0, n);
            }
        }

        boolean sendDone() { return sendPos == toSend.length; }

        TcpStats stats() { return conn.stats(); }
    }

    final SplittableRandom random;
    final PriorityQueue<Packet> queue = new PriorityQueue<>((a, b) -> a.deliverAt != b.deliverAt ? Long.compare(a.deliverAt, b.deliverAt) : Long.compare(a.order, b.order));
    long now = 1_000 * MS;
    long order;
    long delay = MS;
    long jitter;
    double loss;
    double duplication;
    boolean partitioned;
    boolean refuse;
    boolean recordSent = true;
    int writeChunk = 1 << 16;
    Predicate<TcpSegment> dropFilter;
    final Endpoint a, b;
    final List<TcpSegment> delivered = new ArrayList<>();

    TestNet(long seed, TcpConfig ca, TcpConfig cb) {
        random = new SplittableRandom(seed);
        a = new Endpoint("A", ca, new FourTuple(0x0a000001, 40000, 0x0a000002, 80), 1_000_000 + (int) (seed * 7919));
        b = new Endpoint("B", cb, new FourTuple(0x0a000002, 80, 0x0a000001, 40000), -5 + (int) (seed * 104729));
        a.peer = b;
        b.peer = a;
    }

    TestNet(long seed, TcpConfig config) {
        this(seed, config, config);
    }

    /**
     * A connected pair with window scaling and SACK (no timestamps), then partitioned: A hears
     * from B only what the test scripts (see {@link #ackToA}).
     */
    static TestNet sackingPairWithScriptedB(long seed) {
        TestNet net = new TestNet(seed, TcpConfig.defaults().withOptions(true, false, true));
        if (!net.handshake()) {
            throw new AssertionError("no handshake: " + net.describe());
        }
        net.partitioned = true;
        return net;
    }

    void enqueue(Endpoint to, TcpSegment s) {
        long d = delay + (jitter > 0 ? random.nextLong(jitter + 1) : 0);
        queue.add(new Packet(now + d, order++, to, s, now));
    }

    static TcpSegment copy(TcpSegment s) {
        TcpSegment c = new TcpSegment();
        c.seq = s.seq;
        c.ack = s.ack;
        c.flags = s.flags;
        c.window = s.window;
        c.mss = s.mss;
        c.windowScale = s.windowScale;
        c.sackPermitted = s.sackPermitted;
        c.hasTimestamp = s.hasTimestamp;
        c.tsVal = s.tsVal;
        c.tsEcr = s.tsEcr;
        c.sackBlockCount = s.sackBlockCount;
        System.arraycopy(s.sackLeft, 0, c.sackLeft, 0, s.sackBlockCount);
        System.arraycopy(s.sackRight, 0, c.sackRight, 0, s.sackBlockCount);
        if (s.payload != null && s.payload.hasRemaining()) {
            ByteBuffer p = ByteBuffer.allocate(s.payload.remaining());
            p.put(s.payload.duplicate()).flip();
            c.payload = p;
        }
        return c;
    }

    /** Delivers a segment to an endpoint, creating B's connection from a SYN (the listener's job). */
    void deliver(Endpoint to, TcpSegment s) {
        delivered.add(s);
        if (to.conn == null && refuse && s.flags == TcpSegment.SYN) {
            TcpSegment rst = new TcpSegment();
            rst.flags = TcpSegment.RST | TcpSegment.ACK;
            rst.ack = s.seq + 1;
            enqueue(to.peer, rst);
            return;
        }
        if (to.conn == null) {
            if (s.flags == TcpSegment.SYN) to.conn = TcpConnection.accept(to.config, to.tuple, s, to.iss, now, to, to);
            return;
        }
        if (to.conn.state() == TcpState.CLOSED) {
            // The host has forgotten the connection: answer like a host without a listener (RFC 9293 3.10.7.1).
            if (s.has(TcpSegment.RST)) return;
            TcpSegment rst = new TcpSegment();
            if (s.has(TcpSegment.ACK)) {
                rst.flags = TcpSegment.RST;
                rst.seq = s.ack;
            } else {
                rst.flags = TcpSegment.RST | TcpSegment.ACK;
                rst.ack = s.seq + s.sequenceLength();
            }
            enqueue(to.peer, rst);
            return;
        }
        to.conn.onSegment(s, now);
    }

    void inject(Endpoint to, TcpSegment s) {
        deliver(to, s);
        to.pump();
    }

    long nextEventTime() {
        long t = Long.MAX_VALUE;
        if (!queue.isEmpty()) t = queue.peek().deliverAt;
        if (a.conn != null) t = Math.min(t, a.conn.nextDeadline());
        if (b.conn != null) t = Math.min(t, b.conn.nextDeadline());
        return t;
    }

    /** Runs one event; returns false when nothing is scheduled. */
    boolean step(long limit) {
        long t = nextEventTime();
        if (t == Long.MAX_VALUE || t > limit) return false;
        now = Math.max(now, t);
        if (!queue.isEmpty() && queue.peek().deliverAt <= now) {
            Packet p = queue.poll();
            deliver(p.to, p.segment);
        } else {
            if (a.conn != null && a.conn.nextDeadline() <= now) a.conn.onTimer(now);
            if (b.conn != null && b.conn.nextDeadline() <= now) b.conn.onTimer(now);
        }
        a.pump();
        b.pump();
        return true;
    }

    /** Runs until cond holds or virtual time passes {@code duration}; returns cond's final value. */
    boolean runUntil(BooleanSupplier cond, long duration) {
        long limit = now + duration;
        a.pump();
        b.pump();
        while (!cond.getAsBoolean()) {
            if (!step(limit)) {
                now = Math.max(now, limit);
                return cond.getAsBoolean();
            }
        }
        return true;
    }

    /** Runs for exactly {@code duration} of virtual time. */
    void runFor(long duration) {
        long limit = now + duration;
        a.pump();
        b.pump();
        while (step(limit)) { }
        now = Math.max(now, limit);
    }

    /** A scripted ACK from B to A: {@code ack}, with SACK blocks [left, right) given in pairs, at A's current window. */
    void ackToA(TcpSegment s, int ack, int... blocks) {
        TcpConnection c = a.conn;
        s.clear();
        s.flags = TcpSegment.ACK;
        s.seq = b.conn.sndMax();
        s.ack = ack;
        s.window = (int) (c.sndWnd() >> c.sndWindowShift());
        s.sackBlockCount = blocks.length / 2;
        for (int i = 0; i < s.sackBlockCount; i++) {
            s.sackLeft[i] = blocks[2 * i];
            s.sackRight[i] = blocks[2 * i + 1];
        }
        c.onSegment(s, now);
    }

    boolean handshake() {
        a.connect();
        return runUntil(() -> a.conn.state() == TcpState.ESTABLISHED && b.conn != null && b.conn.state() == TcpState.ESTABLISHED, 10_000 * MS);
    }

    String describe() {
        StringBuilder sb = new StringBuilder();
        for (Endpoint e : new Endpoint[] {a, b}) {
            sb.append(e.name).append(": ").append(e.conn).append(" sent ").append(e.sendPos).append('/').append(e.toSend.length)
                    .append(" received ").append(e.received.size()).append(" eof ").append(e.eof).append(" closed ").append(e.closed);
            if (e.conn != null) sb.append(" sndWnd ").append(e.conn.sndWnd()).append(" cwnd ").append(e.conn.cwnd()).append(" deadline ").append(e.conn.nextDeadline() - now);
            sb.append('\n');
        }
        int from = Math.max(0, delivered.size() - 12);
        for (TcpSegment s : delivered.subList(from, delivered.size())) sb.append("  ").append(s).append('\n');
        return sb.toString();
    }

    static byte[] randomBytes(SplittableRandom r, int n) {
        byte[] d = new byte[n];
        r.nextBytes(d);
        return d;
    }
}
