package io.fttcp.stack.host;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.function.Predicate;

/**
 * Two hosts on a lossless in-memory wire with a manual clock: packets are copied into queues
 * and delivered by {@link #runUntil}, which advances time to the next timer when nothing is in
 * flight. Tests may filter or inject packets.
 */
final class HostPair {
    static final int A = 0xC6120001, B = 0xC6120002; // 198.18.0.1, 198.18.0.2
    static final long MS = 1_000_000L;

    long now = 1_000 * MS;
    final ArrayDeque<ByteBuffer> toA = new ArrayDeque<>(), toB = new ArrayDeque<>();
    /** {@code a} is replaced by {@link #restartA}. */
    IpHost a;
    final IpHost b;
    private final HostConfig configA;
    /** Packets for which this returns false are dropped (test-controlled loss). */
    Predicate<ByteBuffer> filterToA = p -> true, filterToB = p -> true;
    long delivered;

    HostPair(HostConfig ca, HostConfig cb) {
        configA = ca;
        a = new IpHost(ca, (p, t) -> enqueue(toB, p, filterToB));
        b = new IpHost(cb, (p, t) -> enqueue(toA, p, filterToA));
        a.addAddress(A);
        b.addAddress(B);
    }

    /**
     * Host A starts afresh with its configuration (a client host that lost its state): its port
     * choice starts where the first one's did, so its first connection reuses the same four-tuple.
     */
    void restartA() {
        a = new IpHost(configA, (p, t) -> enqueue(toB, p, filterToB));
        a.addAddress(A);
    }

    HostPair() {
        this(HostConfig.defaults(1, 2), HostConfig.defaults(3, 4));
    }

    private static void enqueue(ArrayDeque<ByteBuffer> q, ByteBuffer p, Predicate<ByteBuffer> filter) {
        ByteBuffer copy = ByteBuffer.allocate(p.remaining());
        copy.put(p.duplicate()).flip();
        if (filter.test(copy.duplicate())) q.add(copy);
    }

    /** Delivers packets and fires timers until {@code done} holds or {@code maxNanos} of virtual time pass. */
    boolean runUntil(java.util.function.BooleanSupplier done, long maxNanos) {
        long end = now + maxNanos;
        while (!done.getAsBoolean()) {
            if (!toA.isEmpty() || !toB.isEmpty()) {
                ByteBuffer p;
                if ((p = toB.poll()) != null) {
                    delivered++;
                    b.accept(p, now);
                }
                if ((p = toA.poll()) != null) {
                    delivered++;
                    a.accept(p, now);
                }
                continue;
            }
            long next = Math.min(a.nextDeadline(), b.nextDeadline());
            if (next == Long.MAX_VALUE || next > end) return done.getAsBoolean();
            now = Math.max(now, next);
            if (a.nextDeadline() <= now) a.onTimer(now);
            if (b.nextDeadline() <= now) b.onTimer(now);
        }
        return true;
    }

    void advance(long nanos) {
        now += nanos;
        a.onTimer(now);
        b.onTimer(now);
    }
}
