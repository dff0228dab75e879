package io.fttcp.sim.stack;

import io.fttcp.sim.SimHost;
import io.fttcp.sim.SimulationSeeds;
import io.fttcp.sim.net.LinkConditions;
import io.fttcp.stack.tcp.CloseReason;
import io.fttcp.stack.tcp.TcpConfig;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.SplittableRandom;

import static io.fttcp.sim.stack.StackWorld.MS;
import static io.fttcp.sim.stack.StackWorld.PORT;
import static io.fttcp.sim.stack.StackWorld.SECOND;
import static io.fttcp.sim.stack.StackWorld.ip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The client loses power in the middle of a transfer. The server must notice and free the
 * connection: if the client comes back, its fresh stack answers the server's next segment with
 * a reset (RFC 9293 3.10.7.1: no connection, so RST); if it stays down, retransmissions (or
 * keepalives, when the server is only receiving) time out.
 */
class ClientCrashSimulationTest {
    /** Keepalive after 20 s idle, 3 probes 5 s apart: a receiving server notices a silent peer. */
    static final TcpConfig TCP = StackWorld.patientTcp().withKeepalive(20 * SECOND, 5 * SECOND, 3);

    static void run(long seed) {
        StackWorld world = new StackWorld(seed, TCP);
        SplittableRandom r = world.choices;
        LinkConditions link = LinkConditions.ideal().withDelay(r.nextLong(1 * MS, 20 * MS)).withLoss(r.nextDouble(0, 0.03))
                .withBandwidth(20_000_000, 64 * 1024);
        // The server sends, receives, or both; keepalive lets a receive-only server notice.
        int direction = r.nextInt(3);
        long down = direction != 1 ? 4L << 20 : 0, up = direction != 0 ? 4L << 20 : 0;
        boolean restarts = r.nextInt(4) != 0;
        Acceptor[] acceptor = new Acceptor[1];
        SimStackHost[] server = world.addStackHost("server", 1, link, stack -> acceptor[0] = new Acceptor(stack, PORT, 8,
                accepted -> {
                    accepted.setKeepalive(true, stack.now());
                    // A side with nothing to send keeps its output open until the end (no early FIN),
                    // so the server is ESTABLISHED or FIN_WAIT_1 at the crash (see HalfClosedPeerCrashTest for the rest).
                    BulkEndpoint app = new BulkEndpoint(new Pattern(2), down, new Pattern(1), up);
                    return down == 0 ? app.outputAfterInput() : app;
                }));
        BulkEndpoint[] clientApp = new BulkEndpoint[1];
        SimStackHost[] client = world.addStackHost("client", 2, link, stack -> {
            if (stack.incarnation().number() == 0) {
                clientApp[0] = new BulkEndpoint(new Pattern(1), up, new Pattern(2), down);
                if (up == 0) {
                    clientApp[0].outputAfterInput();
                }
                clientApp[0].open(stack, ip(1), PORT);
            }
        });
        SimHost clientHost = world.sim.host("client");
        // Crash once a random part of the transfer has arrived (counting what either side read).
        long crashAfterBytes = r.nextLong(16 * 1024, 3L << 20);
        long downFor = r.nextLong(10 * MS, 30 * SECOND);
        assertTrue(world.sim.runUntil(() -> delivered(clientApp[0], acceptor[0]) >= crashAfterBytes, Duration.ofMinutes(10)),
                "transfer made no progress: " + clientApp[0]);
        long crashAt = world.sim.now();
        boolean serverOpenAtCrash = !acceptor[0].apps().isEmpty() && !acceptor[0].apps().getFirst().isClosed();
        clientHost.crash();
        if (restarts) {
            world.sim.scheduler().after(downFor, clientHost::restart);
        }

        boolean serverEnded = world.sim.runUntil(() -> !acceptor[0].apps().isEmpty() && acceptor[0].apps().getFirst().isClosed(),
                Duration.ofHours(1));
        String where = "direction " + direction + ", crash at " + crashAt / MS + " ms, " + (restarts ? "back after " + downFor / MS + " ms" : "never back")
                + ", client " + clientApp[0] + ", server " + acceptor[0].apps() + StackWorld.unfinished(acceptor[0].apps())
                + ", server holds " + server[0].connectionCount() + " connections, listener pending " + acceptor[0].listener().hasPending()
                + ", server " + server[0].ethernet().stats();
        assertTrue(serverEnded, "the server never noticed the crash: " + where);
        ConnectionApp serverApp = acceptor[0].apps().getFirst();
        assertTrue(serverOpenAtCrash, "the server's connection was not open at the crash: " + where);
        CloseReason reason = serverApp.closeReason();
        if (restarts) {
            // Down for less than the retransmission limit: the restarted stack's RST ends it.
            assertTrue(reason == CloseReason.RESET_BY_PEER || reason == CloseReason.TIMED_OUT, "server ended with " + reason + ": " + where);
            if (downFor < 10 * SECOND) {
                assertEquals(CloseReason.RESET_BY_PEER, reason, "the restarted client answered with RST: " + where);
                assertTrue(client[0].incarnation().number() == 1 && client[0].ip().stats().resetsSent > 0,
                        "the restarted client sent the reset: " + where);
            }
        } else {
            assertEquals(CloseReason.TIMED_OUT, reason, "server ended with: " + where);
        }
        assertEquals(0, server[0].connectionCount(), "the server freed the connection: " + where);
        assertNotNull(serverApp.closeReason());
    }

    private static long delivered(BulkEndpoint client, Acceptor acceptor) {
        long bytes = client.received();
        for (ConnectionApp app : acceptor.apps()) {
            bytes += ((BulkEndpoint) app).received();
        }
        return bytes;
    }

    @Test
    void serverNoticesTheCrashAndFreesTheConnection() {
        SimulationSeeds.forEach(0xC2A5_0001L, 60, ClientCrashSimulationTest::run);
    }
}
