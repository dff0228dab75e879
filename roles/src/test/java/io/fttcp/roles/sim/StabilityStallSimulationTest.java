package io.fttcp.roles.sim;

import io.fttcp.sim.net.LinkConditions;
import io.fttcp.sim.net.NetworkObserver;
import io.fttcp.sim.net.SimPort;
import io.fttcp.sim.stack.BulkEndpoint;
import io.fttcp.sim.stack.ConnectionApp;
import io.fttcp.sim.stack.SimStackHost;
import io.fttcp.stack.tcp.FourTuple;
import io.fttcp.stack.tcp.TcpSegment;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

import static io.fttcp.roles.sim.PrimaryWorld.MS;
import static io.fttcp.roles.sim.PrimaryWorld.SECOND;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The backup stops acknowledging for 2 to 4 seconds in the middle of transfers both ways. While
 * it is silent nothing becomes stable, so no client may see any more of its data acknowledged
 * (every ACK it receives stays at what was stable when the stall began) and no new output may
 * reach it, though the primary keeps receiving and logging; a client connecting meanwhile gets no
 * SYN-ACK. Once the backup acknowledges again,
 * every transfer completes byte-exact and closes in order.
 */
class StabilityStallSimulationTest {
    static final long BASE_SEED = 0x57A1_1001L;
    static final int DEFAULT_SEEDS = 100;

    static long[] run(long seed) {
        Transfers transfers = new Transfers();
        SplittableRandom setup = new SplittableRandom(seed ^ 0x57A1_0000L);
        LinkConditions link = LinkConditions.ideal().withDelay(setup.nextLong(MS, 10 * MS)).withJitter(setup.nextLong(0, MS))
                .withLoss(setup.nextDouble(0, 0.02)).withReordering(setup.nextDouble(0, 0.05), setup.nextLong(1, 5 * MS));
        PrimaryWorld world = new PrimaryWorld(seed, link, new long[] {MS, MS / 2, 3 * MS}, transfers::serverAppFor);
        transfers.attach(world);
        if (PrimaryProtectionSimulationTest.observer != null) world.sim.network().addObserver(PrimaryProtectionSimulationTest.observer);
        SplittableRandom r = world.choices;
        SimStackHost[] client = world.addClient("client", 2, link);
        int connections = r.nextInt(1, 4);
        for (int i = 0; i < connections; i++) {
            transfers.open(client, new Transfers.Plan(r.nextLong(256 * 1024, 1 << 20), r.nextLong(256 * 1024, 1 << 20), null,
                    r.nextLong(), r.nextLong()), r.nextLong(0, 50 * MS));
        }

        // What clients receive from the service during the stall, against what was stable when it began.
        Map<FourTuple, Integer> stableRcvAtStall = new HashMap<>();
        String[] breach = new String[1];
        long[] during = new long[2]; // ACK-carrying segments, data bytes delivered during the stall
        boolean[] stalled = new boolean[1];
        SimPort primaryPort = world.primaryHost.port();
        world.sim.network().addObserver(new NetworkObserver() {
            @Override
            public void delivered(SimPort from, SimPort to, ByteBuffer frame, long now) {
                if (!stalled[0] || from != primaryPort || !ServiceFrames.isIpv4From(frame, PrimaryWorld.SERVICE_ADDRESS)
                        || !ServiceFrames.isTcp(frame) || (ServiceFrames.flags(frame) & TcpSegment.ACK) == 0) {
                    return;
                }
                during[0]++;
                during[1] += ServiceFrames.payloadLength(frame);
                FourTuple t = new FourTuple(PrimaryWorld.SERVICE_ADDRESS, PrimaryWorld.PORT, PrimaryWorld.ip(2),
                        ServiceFrames.destinationPort(frame));
                Integer limit = stableRcvAtStall.get(t);
                int ack = ServiceFrames.ack(frame);
                if (breach[0] == null && (limit == null || ack - limit > 0)) {
                    breach[0] = "client " + t + " received ACK " + Integer.toUnsignedString(ack) + " during the stall, stable was "
                            + (limit == null ? "nothing" : Integer.toUnsignedString(limit)) + " at t=" + now;
                }
            }
        });

        // Stall at a random point of the transfers (by bytes moved).
        long total = transfers.bytes();
        long threshold = r.nextLong(32 * 1024, total / 2);
        boolean reached = world.sim.runUntil(() -> moved(transfers, world) >= threshold, Duration.ofMinutes(10));
        assertTrue(reached, "the transfers never moved " + threshold + " bytes: " + transfers.describe());
        world.log.pauseAcks();
        world.sim.runFor(2 * MS); // acknowledgements already on their way land (the link's delay is 1-1.5 ms)
        long stableAtStall = world.log.stableLsn(), appendedAtStall = world.log.lastLsn();
        long clientReceivedAtStall = clientReceived(transfers);
        world.log.stableImage().streams().forEach((t, s) -> stableRcvAtStall.put(t, s.rcvNext()));
        stalled[0] = true;
        // A client connects during the stall: its CONNECT cannot become stable, so no SYN-ACK may reach it.
        transfers.open(client, new Transfers.Plan(r.nextLong(1, 64 * 1024), r.nextLong(1, 64 * 1024), null, r.nextLong(),
                r.nextLong()), r.nextLong(0, 100 * MS));
        ConnectionApp lateClient = transfers.clients.getLast();
        long stallNanos = r.nextLong(2 * SECOND, 4 * SECOND);
        world.sim.runFor(stallNanos);
        stalled[0] = false;
        String where = "stall of " + stallNanos / MS + " ms after " + threshold + " of " + total + " bytes, link " + link + ", "
                + world.checker + ", " + transfers.describe();
        assertEquals(stableAtStall, world.log.stableLsn(), "nothing became stable during the stall: " + where);
        assertTrue(world.log.lastLsn() > appendedAtStall, "the primary kept logging during the stall: " + where);
        assertNull(breach[0], "a client saw more of its data acknowledged during the stall: " + where);
        assertTrue(lateClient.connection() != null && !lateClient.isEstablished(),
                "the client that connected during the stall got its connection established: " + where);
        long releasedDuringStall = clientReceived(transfers) - clientReceivedAtStall;

        world.log.resumeAcks();
        boolean ended = transfers.runToEnd(Duration.ofMinutes(30));
        where = "stall of " + stallNanos / MS + " ms after " + threshold + " of " + total + " bytes, link " + link + ", "
                + world.checker + ", " + transfers.describe();
        assertTrue(ended, "transfers did not end after the stall: " + where);
        transfers.checkAll(where);
        return new long[] {connections, total, during[0], during[1], releasedDuringStall, world.log.lastLsn() - appendedAtStall};
    }

