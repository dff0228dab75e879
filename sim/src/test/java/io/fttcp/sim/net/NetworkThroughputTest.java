package io.fttcp.sim.net;

import io.fttcp.sim.Simulation;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Printed, not asserted: how many frames per second of wall time the simulated network moves. */
class NetworkThroughputTest {
    @Test
    void throughputMicroCheck() {
        Simulation sim = new Simulation(8);
        LinkConditions link = LinkConditions.ideal().withDelay(50_000).withJitter(10_000).withLoss(0.01)
                .withBandwidth(1_000_000_000L, 1 << 20);
        SimPort a = sim.network().attach("a", link);
        SimPort b = sim.network().attach("b", link);
        long[] received = {0};
        // b echoes every frame back, so both directions and the learning table stay busy.
        ByteBuffer reply = TestFrames.frame(a, b, 0, 1514);
        b.setReceiver((frame, now) -> {
            received[0]++;
            b.send(reply);
        });
        ByteBuffer frame = TestFrames.frame(b, a, 0, 1514);
        a.setReceiver((f, now) -> received[0]++);
        int frames = 300_000;
        for (int i = 0; i < frames; i++) {
            sim.scheduler().schedule(i * 13_000L, () -> a.send(frame));
        }
        long start = System.nanoTime();
        sim.runUntilIdle();
        long elapsed = System.nanoTime() - start;
        long sent = a.stats().framesSent() + b.stats().framesSent();
        assertEquals(a.stats().framesDelivered() + b.stats().framesDelivered(), received[0]);
        System.out.printf("network: %d frames sent, %d delivered in %.1f ms = %.2f M frames/s%n",
                sent, received[0], elapsed / 1e6, sent * 1e3 / elapsed);
    }
}
