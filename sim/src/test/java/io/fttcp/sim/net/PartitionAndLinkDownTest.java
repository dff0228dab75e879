package io.fttcp.sim.net;

import io.fttcp.sim.Simulation;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PartitionAndLinkDownTest {
    private static final long MS = 1_000_000;
    private Simulation sim;
    private SimulatedNetwork net;
    private SimPort a;
    private SimPort b;
    private SimPort c;
    private Recorder atA;
    private Recorder atB;
    private Recorder atC;

    @BeforeEach
    void setUp() {
        sim = new Simulation(2);
        net = sim.network();
        LinkConditions fiveMs = LinkConditions.ideal().withDelay(5 * MS);
        a = net.attach("a", fiveMs);
        b = net.attach("b", fiveMs);
        c = net.attach("c", fiveMs);
        atA = Recorder.on(a);
        atB = Recorder.on(b);
        atC = Recorder.on(c);
        for (SimPort port : List.of(a, b, c)) {
            port.send(TestFrames.frame(TestFrames.BROADCAST, port.mac(), -1, 60));
        }
        sim.runUntilIdle();
        atA.arrivals.clear();
        atB.arrivals.clear();
        atC.arrivals.clear();
    }

    @Test
    void partitionBlocksBothWaysBetweenGroupsOnlyAndHealRestores() {
        net.partition(Set.of(a), Set.of(b, c));
        assertTrue(net.isBlocked(a, b) && net.isBlocked(c, a));
        assertFalse(net.isBlocked(b, c));
        a.send(TestFrames.frame(b, a, 1, 60));
        b.send(TestFrames.frame(a, b, 2, 60));
        b.send(TestFrames.frame(c, b, 3, 60));
        a.send(TestFrames.frame(TestFrames.BROADCAST, a.mac(), 4, 60));
        sim.runUntilIdle();
        assertEquals(0, atA.count());
        assertEquals(0, atB.count());
        assertEquals(List.of(3), atC.sequences(), "b and c are on the same side");
        assertEquals(2, b.stats().dropped(DropCause.PARTITION), "a->b unicast and a's broadcast");
        assertEquals(1, a.stats().dropped(DropCause.PARTITION));

        net.heal();
        a.send(TestFrames.frame(b, a, 5, 60));
        b.send(TestFrames.frame(a, b, 6, 60));
        sim.runUntilIdle();
        assertEquals(List.of(5), atB.sequences());
        assertEquals(List.of(6), atA.sequences());
    }

    @Test
    void framesInFlightWhenAPartitionStartsDoNotCrossIt() {
        a.send(TestFrames.frame(b, a, 1, 60)); // arrives at 10 ms
        sim.runFor(7 * MS); // past the switch, on b's downlink
        net.partition(Set.of(a), Set.of(b));
        sim.runUntilIdle();
        assertEquals(0, atB.count());
        assertEquals(1, b.stats().dropped(DropCause.PARTITION));
    }

    @Test
    void isolateCutsOnePortOffFromAllOthers() {
        net.isolate(c);
        c.send(TestFrames.frame(TestFrames.BROADCAST, c.mac(), 1, 60));
        a.send(TestFrames.frame(b, a, 2, 60));
        sim.runUntilIdle();
        assertEquals(0, atA.count());
        assertEquals(List.of(2), atB.sequences());
        assertThrows(IllegalArgumentException.class, () -> net.partition(Set.of(a), Set.of(a)));
    }

    @Test
    void linkDownDropsFramesInFlightToThePortAndSilencesIt() {
        a.send(TestFrames.frame(b, a, 1, 60)); // past the switch at 5 ms, would arrive at 10 ms
        a.send(TestFrames.frame(c, a, 7, 60));
        sim.runFor(7 * MS);
        b.linkDown();
        b.send(TestFrames.frame(a, b, 2, 60));
        sim.runFor(MS);
        b.linkUp();
        sim.runUntilIdle();
        assertEquals(0, atB.count(), "the frame in flight was lost even though the port came back before its arrival time");
        assertEquals(0, atA.count());
        assertEquals(2, b.stats().dropped(DropCause.LINK_DOWN));
        assertEquals(List.of(7), atC.sequences(), "other ports are unaffected");

        a.send(TestFrames.frame(b, a, 3, 60));
        sim.runUntilIdle();
        assertEquals(List.of(3), atB.sequences(), "works again after linkUp");
    }

    @Test
    void linkDownDropsFramesStillQueuedForTransmissionButNotThoseAlreadySent() {
        // 1 Mbit/s uplink: 1250-byte frames finish serializing at 10, 20, 30 ms.
        a.setUplink(LinkConditions.ideal().withBandwidth(1_000_000, 1 << 20));
        for (int i = 0; i < 3; i++) {
            a.send(TestFrames.frame(b, a, i, 1250));
        }
        sim.runFor(15 * MS);
        a.linkDown();
        a.linkUp();
        sim.runUntilIdle();
        assertEquals(List.of(0), atB.sequences());
        assertEquals(2, a.stats().dropped(DropCause.LINK_DOWN));
        // The new life of the port starts with an empty transmit queue.
        long start = sim.now();
        a.send(TestFrames.frame(b, a, 9, 1250));
        sim.runUntilIdle();
        assertEquals(start + 10 * MS + 5 * MS, atB.times().getLast());
    }

    @Test
    void linkDownFlushesTheSwitchsEgressQueueForThePort() {
        // 1 Mbit/s downlink to b: 1250-byte frames take 10 ms each.
        b.setDownlink(LinkConditions.ideal().withBandwidth(1_000_000, 1 << 20));
        for (int i = 0; i < 5; i++) {
            a.send(TestFrames.frame(b, a, i, 1250));
        }
        sim.runFor(20 * MS); // frame 0 delivered at 20 ms; 1..4 still queued
        b.linkDown();
        b.linkUp();
        long start = sim.now();
        c.send(TestFrames.frame(b, c, 9, 1250));
        sim.runUntilIdle();
        assertEquals(List.of(0, 9), atB.sequences());
        assertEquals(start + 5 * MS + 10 * MS, atB.times().getLast(), "does not wait behind the flushed frames");
    }

    @Test
    void observersSeeDeliveriesAndDrops() {
        List<String> seen = new ArrayList<>();
        net.addObserver(new NetworkObserver() {
            @Override
            public void delivered(SimPort from, SimPort to, java.nio.ByteBuffer frame, long now) {
                seen.add(from.name() + ">" + to.name() + "#" + TestFrames.sequence(frame) + "@" + now / MS);
            }

            @Override
            public void dropped(SimPort at, DropCause cause, long now) {
                seen.add(cause + "@" + at.name());
            }
        });
        net.partition(Set.of(a), Set.of(c));
        long start = sim.now() / MS;
        a.send(TestFrames.frame(TestFrames.BROADCAST, a.mac(), 1, 60));
        sim.runUntilIdle();
        assertEquals(List.of("PARTITION@c", "a>b#1@" + (start + 10)), seen);
        assertEquals(List.of(1), atB.sequences(), "the receiver still gets the frame after the observer");
    }
}
