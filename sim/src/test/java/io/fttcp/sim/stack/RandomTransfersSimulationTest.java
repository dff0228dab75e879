package io.fttcp.sim.stack;

import io.fttcp.sim.SimulationSeeds;
import io.fttcp.sim.net.LinkConditions;
import io.fttcp.stack.host.Connection;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static io.fttcp.sim.stack.StackWorld.MS;
import static io.fttcp.sim.stack.StackWorld.PORT;
import static io.fttcp.sim.stack.StackWorld.ip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Transfers between two stack hosts over random faulty links: random sizes (0 to 2 MiB), either
 * or both directions, request-response exchanges, 1 to 8 connections at once. Every stream is
 * checked byte for byte, and every connection must end in an orderly close without a reset.
 */
class RandomTransfersSimulationTest {
    static final long BASE_SEED = 0x5EED_57AC_0001L;
    private static final int DEFAULT_SEEDS = 1000;

    /** What one connection does; the server finds it by the client's port. */
    record Plan(long upBytes, long downBytes, int[] requests, long upSeed, long downSeed) {
        static Plan random(SplittableRandom r) {
            long upSeed = r.nextLong(), downSeed = r.nextLong();
            return switch (r.nextInt(5)) {
                case 0 -> new Plan(StackWorld.randomSize(r), 0, null, upSeed, downSeed);
                case 1 -> new Plan(0, StackWorld.randomSize(r), null, upSeed, downSeed);
                case 2, 3 -> new Plan(StackWorld.randomSize(r), StackWorld.randomSize(r), null, upSeed, downSeed);
                default -> {
                    int[] requests = new int[r.nextInt(1, 20)];
                    for (int i = 0; i < requests.length; i++) {
                        requests[i] = (int) Math.min(64 * 1024, StackWorld.randomSize(r));
                    }
                    yield new Plan(0, 0, requests, upSeed, downSeed);
                }
            };
        }

        ConnectionApp clientApp() {
            return requests != null ? new RequestResponseClient(new Pattern(upSeed), requests)
                    : new BulkEndpoint(new Pattern(upSeed), upBytes, new Pattern(downSeed), downBytes);
        }

        ConnectionApp serverApp() {
            return requests != null ? new EchoEndpoint()
                    : new BulkEndpoint(new Pattern(downSeed), downBytes, new Pattern(upSeed), upBytes);
        }

        long bytes() {
            long sum = upBytes + downBytes;
            if (requests != null) {
                for (int n : requests) {
                    sum += 2L * n;
                }
            }
            return sum;
        }
    }

    /** An extra observer for investigating one seed (see SeedInvestigation). */
    static io.fttcp.sim.net.NetworkObserver observer;

    record Outcome(int connections, long bytes, long strayResets, String trace) {
    }

    /** One seed: random conditions, random plans, everything checked. */
    static Outcome run(long seed) {
        StackWorld world = new StackWorld(seed);
        SplittableRandom r = world.choices;
        LinkConditions clientLink = StackWorld.randomConditions(r);
        LinkConditions serverLink = r.nextInt(3) == 0 ? LinkConditions.ideal() : StackWorld.randomConditions(r);
        Map<Integer, Plan> plans = new HashMap<>();
        Acceptor[] acceptor = new Acceptor[1];
        SimStackHost[] server = world.addStackHost("server", 1, serverLink,
                stack -> acceptor[0] = new Acceptor(stack, PORT, 64,
                        accepted -> plans.get(accepted.tuple().remotePort()).serverApp()));
        SimStackHost[] client = world.addStackHost("client", 2, clientLink, stack -> { });
        var trace = io.fttcp.sim.net.TraceDigest.on(world.sim.network());
        if (observer != null) {
            world.sim.network().addObserver(observer);
        }

        int connections = r.nextInt(1, 9);
        List<ConnectionApp> clientApps = new ArrayList<>();
        long bytes = 0;
        for (int i = 0; i < connections; i++) {
            Plan plan = Plan.random(r);
            bytes += plan.bytes();
            ConnectionApp app = plan.clientApp();
            clientApps.add(app);
            world.sim.scheduler().after(r.nextLong(0, 200 * MS), () -> {
                Connection c = app.open(client[0], ip(1), PORT);
                plans.put(c.tuple().localPort(), plan);
            });
        }
        world.sim.runUntil(() -> clientApps.stream().allMatch(a -> a.connection() != null), Duration.ofSeconds(1));
        boolean ended = world.sim.runUntil(() -> StackWorld.allClosed(clientApps) && StackWorld.allClosed(acceptor[0].apps())
                && acceptor[0].apps().size() == connections, Duration.ofHours(2));

        String where = "client " + clientLink + ", server " + serverLink + ", clients " + clientApps + ", servers " + acceptor[0].apps();
        assertTrue(ended, "connections did not all end within 2 h of virtual time: " + where
                + StackWorld.unfinished(clientApps) + StackWorld.unfinished(acceptor[0].apps()));
        for (ConnectionApp app : clientApps) {
            StackWorld.assertOrderly(app, "client");
        }
        assertEquals(connections, acceptor[0].apps().size(), "accepted connections: " + where);
        for (ConnectionApp app : acceptor[0].apps()) {
            StackWorld.assertOrderly(app, "server");
        }
        assertEquals(0, client[0].connectionResetsSent(), "client connections sent resets: " + where);
        assertEquals(0, server[0].connectionResetsSent(), "server connections sent resets: " + where);
        assertEquals(0, client[0].connectionCount(), "client still holds connections");
        assertEquals(0, server[0].connectionCount(), "server still holds connections");
        return new Outcome(connections, bytes, client[0].resetsSent() + server[0].resetsSent(), trace.hex());
    }

    @Test
    void everyStreamArrivesIntactAndEveryConnectionClosesInOrder() {
        long[] totals = new long[3];
        long started = System.nanoTime();
        SimulationSeeds.forEach(BASE_SEED, DEFAULT_SEEDS, seed -> {
            Outcome outcome = run(seed);
            totals[0] += outcome.connections();
            totals[1] += outcome.bytes();
            totals[2] += outcome.strayResets();
        });
        System.out.printf("random transfers: %d connections, %.1f MiB checked, %d resets for late segments after close, %.1f s%n",
                totals[0], totals[1] / 1048576.0, totals[2], (System.nanoTime() - started) / 1e9);
    }
}
