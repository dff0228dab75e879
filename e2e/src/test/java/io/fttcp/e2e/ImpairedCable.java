package io.fttcp.e2e;

import io.fttcp.link.tap.TapDevice;
import io.fttcp.testbed.Host;
import io.fttcp.testbed.Topology;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A host's cable to the switch replaced by two TAP devices and this process between them, which
 * passes each frame on as its {@link LinkImpairment} decides: lost, held back (reordered),
 * duplicated, or at once. Frames cross unsegmented (no offloads: at most one MTU each), so every
 * TCP segment meets its own fate. Counts what it did in each direction.
 */
final class ImpairedCable implements AutoCloseable {
    private static final AtomicInteger CABLES = new AtomicInteger();

    private final TapDevice hostSide;
    private final TapDevice switchSide;
    private final ScheduledExecutorService heldBack;
    final Direction fromHost;
    final Direction toHost;

    private ImpairedCable(TapDevice hostSide, TapDevice switchSide, LinkImpairment impairment, long seed) {
        this.hostSide = hostSide;
        this.switchSide = switchSide;
        this.heldBack = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("impaired-cable-held").factory());
        this.fromHost = new Direction("from the host", impairment.fates(seed), switchSide);
        this.toHost = new Direction("to the host", impairment.fates(~seed), hostSide);
    }

    /** Puts the cable between {@code host} and the switch, in place of its veth pair. */
    static ImpairedCable insert(Topology topology, Host host, LinkImpairment impairment, long seed) throws IOException {
        String base = "fti" + ProcessHandle.current().pid() % 1_000_000 + "x" + CABLES.incrementAndGet();
        TapDevice h = TapDevice.open(base + "h");
        TapDevice s;
        try {
            s = TapDevice.open(base + "s");
        } catch (IOException | RuntimeException e) {
            h.close();
            throw e;
        }
        ImpairedCable cable = new ImpairedCable(h, s, impairment, seed);
        try {
            topology.recable(host, h.name(), s.name());
        } catch (RuntimeException e) {
            cable.close();
            throw e;
        }
        h.setReceiver((frame, now) -> cable.fromHost.pass(frame));
        s.setReceiver((frame, now) -> cable.toHost.pass(frame));
        return cable;
    }

    /** One way through the cable: the fates of its frames, where they go, and what was done to them. */
    final class Direction {
        private final String name;
        private final LinkImpairment.Fates fates;
        private final TapDevice out;
        final AtomicLong passed = new AtomicLong();
        final AtomicLong dropped = new AtomicLong();
        final AtomicLong delayed = new AtomicLong();
        final AtomicLong duplicated = new AtomicLong();

        private Direction(String name, LinkImpairment.Fates fates, TapDevice out) {
            this.name = name;
            this.fates = fates;
            this.out = out;
        }

        /** On the reading device's thread; {@code frame} is reused after this returns. */
        private void pass(ByteBuffer frame) {
            LinkImpairment.Fate fate = fates.next();
            switch (fate.kind()) {
                case PASS -> {
                    out.send(frame);
                    passed.incrementAndGet();
                }
                case DROP -> dropped.incrementAndGet();
                case DUPLICATE -> {
                    out.send(frame);
                    out.send(frame);
                    duplicated.incrementAndGet();
                }
                case DELAY -> {
                    ByteBuffer copy = ByteBuffer.allocate(frame.remaining()).put(frame.duplicate()).flip();
                    delayed.incrementAndGet();
                    heldBack.schedule(() -> out.send(copy), fate.delayNanos(), TimeUnit.NANOSECONDS);
                }
            }
        }

        /** The counts so far, for comparing before and after. */
        Counts counts() {
            return new Counts(passed.get(), dropped.get(), delayed.get(), duplicated.get());
        }

        @Override
        public String toString() {
            return name + ": " + counts();
        }
    }

    /** Closes each cable (nulls skipped), printing what it did, for a test class's teardown. */
    static void closeAll(String who, ImpairedCable... cables) {
        for (ImpairedCable c : cables) {
            if (c != null) {
                System.out.println(who + ": " + c);
                c.close();
            }
        }
    }

    /**
     * The replicas did lower their replication connections' retransmission floor (their warning
     * otherwise names it): over these cables a test is expected to fail without it, so say so.
     */
    static void assertFloorSet(String why, String... replicaOutputs) {
        for (String output : replicaOutputs) {
            org.junit.jupiter.api.Assertions.assertFalse(output.contains("is not lowered"),
                    () -> "the replicas could not lower the replication connection's retransmission floor on this kernel, " + why + ":\n" + output);
        }
    }

    /** Both directions' counts now, to compare with after a transfer ({@link #assertImpairedSince}). */
    Counts[] snapshot() {
        return new Counts[] {fromHost.counts(), toHost.counts()};
    }

    /** Since {@code before}, the cable impaired what crossed it both ways ({@link #assertImpaired}). */
    void assertImpairedSince(Counts[] before, String host, String why) {
        assertImpaired(fromHost.counts().since(before[0]), "from the " + host, why);
        assertImpaired(toHost.counts().since(before[1]), "to the " + host, why);
    }

    /** The transfer did cross a bad cable: frames were lost, held back and duplicated in this direction, at about the configured rates. */
    static void assertImpaired(Counts c, String direction, String why) {
        System.out.println("impaired cable " + direction + ": " + c);
        org.junit.jupiter.api.Assertions.assertTrue(c.dropped() > 0 && c.delayed() > 0 && c.duplicated() > 0
                        && c.passed() > 10 * (c.dropped() + c.delayed()),
                () -> "the cable " + direction + " did not impair the transfer as configured: " + c + ", " + why);
    }

    /**
     * The time this JVM spent in collections so far: the cables run in it, and a long collection
     * would silence them all (for failure messages: the test's cause, not the product's).
     */
    static long collectionMillis() {
        return java.lang.management.ManagementFactory.getGarbageCollectorMXBeans().stream()
                .mapToLong(java.lang.management.GarbageCollectorMXBean::getCollectionTime).filter(t -> t > 0).sum();
    }

    record Counts(long passed, long dropped, long delayed, long duplicated) {
        Counts since(Counts before) {
            return new Counts(passed - before.passed, dropped - before.dropped, delayed - before.delayed, duplicated - before.duplicated);
        }
    }

    @Override
    public void close() {
        heldBack.shutdownNow();
        hostSide.close();
        switchSide.close();
    }

    @Override
    public String toString() {
        return "impaired cable (" + fromHost + "; " + toHost + ")";
    }
}
