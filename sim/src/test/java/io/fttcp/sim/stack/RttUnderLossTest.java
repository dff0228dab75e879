package io.fttcp.sim.stack;

import io.fttcp.sim.SimulationSeeds;
import io.fttcp.sim.net.LinkConditions;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static io.fttcp.sim.stack.StackWorld.MS;
import static io.fttcp.sim.stack.StackWorld.PORT;
import static io.fttcp.sim.stack.StackWorld.ip;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One 1 MiB transfer over a 40 ms round trip with 10% loss each way. Lost ACKs make the receiver
 * answer retransmissions with an old TSecr, so some RTT samples are too long; the sender's
 * smoothed RTT must still stay near the path's (here: under 2 s) and the transfer must finish in
 * a few minutes, not spiral into maximal retransmission timeouts.
 */
class RttUnderLossTest {
    static final long BYTES = 1 << 20;

    static void run(long seed) {
        StackWorld world = new StackWorld(seed);
        LinkConditions link = LinkConditions.ideal().withDelay(10 * MS).withLoss(0.10);
        Acceptor[] acceptor = new Acceptor[1];
        SimStackHost[] server = world.addStackHost("server", 1, link,
                stack -> acceptor[0] = new Acceptor(stack, PORT, 8,
                        accepted -> new BulkEndpoint(new Pattern(2), 0, new Pattern(1), BYTES)));
        SimStackHost[] client = world.addStackHost("client", 2, link, stack -> { });
        BulkEndpoint sender = new BulkEndpoint(new Pattern(1), BYTES, new Pattern(2), 0);
        sender.open(client[0], ip(1), PORT);
        long[] maxSrtt = new long[1];
        boolean done = world.sim.runUntil(() -> {
            maxSrtt[0] = Math.max(maxSrtt[0], sender.connection().tcp().stats().srtt);
            return sender.isClosed() && !acceptor[0].apps().isEmpty() && acceptor[0].apps().getFirst().isClosed();
        }, Duration.ofMinutes(10));
        String where = "sender " + sender + ", receiver " + acceptor[0].apps() + ", max srtt " + maxSrtt[0] / 1e6 + " ms"
                + StackWorld.unfinished(java.util.List.of(sender)) + StackWorld.unfinished(acceptor[0].apps());
        assertTrue(maxSrtt[0] < 2_000 * MS, "smoothed RTT ran away (path RTT is 40 ms): " + where);
        assertTrue(done, "1 MiB at 10% loss did not finish within 10 minutes of virtual time: " + where);
        StackWorld.assertOrderly(sender, "sender");
        StackWorld.assertOrderly(acceptor[0].apps().getFirst(), "receiver");
    }

    @Test
    void smoothedRttStaysNearThePathRttWhenAcksAreLost() {
        SimulationSeeds.forEach(0x4177_0001L, 40, RttUnderLossTest::run);
    }
}
