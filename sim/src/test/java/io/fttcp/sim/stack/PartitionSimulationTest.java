package io.fttcp.sim.stack;

import io.fttcp.sim.SimulationSeeds;
import io.fttcp.sim.net.LinkConditions;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;

import static io.fttcp.sim.stack.StackWorld.MS;
import static io.fttcp.sim.stack.StackWorld.PORT;
import static io.fttcp.sim.stack.StackWorld.SECOND;
import static io.fttcp.sim.stack.StackWorld.ip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A partition of a few seconds in the middle of a transfer both ways; after it heals the streams complete intact. */
class PartitionSimulationTest {
    static void run(long seed) {
        StackWorld world = new StackWorld(seed);
        SplittableRandom r = world.choices;
        LinkConditions link = LinkConditions.ideal().withDelay(r.nextLong(1 * MS, 20 * MS)).withLoss(r.nextDouble(0, 0.02))
                .withBandwidth(r.nextLong(5_000_000, 50_000_000), 32 * 1024);
        long up = r.nextLong(256 * 1024, 2 << 20), down = r.nextLong(256 * 1024, 2 << 20);
        Acceptor[] acceptor = new Acceptor[1];
        SimStackHost[] server = world.addStackHost("server", 1, link, stack -> acceptor[0] = new Acceptor(stack, PORT, 8,
                accepted -> new BulkEndpoint(new Pattern(seed + 1), down, new Pattern(seed), up)));
        SimStackHost[] client = world.addStackHost("client", 2, link, stack -> { });
        BulkEndpoint app = new BulkEndpoint(new Pattern(seed), up, new Pattern(seed + 1), down);
        app.open(client[0], ip(1), PORT);

        // Mid-transfer: after some data has moved, cut the two apart for 1 to 8 seconds.
        long partitionAt = r.nextLong(100 * MS, 600 * MS);
        long healAfter = r.nextLong(1 * SECOND, 8 * SECOND);
        var network = world.sim.network();
        var ports = List.of(network.port("client"));
        var others = List.of(network.port("server"));
        long[] progressAtCut = new long[2];
        world.sim.scheduler().schedule(partitionAt, () -> {
            network.partition(ports, others);
            progressAtCut[0] = app.sent();
            progressAtCut[1] = app.received();
        });
        world.sim.scheduler().schedule(partitionAt + healAfter, network::heal);

        boolean ended = world.sim.runUntil(() -> app.isClosed() && !acceptor[0].apps().isEmpty()
                && acceptor[0].apps().getFirst().isClosed(), Duration.ofMinutes(30));
        String where = "partition at " + partitionAt / MS + " ms for " + healAfter / MS + " ms, client " + app
                + ", server " + acceptor[0].apps() + StackWorld.unfinished(List.of(app)) + StackWorld.unfinished(acceptor[0].apps());
        assertTrue(progressAtCut[0] < up || progressAtCut[1] < down, "the partition came after the transfer: " + where);
        assertTrue(ended, "did not finish: " + where);
        StackWorld.assertOrderly(app, "client");
        StackWorld.assertOrderly(acceptor[0].apps().getFirst(), "server");
        assertEquals(0, client[0].connectionResetsSent() + server[0].connectionResetsSent(), "resets: " + where);
        assertTrue(network.port("client").stats().dropped(io.fttcp.sim.net.DropCause.PARTITION)
                + network.port("server").stats().dropped(io.fttcp.sim.net.DropCause.PARTITION) > 0,
                "the partition dropped nothing: " + where);
    }

    @Test
    void transferCompletesIntactAfterAPartitionHeals() {
        SimulationSeeds.forEach(0x9A27_0001L, 60, PartitionSimulationTest::run);
    }
}
