package io.fttcp.sim.stack;

import io.fttcp.sim.SimulationSeeds;
import io.fttcp.sim.net.LinkConditions;
import io.fttcp.sim.net.NetworkObserver;
import io.fttcp.sim.net.SimPort;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;

import static io.fttcp.sim.stack.StackWorld.MS;
import static io.fttcp.sim.stack.StackWorld.PORT;
import static io.fttcp.sim.stack.StackWorld.SECOND;
import static io.fttcp.sim.stack.StackWorld.ip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A partition of 1 to 8 seconds in the middle of a transfer both ways; after it heals the streams complete intact. */
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

        // Mid-transfer: once 10 to 50% of the download's bytes (in frames, retransmissions too)
        // have reached the client, cut the two apart for 1 to 8 seconds. Fewer than all of them can
        // have arrived then. (A cut at a random time, 100 to 600 ms in, came after a fast transfer
        // had finished in 1 of 2,000 seeds.)
        long cutAtFrameBytes = r.nextLong(down / 10, down / 2);
        long healAfter = r.nextLong(1 * SECOND, 8 * SECOND);
        var network = world.sim.network();
        SimPort clientPort = network.port("client");
        var ports = List.of(clientPort);
        var others = List.of(network.port("server"));
        long[] progressAtCut = {-1, -1};
        long[] partitionAt = {-1};
        long[] frameBytesToClient = {0};
        network.addObserver(new NetworkObserver() {
            @Override
            public void delivered(SimPort from, SimPort to, ByteBuffer frame, long now) {
                if (to != clientPort || partitionAt[0] >= 0 || frame.remaining() < 200) return;
                frameBytesToClient[0] += frame.remaining();
                if (frameBytesToClient[0] < cutAtFrameBytes) return;
                partitionAt[0] = now;
                world.sim.scheduler().after(0, () -> { // not from inside the delivery
                    network.partition(ports, others);
                    progressAtCut[0] = app.sent();
                    progressAtCut[1] = app.received();
                    world.sim.scheduler().after(healAfter, network::heal);
                });
            }
        });

        boolean ended = world.sim.runUntil(() -> app.isClosed() && !acceptor[0].apps().isEmpty()
                && acceptor[0].apps().getFirst().isClosed(), Duration.ofMinutes(30));
        String where = "partition at " + partitionAt[0] / MS + " ms (" + progressAtCut[1] + " of " + down + " bytes received) for "
                + healAfter / MS + " ms, client " + app
                + ", server " + acceptor[0].apps() + StackWorld.unfinished(List.of(app)) + StackWorld.unfinished(acceptor[0].apps());
        assertTrue(progressAtCut[1] >= 0 && progressAtCut[1] < down, "the partition did not cut the transfer: " + where);
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
