package io.fttcp.wrappers.ssw;

import java.nio.ByteBuffer;
import java.util.PriorityQueue;

/** One direction of a simulated wire: packets (copied) arrive after their own delay, so jitter reorders them. */
final class DelayedLink {
    private record InFlight(long at, long order, ByteBuffer packet) {
    }

    private final PriorityQueue<InFlight> inFlight = new PriorityQueue<>(
            (a, b) -> a.at != b.at ? Long.compare(a.at, b.at) : Long.compare(a.order, b.order));
    private long sent;

    void send(ByteBuffer packet, long now, long delay) {
        inFlight.add(new InFlight(now + delay, sent++, TestPackets.copy(packet)));
    }

    /** When the next packet arrives, or Long.MAX_VALUE. */
    long nextArrival() {
        InFlight f = inFlight.peek();
        return f == null ? Long.MAX_VALUE : f.at;
    }

    /** A packet that has arrived by {@code now}, or null. */
    ByteBuffer poll(long now) {
        InFlight f = inFlight.peek();
        if (f == null || f.at > now) return null;
        return inFlight.poll().packet;
    }
}
