package io.fttcp.stack.tcp;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** Retained heap of idle established connections (both ends of 10,000 pairs). */
class TcpIdleMemoryTest {

    private static long usedHeap() {
        Runtime rt = Runtime.getRuntime();
        long best = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            try { Thread.sleep(20); } catch (InterruptedException e) { Thread.currentThread().interrupt(); }
            best = Math.min(best, rt.totalMemory() - rt.freeMemory());
        }
        return best;
    }

    @Test
    void idleEstablishedConnectionsAreSmall() {
        int pairs = 10_000;
        TcpConfig cfg = TcpConfig.defaults();
        TcpSegment[] last = new TcpSegment[1];
        TcpOutput capture = (c, s) -> last[0] = TestNet.copy(s);
        TcpConnection[] conns = new TcpConnection[2 * pairs];
        long now = 1_000_000_000L;
        long before = usedHeap();
        ByteBuffer hello = ByteBuffer.allocate(100);
        ByteBuffer sink = ByteBuffer.allocate(1000);
        for (int i = 0; i < pairs; i++) {
            FourTuple ta = new FourTuple(1, 1024 + (i & 0x7fff), 2, 80), tb = new FourTuple(2, 80, 1, 1024 + (i & 0x7fff));
            TcpConnection a = TcpConnection.connect(cfg, ta, i * 7919, now, capture, TcpEvents.NONE);
            TcpConnection b = TcpConnection.accept(cfg, tb, last[0], i * 104729, now, capture, TcpEvents.NONE);
            a.onSegment(last[0], now); // SYN-ACK -> ACK
            b.onSegment(last[0], now);
            // Exchange a little data so buffers were used once, then drain them.
            hello.clear();
            a.write(hello, now);
            b.onSegment(last[0], now);
            sink.clear();
            b.read(sink, now);
            b.onTimer(now + cfg.delayedAck());
            a.onSegment(last[0], now);
            assertEquals(TcpState.ESTABLISHED, a.state());
            assertEquals(TcpState.ESTABLISHED, b.state());
            conns[2 * i] = a;
            conns[2 * i + 1] = b;
        }
        last[0] = null;
        long after = usedHeap();
        double perConnection = (after - before) / (double) conns.length;
        System.out.printf("idle established TCP connection: %.0f bytes retained each%n", perConnection);
        assertTrue(perConnection < 4096, perConnection + " bytes per connection");
        assertTrue(perConnection < 1500, "the connection object graph itself should stay small: " + perConnection);
        assertEquals(2 * pairs, conns.length);
        for (TcpConnection c : conns) assertEquals(0, c.readableBytes()); // keeps conns reachable
    }
}
