package io.fttcp.api.kernel;

import io.fttcp.api.ConnectionResetException;
import io.fttcp.api.ListeningSocket;
import io.fttcp.api.PollKey;
import io.fttcp.api.Poller;
import io.fttcp.api.StreamSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

class KernelNetworkTest {

    private static final InetSocketAddress ANY_LOOPBACK = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    private final KernelNetwork network = new KernelNetwork();
    private ListeningSocket listener;

    @BeforeEach
    void listen() throws IOException {
        listener = network.listen(ANY_LOOPBACK, 16);
    }

    @AfterEach
    void closeListener() throws IOException {
        listener.close();
    }

    @Test
    void blockingTransferBothWaysEndsWithMinusOne() throws IOException {
        long seed = new SplittableRandom().nextLong();
        byte[] sent = new byte[3 * 1024 * 1024 + 17];
        new SplittableRandom(seed).nextBytes(sent);
        try (StreamSocket client = network.connect(listener.localAddress());
             StreamSocket server = listener.accept()) {
            assertTrue(client.isConnected());
            assertTrue(client.isBlocking());
            assertEquals(listener.localAddress(), client.remoteAddress());
            assertEquals(client.localAddress(), server.remoteAddress());
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    ByteBuffer src = ByteBuffer.wrap(sent);
                    assertEquals(sent.length, client.write(src), "blocking write writes everything");
                    client.shutdownOutput();
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
            });
            byte[] received = readToEnd(server, sent.length);
            assertArrayEquals(sent, received, "seed " + seed);
            assertEquals(-1, server.read(ByteBuffer.allocate(10)), "end of stream stays -1");
            joinQuietly(writer);
            // The half-closed client can still read.
            server.write(ByteBuffer.wrap(new byte[]{42}));
            ByteBuffer one = ByteBuffer.allocate(4);
            assertEquals(1, client.read(one));
            assertEquals(42, one.get(0));
        }
    }

    @Test
    void readTimeoutThrowsSocketTimeoutAndSocketStaysUsable() throws IOException {
        try (StreamSocket client = network.connect(listener.localAddress());
             StreamSocket server = listener.accept()) {
            server.setReadTimeout(Duration.ofMillis(100));
            long start = System.nanoTime();
            assertThrows(SocketTimeoutException.class, () -> server.read(ByteBuffer.allocate(8)));
            long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(elapsedMillis >= 90, "timed out too early: " + elapsedMillis + " ms");
            client.write(ByteBuffer.wrap(new byte[]{1, 2, 3}));
            ByteBuffer direct = ByteBuffer.allocateDirect(8);
            assertEquals(3, server.read(direct));
            server.setReadTimeout(Duration.ZERO);
            client.write(ByteBuffer.wrap(new byte[]{4}));
            assertEquals(1, server.read(direct));
            direct.flip();
            assertEquals(4, direct.remaining());
            assertEquals(4, direct.get(3));
        }
    }

    @Test
    void peerResetIsConnectionResetException() throws Exception {
        Socket raw = new Socket(listener.localAddress().getAddress(), listener.localAddress().getPort());
        try (StreamSocket server = listener.accept()) {
            raw.setSoLinger(true, 0);
            raw.close(); // linger 0: the kernel sends RST
            Thread.sleep(50);
            IOException failure = assertThrows(IOException.class, () -> {
                // The first read may see the reset, or a write may; keep trying briefly.
                for (int i = 0; i < 100; i++) {
                    if (server.read(ByteBuffer.allocate(16)) == -1) {
                        server.write(ByteBuffer.allocate(1024));
                    }
                    Thread.sleep(10);
                }
            });
            assertInstanceOf(ConnectionResetException.class, failure, "got " + failure);
        }
    }

    @Test
    void operationsAfterCloseThrowClosedChannel() throws IOException {
        StreamSocket client = network.connect(listener.localAddress());
        try (StreamSocket server = listener.accept()) {
            assertTrue(server.isOpen());
            client.close();
            assertFalse(client.isOpen());
            assertThrows(ClosedChannelException.class, () -> client.read(ByteBuffer.allocate(1)));
            assertThrows(ClosedChannelException.class, () -> client.write(ByteBuffer.allocate(1)));
        }
        listener.close();
        assertThrows(ClosedChannelException.class, listener::accept);
    }

    @Test
    void nonBlockingReadsZeroAndWritesPartially() throws IOException {
        try (StreamSocket client = network.connect(listener.localAddress());
             StreamSocket server = listener.accept()) {
            server.configureBlocking(false);
            assertFalse(server.isBlocking());
            assertEquals(0, server.read(ByteBuffer.allocate(16)), "nothing to read yet");
            client.configureBlocking(false);
            ByteBuffer big = ByteBuffer.allocate(64 * 1024 * 1024);
            int first = client.write(big);
            assertTrue(first > 0 && first < big.capacity(), "partial write expected, wrote " + first);
            int next = client.write(big);
            // The peer is not reading: the send buffer stays (nearly) full.
            assertTrue(next < big.capacity() - first, "second write " + next);
        }
    }

    @Test
    void nonBlockingAcceptReturnsNullWhenNothingWaits() throws IOException {
        listener.configureBlocking(false);
        assertNull(listener.accept());
        try (StreamSocket client = network.connect(listener.localAddress())) {
            assertTrue(client.isConnected());
            StreamSocket accepted = null;
            for (int i = 0; i < 200 && accepted == null; i++) {
                accepted = listener.accept();
                sleep(5);
            }
            assertNotNull(accepted, "connection never accepted");
            assertTrue(accepted.isBlocking(), "accepted sockets start blocking");
            accepted.close();
        }
    }

    @Test
    void pollerReportsAcceptConnectReadAndWrite() throws IOException {
        try (Poller poller = network.openPoller()) {
            listener.configureBlocking(false);
            PollKey acceptKey = poller.register(listener, Poller.OP_ACCEPT, "listener");
            assertEquals(0, poller.poll(Duration.ZERO), "nothing ready yet");

            StreamSocket client = network.openConnection(listener.localAddress());
            assertFalse(client.isBlocking());
            PollKey connectKey = poller.register(client, Poller.OP_CONNECT, "client");
            awaitReady(poller, connectKey, Poller.OP_CONNECT);
            assertTrue(client.finishConnect());
            assertTrue(client.isConnected());

            awaitReady(poller, acceptKey, Poller.OP_ACCEPT);
            assertEquals("listener", acceptKey.attachment());
            StreamSocket server = listener.accept();
            assertNotNull(server);
            server.configureBlocking(false);
            PollKey readKey = poller.register(server, Poller.OP_READ, "server");

            connectKey.interestOps(Poller.OP_WRITE);
            awaitReady(poller, connectKey, Poller.OP_WRITE);
            client.write(ByteBuffer.wrap("hello".getBytes()));
            awaitReady(poller, readKey, Poller.OP_READ);
            ByteBuffer got = ByteBuffer.allocate(16);
            assertEquals(5, server.read(got));
            assertEquals("hello", new String(Arrays.copyOf(got.array(), 5)));

            // Re-registering updates interest and attachment and returns the same key.
            assertSame(readKey, poller.register(server, Poller.OP_READ | Poller.OP_WRITE, "again"));
            assertEquals(Poller.OP_READ | Poller.OP_WRITE, readKey.interestOps());
            assertEquals("again", readKey.attachment());

            readKey.cancel();
            assertFalse(readKey.isValid());
            client.close();
            server.close();
        }
    }

    @Test
    void wakeupEndsAPoll() throws Exception {
        try (Poller poller = network.openPoller()) {
            Thread waker = Thread.ofVirtual().start(() -> {
                sleep(100);
                poller.wakeup();
            });
            long start = System.nanoTime();
            assertEquals(0, poller.poll(Duration.ofSeconds(30)));
            assertTrue(System.nanoTime() - start < 10_000_000_000L, "wakeup did not end the poll");
            waker.join();
        }
    }

    @Test
    void registeringABlockingSocketFails() throws IOException {
        try (Poller poller = network.openPoller()) {
            assertThrows(java.nio.channels.IllegalBlockingModeException.class,
                    () -> poller.register(listener, Poller.OP_ACCEPT, null));
        }
    }

    @Test
    void connectToAClosedPortFailsClearly() throws IOException {
        InetSocketAddress address = listener.localAddress();
        listener.close();
        IOException e = assertThrows(IOException.class, () -> network.connect(address));
        assertTrue(e instanceof java.net.ConnectException, "got " + e);
    }

    private static void awaitReady(Poller poller, PollKey key, int op) throws IOException {
        for (int i = 0; i < 100; i++) {
            poller.poll(Duration.ofMillis(100));
            if (poller.readyKeys().contains(key) && (key.readyOps() & op) != 0) {
                return;
            }
        }
        fail("never ready for op " + op + ": " + key);
    }

    private static byte[] readToEnd(StreamSocket socket, int expected) throws IOException {
        ByteBuffer all = ByteBuffer.allocate(expected + 1);
        ByteBuffer chunk = ByteBuffer.allocate(7919);
        while (true) {
            chunk.clear();
            int n = socket.read(chunk);
            if (n == -1) {
                break;
            }
            chunk.flip();
            all.put(chunk);
        }
        return Arrays.copyOf(all.array(), all.position());
    }

    private static void joinQuietly(Thread t) {
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
