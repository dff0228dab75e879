package io.fttcp.sim.stack;

import io.fttcp.sim.SimHost;
import io.fttcp.sim.net.LinkConditions;
import io.fttcp.stack.tcp.CloseReason;
import io.fttcp.stack.tcp.TcpConfig;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static io.fttcp.sim.stack.StackWorld.MS;
import static io.fttcp.sim.stack.StackWorld.PORT;
import static io.fttcp.sim.stack.StackWorld.SECOND;
import static io.fttcp.sim.stack.StackWorld.ip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The client crashes while one direction is already half-closed. Deterministic (one seed each):
 * these pin down how the stack reports such an end, which the failover layer relies on.
 */
class HalfClosedPeerCrashTest {
    static final TcpConfig TCP = StackWorld.patientTcp().withKeepalive(20 * SECOND, 5 * SECOND, 3);
    static final long BYTES = 4L << 20;

    /**
     * The client only downloads and half-closed at once; the server read that FIN, closed, and is
     * in LAST_ACK with data still unacknowledged when the client crashes. The restarted client
     * resets the connection: the server must not be told the connection closed in order
     * (CloseReason.CLOSED says both FINs were exchanged and acknowledged), since most of its data
     * never arrived.
     */
    @Test
    void resetWithDataUnacknowledgedIsNotReportedAsAnOrderlyClose() {
        StackWorld world = new StackWorld(11, TCP);
        LinkConditions link = LinkConditions.ideal().withDelay(5 * MS).withBandwidth(20_000_000, 64 * 1024);
        Acceptor[] acceptor = new Acceptor[1];
        world.addStackHost("server", 1, link, stack -> acceptor[0] = new Acceptor(stack, PORT, 8,
                accepted -> new BulkEndpoint(new Pattern(2), BYTES, new Pattern(1), 0)));
        BulkEndpoint client = new BulkEndpoint(new Pattern(1), 0, new Pattern(2), BYTES);
        SimStackHost[] clientStack = world.addStackHost("client", 2, link, stack -> {
            if (stack.incarnation().number() == 0) {
                client.open(stack, ip(1), PORT);
            }
        });
        SimHost clientHost = world.sim.host("client");
        assertTrue(world.sim.runUntil(() -> client.received() >= BYTES / 4, Duration.ofMinutes(1)));
        BulkEndpoint server = (BulkEndpoint) acceptor[0].apps().getFirst();
        assertTrue(server.endOfStream(), "the server read the client's FIN: " + server);
        clientHost.crash();
        world.sim.scheduler().after(SECOND, clientHost::restart);
        assertTrue(world.sim.runUntil(server::isClosed, Duration.ofMinutes(10)), "server noticed: " + server);
        assertTrue(clientStack[0].ip().stats().resetsSent > 0, "the restarted client answered with RST");
        assertTrue(client.received() < BYTES, "most data was lost: " + client);
        assertEquals(CloseReason.RESET_BY_PEER, server.closeReason(),
                "a reset in LAST_ACK with " + (BYTES - client.received()) + " bytes undelivered: " + server);
    }

    /**
     * The server only receives and half-closed at once (FIN_WAIT_2), with keepalive on; the client
     * crashes and never returns. Like Linux, which probes in every synchronized state, keepalive
     * must find the dead peer; otherwise the connection is held forever.
     */
    @Test
    void keepaliveFindsADeadPeerOfAHalfClosedConnection() {
        StackWorld world = new StackWorld(12, TCP);
        LinkConditions link = LinkConditions.ideal().withDelay(5 * MS).withBandwidth(20_000_000, 64 * 1024);
        Acceptor[] acceptor = new Acceptor[1];
        SimStackHost[] serverStack = world.addStackHost("server", 1, link, stack -> acceptor[0] = new Acceptor(stack, PORT, 8,
                accepted -> {
                    accepted.setKeepalive(true, stack.now());
                    return new BulkEndpoint(new Pattern(2), 0, new Pattern(1), BYTES);
                }));
        BulkEndpoint client = new BulkEndpoint(new Pattern(1), BYTES, new Pattern(2), 0).outputAfterInput();
        world.addStackHost("client", 2, link, stack -> client.open(stack, ip(1), PORT));
        assertTrue(world.sim.runUntil(() -> !acceptor[0].apps().isEmpty()
                && ((BulkEndpoint) acceptor[0].apps().getFirst()).received() >= BYTES / 4, Duration.ofMinutes(1)));
        world.sim.host("client").crash();
        BulkEndpoint server = (BulkEndpoint) acceptor[0].apps().getFirst();
        boolean noticed = world.sim.runUntil(server::isClosed, Duration.ofHours(1));
        assertTrue(noticed, "an hour after the crash the server still holds the connection: " + server + " "
                + server.connection().tcp());
        assertEquals(CloseReason.TIMED_OUT, server.closeReason());
        assertEquals(0, serverStack[0].connectionCount());
    }
}
