package io.fttcp.stack.tcp;

import static io.fttcp.stack.tcp.TestNet.MS;
import static org.junit.jupiter.api.Assertions.*;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Seeded bulk transfers through loss (both ways), reordering, duplication and delay, with SACK
 * on and off, some across a sequence-number wrap: each completes byte-exact, FIN included,
 * within a generous bound. Loss recovery
 * (going back N over what was SACKed, lost retransmissions, reneging) must never leave the
 * sender unable to repair what the peer lacks. Run more with -Dtcp.recovery.cases=2000.
 */
class TcpLossRecoveryPropertyTest {
    static final int CASES = Integer.getInteger("tcp.recovery.cases", 100);
    /** Virtual time for one transfer: at 10% loss both ways the slowest of 2,000 seeds took under 9 minutes. */
    static final long BUDGET = 1_800_000 * MS;

    static void runCase(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        boolean sack = r.nextInt(4) != 0;
        int mss = 200 + r.nextInt(1261);
        int rcv = r.nextBoolean() ? 8_000 + r.nextInt(64_000) : 64_000 + r.nextInt(1 << 21);
        int snd = 64_000 + r.nextInt(1 << 21);
        TcpConfig config = TcpConfig.defaults().withMss(mss).withBuffers(rcv, snd).withOptions(true, r.nextBoolean(), sack)
                .withCongestionControl(r.nextBoolean() ? TcpConfig.CongestionControl.CUBIC : TcpConfig.CongestionControl.NEWRENO)
                .withRetries(20, 40);
        TestNet net = new TestNet(seed, config);
        net.recordSent = false;
        if (r.nextInt(4) == 0) net.a.iss = Integer.MAX_VALUE - r.nextInt(600_000); // the transfer crosses 2^31
        if (r.nextInt(4) == 0) net.a.iss = -1 - r.nextInt(600_000); // ... or 2^32
        double loss = r.nextDouble() * 0.10;
        net.duplication = r.nextInt(3) == 0 ? r.nextDouble() * 0.05 : 0;
        net.delay = (1 + r.nextInt(50)) * MS;
        net.jitter = r.nextBoolean() ? 0 : r.nextInt(40) * MS;
        net.writeChunk = 1 + r.nextInt(70_000);
        byte[] data = TestNet.randomBytes(r, 20_000 + r.nextInt(500_000));
        String where = "seed " + seed + " (sack " + sack + ", loss " + loss + ", jitter " + net.jitter / MS + " ms, duplication " + net.duplication + ")";
        assertTrue(net.handshake(), where);
        net.loss = loss;
        net.a.toSend = data;
        net.a.shutdownWhenDone = true;
        boolean done = net.runUntil(() -> net.b.eof, BUDGET);
        where += "\n" + net.describe();
        assertTrue(done, "not complete within the bound, " + where);
        assertTrue(Arrays.equals(data, net.b.received.toByteArray()), "not byte-exact, " + where);
    }

    @Test
    void bulkTransfersThroughLossReorderingAndDuplicationComplete() {
        long base = Long.getLong("tcp.recovery.seed", 20261128L);
        for (int i = 0; i < CASES; i++) runCase(base + i);
    }
}
