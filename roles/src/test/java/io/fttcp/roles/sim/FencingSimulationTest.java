package io.fttcp.roles.sim;

import io.fttcp.sim.net.LinkConditions;
import io.fttcp.sim.net.NetworkObserver;
import io.fttcp.sim.net.SimPort;
import io.fttcp.sim.stack.BulkEndpoint;
import io.fttcp.sim.stack.ConnectionApp;
import io.fttcp.sim.stack.SimStackHost;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.SplittableRandom;

import static io.fttcp.roles.sim.PrimaryWorld.MS;
import static io.fttcp.roles.sim.PrimaryWorld.SECOND;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fencing: in the middle of transfers the primary's lease expires and its wrapper is fenced.
 * From then on nothing from the service address leaves the primary (no data, ACK, FIN or RST),
 * so after the frames already on the wire have landed, the clients receive nothing from the
 * service address, though the primary's stack keeps trying to send.
 */
class FencingSimulationTest {
    static final long BASE_SEED = 0xFE9C_E001L;

    static long[] run(long seed) {
        Transfers transfers = new Transfers();
        SplittableRandom setup = new SplittableRandom(seed ^ 0xFE9C_0000L);
        long delay = setup.nextLong(MS, 10 * MS), jitter = setup.nextLong(0, MS), reorderDelay = setup.nextLong(1, 5 * MS);
        LinkConditions link = LinkConditions.ideal().withDelay(delay).withJitter(jitter).withLoss(setup.nextDouble(0, 0.02))
                .withReordering(setup.nextDouble(0, 0.05), reorderDelay);
        // The longest a frame sent before fencing can still travel: primary uplink plus client downlink.
        long inFlight = 2 * (delay + jitter + reorderDelay) + MS;
        PrimaryWorld world = new PrimaryWorld(seed, link, PrimaryWorld.randomReplication(setup), transfers::serverAppFor);
        transfers.attach(world);
        SplittableRandom r = world.choices;
        SimStackHost[] client = world.addClient("client", 2, link);
        int connections = r.nextInt(1, 4);
        for (int i = 0; i < connections; i++) {
            transfers.open(client, new Transfers.Plan(r.nextLong(128 * 1024, 512 * 1024), r.nextLong(128 * 1024, 512 * 1024), null,
                    r.nextLong(), r.nextLong()), r.nextLong(0, 50 * MS));
        }
        long[] fencedAt = {Long.MAX_VALUE / 2};
        long[] late = new long[2]; // frames from the service delivered to the client after the in-flight ones, the last one's time
        SimPort primaryPort = world.primaryHost.port();
        world.sim.network().addObserver(new NetworkObserver() {
            @Override
            public void delivered(SimPort from, SimPort to, ByteBuffer frame, long now) {
                if (from == primaryPort && now - fencedAt[0] > inFlight && ServiceFrames.isIpv4From(frame, PrimaryWorld.SERVICE_ADDRESS)) {
                    late[0]++;
                    late[1] = now;
                }
            }
        });

        long total = transfers.bytes();
        long threshold = r.nextLong(16 * 1024, total / 2);
        assertTrue(world.sim.runUntil(() -> clientReceived(transfers) + serverReceived(world) >= threshold, Duration.ofMinutes(10)),
                "the transfers never moved " + threshold + " bytes: " + transfers.describe());
        fencedAt[0] = world.sim.now();
        world.checker.fenced(true);
        world.primary.setFenced(true);
        world.sim.runFor(inFlight);
        long clientBytesAfterInFlight = clientReceived(transfers);
        world.sim.runFor(r.nextLong(2 * SECOND, 4 * SECOND));
        String where = "fenced after " + threshold + " of " + total + " bytes, link " + link + ", " + world.checker + ", "
                + transfers.describe();
        assertNull(world.checker.violation(), "the fenced primary sent: " + where);
        assertEquals(0, late[0], "the client received frames from the service address while it was fenced (last at t="
                + late[1] + "): " + where);
        assertEquals(clientBytesAfterInFlight, clientReceived(transfers), "clients read more data while fenced: " + where);
        long dropped = world.primary.ssw().stats().droppedWhileFenced;
        assertTrue(dropped > 0 || allDone(transfers), "the stack kept sending and the wrapper dropped it: " + where);
        return new long[] {connections, dropped};
    }

    /** Nothing was left for the primary to send: every client has all its data and our FIN. */
    private static boolean allDone(Transfers transfers) {
        for (ConnectionApp app : transfers.clients) {
            if (app.isClosed()) continue;
            if (!(app instanceof BulkEndpoint b) || !b.endOfStream() || b.received() != b.expectBytes()) return false;
        }
        return true;
    }

    private static long clientReceived(Transfers transfers) {
        long sum = 0;
        for (ConnectionApp app : transfers.clients) sum += ((BulkEndpoint) app).received();
        return sum;
    }

    private static long serverReceived(PrimaryWorld world) {
        long sum = 0;
        for (ServiceApp app : world.acceptor.apps()) sum += ((BulkService) app).received();
        return sum;
    }

    @Test
    void aFencedPrimarySendsNothingFromTheServiceAddress() {
        long started = System.nanoTime();
        long[] totals = new long[3];
        EverySeed.run(BASE_SEED, 100, seed -> {
            long[] o = run(seed);
            totals[0]++;
            totals[1] += o[0];
            totals[2] += o[1];
        });
        System.out.printf("fencing: %d seeds, %d connections fenced mid-transfer, %d packets dropped while fenced; %.1f s%n",
                totals[0], totals[1], totals[2], (System.nanoTime() - started) / 1e9);
    }
}
