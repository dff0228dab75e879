package io.fttcp.replication.channel;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;

import static io.fttcp.replication.channel.ChannelTesting.NO_SESSIONS;
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

    private static final ChannelConfig SLOW_HANDSHAKE = ChannelTesting.TOLERANT.withHandshakeTimeout(Duration.ofSeconds(30));


    private static long median(long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    /**
     * Finding a socket's descriptor reads every descriptor of the process: milliseconds with a
     * thousand connections open. That must not happen on the thread that accepts (the logger's
     * single accept loop would slow down as connections pile up): a channel's open costs far
     * less than one search, and its socket still gets the floor, from the channel's own thread.
     */
    @Test
    void openingAChannelLeavesTheDescriptorSearchToItsThreadsAndTheFloorIsStillSet() throws Exception {
        List<AutoCloseable> open = new ArrayList<>();
        try (ServerSocketChannel server = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            for (int i = 0; i < 1000; i++) { // many descriptors: the search is long
                open.add(SocketChannel.open(server.getLocalAddress()));
                open.add(server.accept());
            }
            int rounds = 25;
            long[] opens = new long[rounds];
            long[] searches = new long[rounds];
            SocketChannel lastAccepted = null;
            for (int i = 0; i < rounds + 5; i++) { // the first five warm up
                open.add(SocketChannel.open(server.getLocalAddress()));
                SocketChannel accepted = server.accept();
                long t0 = System.nanoTime();
                LoggerChannel c = LoggerChannel.open(accepted, SLOW_HANDSHAKE, NO_SESSIONS);
                long t1 = System.nanoTime();
                RetransmissionFloor.currentMicros(accepted); // one search, as the channel's start made before
                long t2 = System.nanoTime();
                open.add(c);
                if (i >= 5) {
                    opens[i - 5] = t1 - t0;
                    searches[i - 5] = t2 - t1;
                }
                lastAccepted = accepted;
            }
            long openMedian = median(opens);
            long searchMedian = median(searches);
            assertTrue(openMedian < searchMedian / 2, "opening a channel takes " + openMedian / 1000 + " us (median), one descriptor search "
                    + searchMedian / 1000 + " us: the search is still on the opener's thread");
            OptionalInt floor = RetransmissionFloor.currentMicros(lastAccepted);
            assumeTrue(floor.isPresent(), "this kernel has no TCP_RTO_MIN_US");
            SocketChannel watched = lastAccepted;
            ChannelTesting.await("the channel's thread to set the floor", 5000,
                    () -> RetransmissionFloor.currentMicros(watched).orElse(0) < 20_000);
        } finally {
            for (AutoCloseable c : open) c.close();
        }
    }
}
