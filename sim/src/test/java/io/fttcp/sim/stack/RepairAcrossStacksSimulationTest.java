package io.fttcp.sim.stack;

import io.fttcp.sim.SimulationSeeds;
import io.fttcp.sim.net.LinkConditions;
import io.fttcp.stack.host.Connection;
import io.fttcp.stack.tcp.TcpCheckpoint;
import org.junit.jupiter.api.Test;

import io.fttcp.stack.tcp.TcpState;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.SplittableRandom;

import static io.fttcp.sim.stack.StackWorld.MS;
import static io.fttcp.sim.stack.StackWorld.PORT;
import static io.fttcp.sim.stack.StackWorld.ip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Repair across stacks: server A serves 1 to 4 transfers on the service address; at a random
 * moment in the middle of the first, A's live connections are checkpointed and A loses power; B takes the service address over
 * (gratuitous ARP) and restores the connections from the checkpoints. The client never notices:
 * every stream completes byte for byte and the connection closes in order.
 */
class RepairAcrossStacksSimulationTest {
    static final int SERVICE = 1;

    /** Small buffers: a read returns at most this much, so a random threshold on bytes read lands mid-transfer. */
    static final int BUFFER = 128 * 1024;

    /** Sizes and pattern seeds of one connection; the server finds them by the client's port. */
    record Plan(long up, long down, long upSeed, long downSeed) {
    }

    /** How many connections were moved in each TCP state, over the seeds run. */
    static final Map<TcpState, Integer> MOVED_STATES = new TreeMap<>();

    static void run(long seed) {
        StackWorld world = new StackWorld(seed, StackWorld.patientTcp().withBuffers(BUFFER, BUFFER));
        SplittableRandom r = world.choices;
        LinkConditions link = LinkConditions.ideal().withDelay(r.nextLong(0, 10 * MS)).withLoss(r.nextDouble(0, 0.02))
                .withBandwidth(r.nextLong(10_000_000, 100_000_000), 64 * 1024);
        Map<Integer, Plan> plans = new HashMap<>();
        List<Plan> plansInOrder = new ArrayList<>();
        Acceptor[] acceptor = new Acceptor[1];
        SimStackHost[] a = world.addStackHost("a", SERVICE, link, stack -> acceptor[0] = new Acceptor(stack, PORT, 8, accepted -> {
            Plan plan = plans.get(accepted.tuple().remotePort());
            return new BulkEndpoint(new Pattern(plan.downSeed()), plan.down(), new Pattern(plan.upSeed()), plan.up());
        }));
        SimStackHost[] b = world.addStackHost("b", 3, link, stack -> { });
        SimStackHost[] clientStack = world.addStackHost("client", 2, link, stack -> { });
        List<BulkEndpoint> clients = new ArrayList<>();
        int connections = r.nextInt(1, 5);
        for (int i = 0; i < connections; i++) {
            // The first connection is long and both ways (the move is timed by it); others vary.
            Plan plan = i == 0 ? new Plan(r.nextLong(512 * 1024, 2L << 20), r.nextLong(512 * 1024, 2L << 20), r.nextLong(), r.nextLong())
                    : new Plan(StackWorld.randomSize(r), StackWorld.randomSize(r), r.nextLong(), r.nextLong());
            clients.add(new BulkEndpoint(new Pattern(plan.upSeed()), plan.up(), new Pattern(plan.downSeed()), plan.down()));
            plansInOrder.add(plan);
        }
        // The others first; the first opens once A accepted them all, so that when its transfer is
        // under way every connection is synchronized (a handshake in progress cannot be moved).
        for (int i = 1; i < connections; i++) {
            plans.put(clients.get(i).open(clientStack[0], ip(SERVICE), PORT).tuple().localPort(), plansInOrder.get(i));
        }
        assertTrue(world.sim.runUntil(() -> acceptor[0].apps().size() == connections - 1, Duration.ofMinutes(5)), "accepts");
        plans.put(clients.getFirst().open(clientStack[0], ip(SERVICE), PORT).tuple().localPort(), plansInOrder.getFirst());

        // A random moment in the middle of the first connection's transfer.
        BulkEndpoint watched = clients.getFirst();
        Plan first = plans.get(watched.connection().tuple().localPort());
        long moveAfterBytes = r.nextLong(1, first.up() + first.down() - 2 * BUFFER);
        assertTrue(world.sim.runUntil(() -> acceptor[0].apps().size() == connections
                && watched.received() + serverOf(watched, acceptor[0]).received() >= moveAfterBytes,
                Duration.ofMinutes(10)), "no progress: " + watched);
        assertTrue(watched.received() < first.down() || serverOf(watched, acceptor[0]).received() < first.up(),
                "the move came after the transfer: " + watched);

        // Checkpoint every live connection of A at the same instant, then A loses power.
        List<BulkEndpoint> moving = new ArrayList<>();
        List<TcpCheckpoint> checkpoints = new ArrayList<>();
        for (ConnectionApp app : acceptor[0].apps()) {
            if (!app.isClosed()) {
                moving.add((BulkEndpoint) app);
                checkpoints.add(repairStep(() -> a[0].checkpoint(app.connection())));
                MOVED_STATES.merge(app.connection().state(), 1, Integer::sum);
            }
        }
        world.sim.host("a").crash();

        // B takes the service address over and recreates the connections.
        b[0].takeOver(ip(SERVICE), 3, 100 * MS);
        boolean kick = r.nextBoolean(); // without it, the retransmission timer alone must recover
        List<Connection> restored = new ArrayList<>();
        for (int i = 0; i < moving.size(); i++) {
            TcpCheckpoint checkpoint = checkpoints.get(i);
            BulkEndpoint server = moving.get(i);
            Connection connection = repairStep(() -> b[0].restore(checkpoint, server));
            restored.add(connection);
            server.adopt(b[0], connection);
            if (kick) {
                b[0].kickAfterRestore(connection);
            }
        }

        boolean ended = world.sim.runUntil(() -> StackWorld.allClosed(clients) && StackWorld.allClosed(moving), Duration.ofMinutes(30));
        String where = "moved " + moving.size() + " of " + connections + " connections after " + moveAfterBytes + " bytes"
                + (kick ? " with" : " without") + " a kick, clients " + clients + ", servers " + acceptor[0].apps()
                + StackWorld.unfinished(clients) + StackWorld.unfinished(moving);
        assertTrue(ended, "did not finish after the move: " + where);
        assertEquals(connections, acceptor[0].apps().size(), "A accepted every connection before the move");
        for (BulkEndpoint client : clients) {
            StackWorld.assertOrderly(client, "client");
        }
        for (ConnectionApp server : acceptor[0].apps()) {
            StackWorld.assertOrderly(server, "server");
        }
        assertEquals(0, b[0].connectionResetsSent(), "B's connections sent resets: " + where);
        assertEquals(0, clientStack[0].connectionResetsSent(), "the client's connections sent resets: " + where);
        Connection watchedOnB = restored.get(moving.indexOf(serverOf(watched, acceptor[0])));
        assertTrue(watchedOnB.tcp().stats().segmentsReceived > 0, "B's connection heard from the client: " + where);
    }

    private static BulkEndpoint serverOf(BulkEndpoint client, Acceptor acceptor) {
        int port = client.connection().tuple().localPort();
        for (ConnectionApp app : acceptor.apps()) {
            if (app.connection().tuple().remotePort() == port) {
                return (BulkEndpoint) app;
            }
        }
        return null;
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
        System.out.println("repair across stacks: connections moved by state " + MOVED_STATES);
    }
}
