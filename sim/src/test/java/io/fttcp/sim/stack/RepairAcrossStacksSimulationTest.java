package io.fttcp.sim.stack;

import io.fttcp.sim.SimulationSeeds;
import io.fttcp.sim.net.LinkConditions;
import io.fttcp.stack.host.Connection;
import io.fttcp.stack.tcp.TcpCheckpoint;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;

import static io.fttcp.sim.stack.StackWorld.MS;
import static io.fttcp.sim.stack.StackWorld.PORT;
import static io.fttcp.sim.stack.StackWorld.ip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Repair across stacks: server A serves a transfer both ways on the service address; at a random
 * moment A's connection is checkpointed and A loses power; B takes the service address over
 * (gratuitous ARP) and restores the connection from the checkpoint. The client never notices:
 * both streams complete byte for byte and the connection closes in order.
 */
class RepairAcrossStacksSimulationTest {
    static final int SERVICE = 1;

    /** Small buffers: a read returns at most this much, so a random threshold on bytes read lands mid-transfer. */
    static final int BUFFER = 128 * 1024;

    static void run(long seed) {
        StackWorld world = new StackWorld(seed, StackWorld.patientTcp().withBuffers(BUFFER, BUFFER));
        SplittableRandom r = world.choices;
        LinkConditions link = LinkConditions.ideal().withDelay(r.nextLong(0, 10 * MS)).withLoss(r.nextDouble(0, 0.02))
                .withBandwidth(r.nextLong(10_000_000, 100_000_000), 64 * 1024);
        long up = r.nextLong(512 * 1024, 2L << 20), down = r.nextLong(512 * 1024, 2L << 20);
        Acceptor[] acceptor = new Acceptor[1];
        SimStackHost[] a = world.addStackHost("a", SERVICE, link, stack -> acceptor[0] = new Acceptor(stack, PORT, 8,
                accepted -> new BulkEndpoint(new Pattern(seed + 1), down, new Pattern(seed), up)));
        SimStackHost[] b = world.addStackHost("b", 3, link, stack -> { });
        BulkEndpoint client = new BulkEndpoint(new Pattern(seed), up, new Pattern(seed + 1), down);
        world.addStackHost("client", 2, link, stack -> client.open(stack, ip(SERVICE), PORT));

        // A random moment in the middle of the transfer.
        long moveAfterBytes = r.nextLong(1, up + down - 2 * BUFFER);
        assertTrue(world.sim.runUntil(() -> !acceptor[0].apps().isEmpty()
                && client.received() + ((BulkEndpoint) acceptor[0].apps().getFirst()).received() >= moveAfterBytes,
                Duration.ofMinutes(10)), "no progress: " + client);
        BulkEndpoint server = (BulkEndpoint) acceptor[0].apps().getFirst();
        assertTrue(client.received() < down || server.received() < up, "the move came after the transfer: " + client + ", server " + server + ", threshold " + moveAfterBytes + " at " + world.sim.now());
        TcpCheckpoint checkpoint = repairStep(() -> a[0].checkpoint(server.connection()));
        world.sim.host("a").crash();

        b[0].takeOver(ip(SERVICE), 3, 100 * MS);
        Connection restored = repairStep(() -> b[0].restore(checkpoint, server));
        server.adopt(b[0], restored);
        boolean kick = r.nextBoolean(); // without it, the retransmission timer alone must recover
        if (kick) {
            b[0].kickAfterRestore(restored);
        }

        boolean ended = world.sim.runUntil(() -> client.isClosed() && server.isClosed(), Duration.ofMinutes(30));
        String where = "moved after " + moveAfterBytes + " bytes" + (kick ? " with" : " without") + " a kick, client " + client + ", server " + server
                + StackWorld.unfinished(List.of(client, server));
        assertTrue(ended, "did not finish after the move: " + where);
        StackWorld.assertOrderly(client, "client");
        StackWorld.assertOrderly(server, "server (restored on B)");
        assertEquals(0, b[0].connectionResetsSent(), "B's connection sent resets: " + where);
        assertTrue(restored.tcp().stats().segmentsReceived > 0, "B's connection heard from the client: " + where);
    }

    /** Runs a checkpoint or restore call; skips the test while TcpConnection does not implement them yet. */
    private static <T> T repairStep(java.util.function.Supplier<T> step) {
        try {
            return step.get();
        } catch (UnsupportedOperationException e) {
            assumeTrue(false, "skipped: TcpConnection checkpoint/restore not implemented yet (" + e.getMessage() + ")");
            throw e;
        }
    }

    @Test
    void clientStreamsCompleteByteExactAfterTheConnectionMovesToAnotherHost() {
        try {
            SimulationSeeds.forEach(0x4E9A_0001L, 60, RepairAcrossStacksSimulationTest::run);
        } catch (AssertionError failure) {
            if (failure.getCause() instanceof org.opentest4j.TestAbortedException skipped) {
                throw skipped; // not a failure of a seed: repair is not implemented yet
            }
            throw failure;
        }
    }
}
