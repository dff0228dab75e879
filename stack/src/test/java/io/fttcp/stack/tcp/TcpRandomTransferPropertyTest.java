package io.fttcp.stack.tcp;

import static io.fttcp.stack.tcp.TestNet.MS;
import static org.junit.jupiter.api.Assertions.*;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Seeded random transfers in both directions under loss, duplication, reordering and delay. */
class TcpRandomTransferPropertyTest {
    static final int CASES = Integer.getInteger("tcp.property.cases", 300);
    static final long BUDGET = Long.getLong("tcp.property.budgetSeconds", 3_000) * 1000 * MS;
    static final double MAX_LOSS = Double.parseDouble(System.getProperty("tcp.property.maxLoss", "0.12"));

    static TcpConfig randomConfig(SplittableRandom r) {
        int mss = 200 + r.nextInt(1261);
        int rcv = r.nextBoolean() ? 2_000 + r.nextInt(64_000) : 16_000 + r.nextInt(1 << 20);
        int snd = r.nextBoolean() ? 2_000 + r.nextInt(64_000) : 16_000 + r.nextInt(1 << 20);
        return TcpConfig.defaults().withMss(mss).withBuffers(rcv, snd)
                .withOptions(r.nextInt(4) != 0, r.nextInt(4) != 0, r.nextInt(4) != 0)
                .withCongestionControl(r.nextBoolean() ? TcpConfig.CongestionControl.CUBIC : TcpConfig.CongestionControl.NEWRENO)
                .withNagle(r.nextBoolean())
                .withRetries(20, 30);
    }

    static void runCase(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        TestNet net = new TestNet(seed, randomConfig(r), randomConfig(r));
        net.recordSent = false;
        net.loss = r.nextInt(3) == 0 ? 0 : r.nextDouble() * MAX_LOSS;
        net.duplication = r.nextInt(3) == 0 ? 0 : r.nextDouble() * 0.05;
        net.delay = (1 + r.nextInt(30)) * MS;
        net.jitter = r.nextBoolean() ? 0 : r.nextInt(20) * MS;
        net.writeChunk = 1 + r.nextInt(r.nextBoolean() ? 100 : 70_000);
        net.a.readChunk = 1 + r.nextInt(70_000);
        net.b.readChunk = 1 + r.nextInt(70_000);
        if (r.nextInt(4) == 0) net.a.offload = r.nextInt(70_000);
        if (r.nextInt(4) == 0) net.b.offload = r.nextInt(70_000);
        byte[] up = TestNet.randomBytes(r, r.nextInt(4) == 0 ? r.nextInt(100) : r.nextInt(300_000));
        byte[] down = TestNet.randomBytes(r, r.nextInt(4) == 0 ? r.nextInt(100) : r.nextInt(300_000));
        net.a.toSend = up;
        net.b.toSend = down;
        net.a.shutdownWhenDone = true;
        net.b.shutdownWhenDone = true;
        net.a.connect();
        if (r.nextInt(8) == 0) net.b.connect(); // simultaneous open
        boolean done = net.runUntil(() -> net.a.eof && net.b.eof, BUDGET);
        String where = "seed " + seed + "\n" + net.describe();
        assertTrue(done, where);
        assertEquals(up.length, net.b.received.size(), where);
        assertEquals(down.length, net.a.received.size(), where);
        assertTrue(Arrays.equals(up, net.b.received.toByteArray()), where);
        assertTrue(Arrays.equals(down, net.a.received.toByteArray()), where);
        // Both sides eventually close cleanly (the last ACKs can be lost: LAST_ACK retransmits the FIN).
        assertTrue(net.runUntil(() -> net.a.closed != null && net.b.closed != null, BUDGET), where);
        // Orderly on both sides, except that a FIN whose ACKs were all lost until the peer's TIME-WAIT
        // ran out meets the peer host's RST: then that side (only) sees a reset, after a complete stream.
        boolean aOk = net.a.closed == CloseReason.CLOSED || (net.a.closed == CloseReason.RESET_BY_PEER && net.b.closed == CloseReason.CLOSED);
        boolean bOk = net.b.closed == CloseReason.CLOSED || (net.b.closed == CloseReason.RESET_BY_PEER && net.a.closed == CloseReason.CLOSED);
        assertTrue(aOk && bOk, "close reasons " + net.a.closed + "/" + net.b.closed + ", " + where);
        if (net.loss == 0 && net.duplication == 0 && net.jitter == 0) {
            assertEquals(0, net.a.conn.stats().retransmits + net.b.conn.stats().retransmits, "spurious retransmissions, " + where);
        }
    }

    @Test
    void randomTransfersAreByteExact() {
        long base = Long.getLong("tcp.property.seed", 20261126L);
        for (int i = 0; i < CASES; i++) runCase(base + i);
    }
}