    /** Bytes both ways the applications have read so far. */
    private static long moved(Transfers transfers, PrimaryWorld world) {
        long sum = clientReceived(transfers);
        for (ServiceApp app : world.acceptor.apps()) if (app instanceof BulkService b) sum += b.received();
        return sum;
    }

    private static long clientReceived(Transfers transfers) {
        long sum = 0;
        for (ConnectionApp app : transfers.clients) sum += ((BulkEndpoint) app).received();
        return sum;
    }

    @Test
    void clientsSeeNothingNewAcknowledgedWhileTheBackupIsSilentAndAllCompletesAfterwards() {
        long started = System.nanoTime();
        long[] totals = new long[7];
        AssertionError failed = null;
        try {
            EverySeed.run(BASE_SEED, DEFAULT_SEEDS, seed -> {
                long[] o = run(seed);
                totals[0]++;
                for (int i = 0; i < o.length; i++) totals[i + 1] += o[i];
            });
        } catch (AssertionError e) {
            failed = e;
        }
        System.out.printf("stability stall: %d seeds passed, %d connections, %.1f MiB; during stalls clients got %d segments with %d"
                        + " bytes of output committed before the stall (clients read %d bytes meanwhile); %d records logged"
                        + " meanwhile; %.1f s%n", totals[0], totals[1], totals[2] / 1048576.0, totals[3], totals[4], totals[5],
                totals[6], (System.nanoTime() - started) / 1e9);
        if (failed != null) throw failed;
    }
}
