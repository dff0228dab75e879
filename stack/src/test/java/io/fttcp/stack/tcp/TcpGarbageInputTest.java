package io.fttcp.stack.tcp;

import static io.fttcp.stack.tcp.TestNet.MS;
import static org.junit.jupiter.api.Assertions.*;

import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Random and adversarial segments never throw and never break the connection's invariants. */
class TcpGarbageInputTest {

    private static TcpSegment randomSegment(SplittableRandom r, TcpConnection c) {
        TcpSegment s = new TcpSegment();
        int near = r.nextBoolean() ? c.rcvNxt() : c.sndUna();
        s.seq = r.nextInt(4) == 0 ? r.nextInt() : near + r.nextInt(-70_000, 70_000);
        s.ack = r.nextInt(4) == 0 ? r.nextInt() : c.sndUna() + r.nextInt(-70_000, 70_000);
        s.flags = r.nextInt(256);
        s.window = r.nextInt(65536);
        s.mss = r.nextInt(3) == 0 ? r.nextInt(-1, 70_000) : -1;
        s.windowScale = r.nextInt(3) == 0 ? r.nextInt(-1, 20) : -1;
        s.sackPermitted = r.nextBoolean();
        s.hasTimestamp = r.nextBoolean();
        s.tsVal = r.nextBoolean() ? c.tsRecent() + r.nextInt(-10, 1000) : r.nextInt();
        s.tsEcr = r.nextInt();
        s.sackBlockCount = r.nextInt(TcpSegment.MAX_SACK_BLOCKS + 1);
        for (int i = 0; i < s.sackBlockCount; i++) {
            s.sackLeft[i] = c.sndUna() + r.nextInt(-100_000, 100_000);
            s.sackRight[i] = r.nextBoolean() ? s.sackLeft[i] + r.nextInt(5000) : r.nextInt();
        }
        if (r.nextBoolean()) {
            byte[] p = new byte[r.nextInt(3000)];
            int off = p.length == 0 ? 0 : r.nextInt(p.length);
            s.payload = ByteBuffer.wrap(p, off, p.length - off);
        }
        return s;
    }

    @Test
    void randomSegmentsAgainstLiveConnections() {
        long base = 8080;
        for (int i = 0; i < 80; i++) {
            long seed = base + i;
            SplittableRandom r = new SplittableRandom(seed);
            TestNet net = new TestNet(seed, TcpRandomTransferPropertyTest.randomConfig(r));
            net.recordSent = false;
            net.a.toSend = TestNet.randomBytes(r, r.nextInt(100_000));
            net.b.toSend = TestNet.randomBytes(r, r.nextInt(100_000));
            net.a.connect();
            net.runFor(r.nextInt(50) * MS);
            for (int k = 0; k < 300; k++) {
                TestNet.Endpoint e = r.nextBoolean() ? net.a : net.b;
                if (e.conn == null) continue;
                TcpSegment g = randomSegment(r, e.conn);
                try {
                    e.conn.onSegment(g, net.now);
                    e.pump();
                } catch (RuntimeException ex) {
                    throw new AssertionError("seed " + seed + " segment " + g, ex);
                }
                TcpConnection c = e.conn;
                assertTrue(Seq.le(c.sndUna(), c.sndNxt()) && Seq.le(c.sndNxt(), c.sndMax()), "seed " + seed + " " + c);
                if (r.nextInt(10) == 0) net.runFor(r.nextInt(20) * MS);
            }
            net.runFor(2_000 * MS);
        }
    }

    @Test
    void tinyOutOfOrderFloodIsBounded() {
        TcpConfig cfg = TcpConfig.defaults().withBuffers(1 << 20, 1 << 20);
        TestNet net = new TestNet(81, cfg);
        assertTrue(net.handshake());
        TcpConnection a = net.a.conn;
        int base = a.rcvNxt();
        for (int i = 0; i < 100_000; i++) {
            TcpSegment s = new TcpSegment();
            s.flags = TcpSegment.ACK;
            s.seq = base + 2 + 2 * i;
            s.ack = a.sndNxt();
            s.window = 1000;
            s.hasTimestamp = true;
            s.tsVal = a.tsRecent();
            s.payload = ByteBuffer.wrap(new byte[1]);
            a.onSegment(s, net.now);
        }
        assertTrue(a.stats().outOfOrderSegments <= (1 << 20) / 512, "held " + a.stats().outOfOrderSegments);
        assertTrue(a.stats().invalidSegments > 90_000);
        assertEquals(TcpState.ESTABLISHED, a.state());
        assertEquals(0, a.readableBytes());
    }
}
