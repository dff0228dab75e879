package io.fttcp.replication.channel;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.OptionalInt;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class RetransmissionFloorTest {
    /**
     * Both ends of a connection get the floor, each on its own descriptor (found by its endpoints
     * among the process's, the two ends' being each other's mirror image); an unconnected
     * socket's descriptor is not found.
     */
    @Test
    void bothEndsOfAConnectionGetTheFloor() throws Exception {
        try (ServerSocketChannel server = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
             SocketChannel client = SocketChannel.open(server.getLocalAddress());
             SocketChannel accepted = server.accept();
             SocketChannel unconnected = SocketChannel.open()) {
            OptionalInt before = RetransmissionFloor.currentMicros(client);
            assumeTrue(before.isPresent(), "this kernel has no TCP_RTO_MIN_US");
            assertTrue(before.getAsInt() > 20_000, "the system's floor (Linux's default 200 ms) is above what we set: " + before);
            assertNull(RetransmissionFloor.apply(client, Duration.ofMillis(10)));
            assertNull(RetransmissionFloor.apply(accepted, Duration.ofMillis(20)));
            int clientFloor = RetransmissionFloor.currentMicros(client).orElseThrow();
            int acceptedFloor = RetransmissionFloor.currentMicros(accepted).orElseThrow();
            // The kernel keeps it in jiffies: rounded up to its tick (4 ms at HZ=250).
            assertTrue(clientFloor >= 10_000 && clientFloor < 20_000, "client's floor " + clientFloor + " us");
            assertTrue(acceptedFloor >= 20_000 && acceptedFloor < 30_000, "accepted end's floor " + acceptedFloor + " us (not the client's)");
            assertTrue(RetransmissionFloor.currentMicros(unconnected).isEmpty());
            assertTrue(RetransmissionFloor.apply(unconnected, Duration.ofMillis(10)) != null, "nothing to set on an unconnected socket");
        }
    }
}
