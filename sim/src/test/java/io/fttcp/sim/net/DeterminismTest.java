package io.fttcp.sim.net;

import io.fttcp.sim.Simulation;
import io.fttcp.sim.SimulationSeeds;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/** The same seed gives the same delivery trace, bit for bit; different seeds give different traces. */
class DeterminismTest {
    private static final long US = 1_000;

    /** Runs a busy, faulty scenario and returns the SHA-256 of its delivery and drop trace. */
    static String traceHash(long seed) {
        Simulation sim = new Simulation(seed);
        SimulatedNetwork net = sim.network();
        LinkConditions faulty = LinkConditions.ideal().withDelay(200 * US).withJitter(100 * US).withLoss(0.05)
                .withDuplication(0.03).withReordering(0.05, 300 * US).withBandwidth(100_000_000, 64 * 1024);
        List<SimPort> ports = List.of(net.attach("a", faulty), net.attach("b", faulty),
                net.attach("c", faulty, LinkConditions.ideal().withJitter(50 * US)));
        TraceDigest trace = TraceDigest.on(net);
        for (SimPort port : ports) {
            port.setReceiver((frame, now) -> { });
        }
        SplittableRandom traffic = sim.newRandom();
        for (int i = 0; i < 3000; i++) {
            SimPort from = ports.get(traffic.nextInt(3));
            SimPort to = ports.get(traffic.nextInt(3));
            long dst = traffic.nextInt(10) == 0 ? TestFrames.BROADCAST : to.mac();
            int length = 60 + traffic.nextInt(1455);
            int sequence = i;
            sim.scheduler().after(traffic.nextLong(50_000 * US), () -> from.send(TestFrames.frame(dst, from.mac(), sequence, length)));
        }
        sim.runUntilIdle();
        return trace.hex();
    }

    @Test
    void sameSeedGivesTheSameTrace() {
        SimulationSeeds.forEach(0xDE7L, 3, seed -> assertEquals(traceHash(seed), traceHash(seed)));
    }

    @Test
    void differentSeedsGiveDifferentTraces() {
        Set<String> hashes = new HashSet<>();
        for (long seed = 0; seed < 5; seed++) {
            hashes.add(traceHash(seed));
        }
        assertEquals(5, hashes.size());
        assertNotEquals(traceHash(1), traceHash(2));
    }
}
