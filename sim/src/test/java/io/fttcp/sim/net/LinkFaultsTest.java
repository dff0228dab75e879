package io.fttcp.sim.net;

import io.fttcp.sim.Simulation;
import io.fttcp.sim.SimulationSeeds;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LinkFaultsTest {
    private static final long US = 1_000;
    private static final long MS = 1_000_000;
    private static final int FRAMES = 20_000;

    /** Sends {@code count} frames a to b, one every {@code spacing} ns, starting now. */
    private static void sendEvery(Simulation sim, SimPort from, SimPort to, int count, long spacing) {
        for (int i = 0; i < count; i++) {
            int sequence = i;
            sim.scheduler().after(i * spacing, () -> from.send(TestFrames.frame(to, from, sequence, 100)));
        }
    }

    /** Two ports that know each other's MACs (so nothing is flooded). */
    private static SimPort[] pair(Simulation sim, LinkConditions aConditions, LinkConditions bConditions) {
        SimPort a = sim.network().attach("a", aConditions);
        SimPort b = sim.network().attach("b", bConditions);
        a.send(TestFrames.frame(TestFrames.BROADCAST, a.mac(), -1, 60));
        b.send(TestFrames.frame(TestFrames.BROADCAST, b.mac(), -1, 60));
        sim.runUntilIdle();
        return new SimPort[] {a, b};
    }

    /** |observed - n p| within 6 binomial standard deviations. */
    private static void assertBinomial(String what, long observed, long n, double p, long seed) {
        double mean = n * p;
        double bound = 6 * Math.sqrt(n * p * (1 - p));
        assertTrue(Math.abs(observed - mean) <= bound,
                what + ": observed " + observed + ", expected " + mean + " +- " + bound + " (seed " + seed + ")");
    }

    @Test
    void delaysAddUpAndDeliveryTimeIsNow() {
        Simulation sim = new Simulation(3);
        SimPort[] p = pair(sim, LinkConditions.ideal().withDelay(Duration.ofMillis(3)), LinkConditions.ideal().withDelay(2 * MS));
        long start = sim.now();
        Recorder atB = new Recorder() {
            @Override
            public void receive(java.nio.ByteBuffer frame, long now) {
                assertEquals(sim.now(), now, "receiver's now is the delivery time");
                super.receive(frame, now);
            }
        };
        p[1].setReceiver(atB);
        p[0].send(TestFrames.frame(p[1], p[0], 1, 100));
        sim.runUntilIdle();
        assertEquals(List.of(start + 5 * MS), atB.times());
    }

    @Test
    void lossRateIsWithinStatisticalBounds() {
        SimulationSeeds.forEach(0x1055L, 5, seed -> {
            Simulation sim = new Simulation(seed);
            SimPort[] p = pair(sim, LinkConditions.lossy(0.1), LinkConditions.lossy(0.05));
            Recorder atB = Recorder.on(p[1]);
            sendEvery(sim, p[0], p[1], FRAMES, US);
            sim.runUntilIdle();
            long lostUp = p[0].stats().dropped(DropCause.LOSS);
            long lostDown = p[1].stats().dropped(DropCause.LOSS);
            assertBinomial("uplink loss", lostUp, FRAMES, 0.1, seed);
            assertBinomial("downlink loss", lostDown, FRAMES - lostUp, 0.05, seed);
            assertEquals(FRAMES - lostUp - lostDown, atB.count());
            assertEquals(atB.count(), p[1].stats().framesDelivered());
            assertEquals(atB.count(), new HashSet<>(atB.sequences()).size(), "no duplicates without duplication");
        });
    }

    @Test
    void duplicationRateIsWithinBoundsAndCopiesAreIdentical() {
        SimulationSeeds.forEach(0xD0BL, 5, seed -> {
            Simulation sim = new Simulation(seed);
            SimPort[] p = pair(sim, LinkConditions.ideal().withDuplication(0.1).withJitter(20 * US), LinkConditions.ideal());
            Recorder atB = Recorder.on(p[1]);
            sendEvery(sim, p[0], p[1], FRAMES, US);
            sim.runUntilIdle();
            Map<Integer, Integer> copies = new HashMap<>();
            Map<Integer, byte[]> first = new HashMap<>();
            for (Recorder.Arrival arrival : atB.arrivals) {
                copies.merge(arrival.sequence(), 1, Integer::sum);
                byte[] previous = first.putIfAbsent(arrival.sequence(), arrival.bytes());
                if (previous != null) {
                    assertTrue(java.util.Arrays.equals(previous, arrival.bytes()), "duplicate differs from original");
                }
            }
            assertEquals(FRAMES, copies.size(), "every frame arrives (seed " + seed + ")");
            long doubled = copies.values().stream().filter(n -> n == 2).count();
            assertTrue(copies.values().stream().allMatch(n -> n <= 2), "at most one duplicate per frame");
            assertEquals(p[0].stats().duplicated(), doubled);
            assertBinomial("duplicates", doubled, FRAMES, 0.1, seed);
        });
    }

    @Test
    void reorderingRateIsWithinBoundsAndHeldBackFramesAreOvertaken() {
        SimulationSeeds.forEach(0x0DE5L, 5, seed -> {
            Simulation sim = new Simulation(seed);
            SimPort[] p = pair(sim, LinkConditions.ideal().withDelay(MS).withReordering(0.05, 50 * US), LinkConditions.ideal());
            Recorder atB = Recorder.on(p[1]);
            sendEvery(sim, p[0], p[1], FRAMES, US);
            sim.runUntilIdle();
            assertEquals(FRAMES, atB.count());
            long heldBack = p[0].stats().reordered();
            assertBinomial("held back", heldBack, FRAMES, 0.05, seed);
            int overtaken = 0;
            int highest = -1;
            for (int sequence : atB.sequences()) {
                if (sequence < highest) {
                    overtaken++;
                }
                highest = Math.max(highest, sequence);
            }
            // A held-back frame is overtaken unless its extra delay was under the 1 us spacing (~2%).
            assertTrue(overtaken <= heldBack && overtaken >= 0.9 * heldBack,
                    "overtaken " + overtaken + " of " + heldBack + " held back (seed " + seed + ")");
        });
    }

    @Test
    void jitterAloneNeverReorders() {
        SimulationSeeds.forEach(0x717L, 5, seed -> {
            Simulation sim = new Simulation(seed);
            long delay = MS;
            long jitter = 500 * US;
            SimPort[] p = pair(sim, LinkConditions.ideal().withDelay(delay).withJitter(jitter), LinkConditions.ideal());
            Recorder atB = Recorder.on(p[1]);
            long start = sim.now();
            sendEvery(sim, p[0], p[1], 2000, 10 * US);
            sim.runUntilIdle();
            assertEquals(IntStream.range(0, 2000).boxed().toList(), atB.sequences(), "order kept (seed " + seed + ")");
            Set<Long> latencies = new HashSet<>();
            for (Recorder.Arrival arrival : atB.arrivals) {
                long latency = arrival.time() - (start + arrival.sequence() * 10 * US);
                assertTrue(latency >= delay && latency <= delay + jitter, "latency " + latency + " outside [delay, delay+jitter]");
                latencies.add(latency);
            }
            assertTrue(latencies.size() > 1000, "jitter varies the latency: " + latencies.size() + " distinct values");
        });
    }

    @Test
    void bandwidthLimitSerializesFramesAndTailDropsWhenTheQueueIsFull() {
        Simulation sim = new Simulation(4);
        // 1 Mbit/s: a 1250-byte frame takes 10 ms; the queue holds three such frames.
        LinkConditions slow = LinkConditions.ideal().withBandwidth(1_000_000, 3 * 1250).withDelay(MS);
        SimPort[] p = pair(sim, slow, LinkConditions.ideal());
        sim.runFor(100 * MS); // let the queue drain after pair()'s announcements
        Recorder atB = Recorder.on(p[1]);
        long start = sim.now();
        for (int i = 0; i < 5; i++) {
            p[0].send(TestFrames.frame(p[1], p[0], i, 1250));
        }
        sim.runUntilIdle();
        assertEquals(List.of(0, 1, 2), atB.sequences());
        assertEquals(List.of(start + 11 * MS, start + 21 * MS, start + 31 * MS), atB.times());
        assertEquals(2, p[0].stats().dropped(DropCause.QUEUE_FULL));

        // Once drained, the link takes frames again, back to back at line rate.
        long restart = sim.now() + 5 * MS;
        sim.scheduler().schedule(restart, () -> p[0].send(TestFrames.frame(p[1], p[0], 10, 625)));
        sim.runUntilIdle();
        assertEquals(restart + 5 * MS + MS, atB.times().getLast());
    }

    @Test
    void bandwidthOnTheDownlinkDelaysFramesFromAllSenders() {
        Simulation sim = new Simulation(5);
        SimPort a = sim.network().attach("a");
        SimPort c = sim.network().attach("c");
        SimPort b = sim.network().attach("b", LinkConditions.ideal(), LinkConditions.ideal().withBandwidth(8_000_000, 1 << 20));
        Recorder atB = Recorder.on(b);
        // 1000 bytes at 8 Mbit/s = 1 ms each; two senders share b's downlink.
        a.send(TestFrames.frame(TestFrames.BROADCAST, a.mac(), 1, 1000));
        c.send(TestFrames.frame(TestFrames.BROADCAST, c.mac(), 2, 1000));
        a.send(TestFrames.frame(TestFrames.BROADCAST, a.mac(), 3, 1000));
        sim.runUntilIdle();
        assertEquals(List.of(1, 2, 3), atB.sequences());
        assertEquals(List.of(MS, 2 * MS, 3 * MS), atB.times());
    }

    @Test
    void framesLargerThanTheMtuAreDropped() {
        Simulation sim = new Simulation(6);
        SimPort[] p = pair(sim, LinkConditions.ideal().withMtu(1400), LinkConditions.ideal().withMtu(1500));
        Recorder atB = Recorder.on(p[1]);
        assertEquals(1400, p[0].mtu());
        p[0].send(TestFrames.frame(p[1], p[0], 1, 1414));
        p[0].send(TestFrames.frame(p[1], p[0], 2, 1415));
        sim.runUntilIdle();
        assertEquals(List.of(1), atB.sequences());
        assertEquals(1, p[0].stats().dropped(DropCause.OVERSIZE));

        p[1].setDownlink(LinkConditions.ideal().withMtu(576));
        p[0].send(TestFrames.frame(p[1], p[0], 3, 600));
        sim.runUntilIdle();
        assertEquals(List.of(1), atB.sequences());
        assertEquals(1, p[1].stats().dropped(DropCause.OVERSIZE), "downlink MTU counted at the receiving port");
    }

    @Test
    void conditionsAreValidated() {
        assertThrows(IllegalArgumentException.class, () -> LinkConditions.lossy(1.5));
        assertThrows(IllegalArgumentException.class, () -> LinkConditions.lossy(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> LinkConditions.ideal().withDelay(-1));
        assertThrows(IllegalArgumentException.class, () -> LinkConditions.ideal().withReordering(0.1, 0));
        assertThrows(IllegalArgumentException.class, () -> LinkConditions.ideal().withMtu(20));
        assertEquals(10 * MS, LinkConditions.ideal().withBandwidth(1_000_000, 0).serializationNanos(1250));
    }
}
