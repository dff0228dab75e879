package io.fttcp.stack.socket;

import io.fttcp.api.ConnectionResetException;
import io.fttcp.api.ListeningSocket;
import io.fttcp.api.PollKey;
import io.fttcp.api.Poller;
import io.fttcp.api.StreamSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.net.BindException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static io.fttcp.stack.socket.LiveHostPair.A;
import static io.fttcp.stack.socket.LiveHostPair.B;
import static io.fttcp.stack.socket.LiveHostPair.address;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(60)
class StackSocketTest {
    private final LiveHostPair pair = new LiveHostPair();

    @AfterEach
    void close() {
        pair.close();
    }

    @Test
    void blockingTransferBothWaysOnVirtualThreadsWithEndOfStream() throws Exception {
        ListeningSocket listener = pair.netB.listen(address(B, 80), 16);
        byte[] up = random(1, 3_000_000), down = random(2, 5_000_000);
        try (var exec = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<byte[]> server = exec.submit(() -> {
                StreamSocket s = listener.accept();
                Future<?> writer = exec.submit(() -> {
                    s.write(ByteBuffer.wrap(down));
                    s.shutdownOutput();
                    return null;
                });
                byte[] got = readAll(s);
                writer.get();
                s.close();
                return got;
            });
            StreamSocket c = pair.netA.connect(address(B, 80));
            assertTrue(c.isConnected());
            assertEquals(address(B, 80), c.remoteAddress());
            Future<?> writer = exec.submit(() -> {
                c.write(ByteBuffer.wrap(up));
                c.shutdownOutput();
                return null;
            });
            byte[] gotDown = readAll(c);
            writer.get();
            c.close();
            assertArrayEquals(down, gotDown);
            assertArrayEquals(up, server.get());
        }
    }

    @Test
    void connectToAClosedPortIsRefused() throws Exception {
        ConnectException e = assertThrows(ConnectException.class, () -> pair.netA.connect(address(B, 81)));
        assertTrue(e.getMessage().contains("refused"), e.getMessage());
    }

    @Test
    void listeningTwiceOnAPortFails() throws Exception {
        pair.netB.listen(address(B, 80), 4);
        assertThrows(BindException.class, () -> pair.netB.listen(address(B, 80), 4));
    }

    @Test
    void readTimesOutAndTheSocketStaysUsable() throws Exception {
        ListeningSocket listener = pair.netB.listen(address(B, 80), 4);
        StreamSocket c = pair.netA.connect(address(B, 80));
        StreamSocket s = listener.accept();
        c.setReadTimeout(Duration.ofMillis(200));
        long t0 = System.nanoTime();
        assertThrows(SocketTimeoutException.class, () -> c.read(ByteBuffer.allocate(10)));
        assertTrue(System.nanoTime() - t0 >= 150_000_000L, "waited for the timeout");
        s.write(ByteBuffer.wrap(new byte[]{42}));
        ByteBuffer one = ByteBuffer.allocate(10);
        assertEquals(1, c.read(one));
        assertEquals(42, one.get(0));
    }

    @Test
    void nonBlockingModeReturnsZeroAndNullAndWritesPartially() throws Exception {
        ListeningSocket listener = pair.netB.listen(address(B, 80), 4);
        listener.configureBlocking(false);
        assertNull(listener.accept());
        StreamSocket c = pair.netA.openConnection(address(B, 80));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!c.finishConnect()) {
            assertTrue(System.nanoTime() < deadline, "connect did not finish");
            Thread.sleep(1);
        }
        StreamSocket s;
        while ((s = listener.accept()) == null) Thread.sleep(1);
        s.configureBlocking(false);
        assertEquals(0, s.read(ByteBuffer.allocate(100)));
        // Nobody reads on the other side: the send buffer and the peer's window fill up.
        ByteBuffer big = ByteBuffer.allocate(64 << 20);
        int written = c.write(big);
        assertTrue(written > 0 && written < big.capacity(), "partial write: " + written);
    }

    @Test
    void pollerReportsAcceptReadAndWriteReadiness() throws Exception {
        ListeningSocket listener = pair.netB.listen(address(B, 80), 4);
        listener.configureBlocking(false);
        try (Poller poller = pair.netB.openPoller()) {
            PollKey acceptKey = poller.register(listener, Poller.OP_ACCEPT, "listener");
            assertEquals(0, poller.poll(Duration.ZERO));
            StreamSocket c = pair.netA.connect(address(B, 80));
            assertEquals(1, poller.poll(Duration.ofSeconds(5)));
            assertTrue(poller.readyKeys().contains(acceptKey));
            StreamSocket s = listener.accept();
            s.configureBlocking(false);
            PollKey k = poller.register(s, Poller.OP_READ, "conn");
            assertEquals(0, poller.poll(Duration.ofMillis(50)));
            c.write(ByteBuffer.wrap("hello".getBytes()));
            assertEquals(1, poller.poll(Duration.ofSeconds(5)));
            assertEquals(Poller.OP_READ, k.readyOps());
            assertEquals("conn", k.attachment());
            k.interestOps(Poller.OP_READ | Poller.OP_WRITE);
            assertEquals(1, poller.poll(Duration.ZERO));
            assertEquals(Poller.OP_READ | Poller.OP_WRITE, k.readyOps());
            k.cancel();
            assertEquals(0, poller.poll(Duration.ZERO));
        }
    }

    @Test
    void wakeupEndsAWaitingPoll() throws Exception {
        try (Poller poller = pair.netA.openPoller()) {
            CompletableFuture<Integer> polled = CompletableFuture.supplyAsync(() -> {
                try {
                    return poller.poll(Duration.ofSeconds(30));
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }, Executors.newVirtualThreadPerTaskExecutor());
            Thread.sleep(50);
            poller.wakeup();
            assertEquals(0, polled.get(5, TimeUnit.SECONDS));
        }
    }

    @Test
    void resetByPeerSurfacesAsConnectionResetException() throws Exception {
        ListeningSocket listener = pair.netB.listen(address(B, 80), 4);
        StreamSocket c = pair.netA.connect(address(B, 80));
        StreamSocket s = listener.accept();
        c.write(ByteBuffer.wrap(new byte[100]));
        Thread.sleep(100);
        s.close(); // unread data: an abortive close (RST), like Linux
        assertThrows(ConnectionResetException.class, () -> {
            ByteBuffer b = ByteBuffer.allocate(1000);
            while (true) c.read(b.clear());
        });
    }

    /**
     * As on Linux: what arrived before the peer's RST stays readable, and the reset comes after
     * it. A server that answers and then closes with the request's rest unread (an RST right
     * behind the answer) must not have its answer discarded at the client.
     */
    @Test
    void whatArrivedBeforeAResetIsReadThenTheReset() throws Exception {
        ListeningSocket listener = pair.netB.listen(address(B, 80), 4);
        StreamSocket c = pair.netA.connect(address(B, 80));
        StreamSocket s = listener.accept();
        c.write(ByteBuffer.wrap(new byte[100]));
        Thread.sleep(100);
        s.write(ByteBuffer.wrap("refused".getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
        s.close(); // unread data: the RST follows the answer
        Thread.sleep(100);
        assertTrue(((StackStreamSocket) c).connection().state() == io.fttcp.stack.tcp.TcpState.CLOSED, "the reset arrived before the read");
        ByteBuffer b = ByteBuffer.allocate(100);
        assertEquals(7, c.read(b));
        assertEquals("refused", new String(b.array(), 0, 7, java.nio.charset.StandardCharsets.US_ASCII));
        assertThrows(ConnectionResetException.class, () -> c.read(b.clear()));
    }

    /**
     * As on Linux: a reset that comes after the peer's FIN ends nothing the application reads:
     * it reads the bytes and then a clean end of stream (Linux checks the FIN before the error),
     * and only a write fails. A server whose client half-closed after its request and then went
     * away (its host answering our answer with an RST) used to read a reset instead.
     */
    @Test
    void aResetAfterThePeersFinReadsAsEndOfStreamAndFailsWrites() throws Exception {
        ListeningSocket listener = pair.netB.listen(address(B, 80), 4);
        StreamSocket c = pair.netA.connect(address(B, 80));
        StreamSocket s = listener.accept();
        c.write(ByteBuffer.wrap("request".getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
        c.shutdownOutput(); // FIN after the request
        Thread.sleep(100);
        pair.loopA.lock().lock();
        try {
            ((StackStreamSocket) c).connection().abort(pair.loopA.now()); // then an RST
        } finally {
            pair.loopA.lock().unlock();
        }
        Thread.sleep(100);
        assertTrue(((StackStreamSocket) s).connection().state() == io.fttcp.stack.tcp.TcpState.CLOSED, "the reset arrived before the read");
        ByteBuffer b = ByteBuffer.allocate(100);
        assertEquals(7, s.read(b));
        assertEquals(-1, s.read(b.clear()), "end of stream, not a reset");
        assertEquals(-1, s.read(b.clear()), "and again");
        assertThrows(java.io.IOException.class, () -> s.write(ByteBuffer.wrap(new byte[10])), "a write fails");
    }

    @Test
    void aConnectionResetWhileWaitingToBeAcceptedReportsTheResetInsteadOfHanging() throws Exception {
        ListeningSocket listener = pair.netB.listen(address(B, 80), 4);
        StreamSocket c = pair.netA.connect(address(B, 80));
        Thread.sleep(100); // established on both sides, waiting in B's accept queue
        pair.loopA.lock().lock();
        try {
            ((StackStreamSocket) c).connection().abort(pair.loopA.now()); // RST
        } finally {
            pair.loopA.lock().unlock();
        }
        Thread.sleep(100);
        StreamSocket s = listener.accept();
        s.setReadTimeout(Duration.ofSeconds(5));
        assertThrows(ConnectionResetException.class, () -> s.read(ByteBuffer.allocate(10)));
    }

    @Test
    void closingTheNetworkWakesBlockedCallsWithAnError() throws Exception {
        ListeningSocket listener = pair.netB.listen(address(B, 80), 4);
        StreamSocket c = pair.netA.connect(address(B, 80));
        listener.accept();
        ListeningSocket idle = pair.netA.listen(address(A, 81), 4);
        try (var exec = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<?> read = exec.submit(() -> c.read(ByteBuffer.allocate(10)));
            Future<?> accept = exec.submit(idle::accept);
            Thread.sleep(100);
            pair.netA.close();
            var readFailure = assertThrows(java.util.concurrent.ExecutionException.class, () -> read.get(5, TimeUnit.SECONDS));
            assertTrue(readFailure.getCause() instanceof ClosedChannelException, "read: " + readFailure.getCause());
            var acceptFailure = assertThrows(java.util.concurrent.ExecutionException.class, () -> accept.get(5, TimeUnit.SECONDS));
            assertTrue(acceptFailure.getCause() instanceof ClosedChannelException, "accept: " + acceptFailure.getCause());
        }
    }

    @Test
    void anAdoptedConnectionWhoseOutputIsShutRefusesWritesCleanly() throws Exception {
        ListeningSocket listener = pair.netB.listen(address(B, 80), 4);
        StreamSocket c = pair.netA.connect(address(B, 80));
        listener.accept();
        c.shutdownOutput(); // FIN queued: what a restored FIN_WAIT connection looks like
        io.fttcp.stack.host.Connection conn = ((StackStreamSocket) c).connection();
        StreamSocket adopted = pair.netA.adopt(conn);
        assertThrows(ClosedChannelException.class, () -> adopted.write(ByteBuffer.wrap(new byte[1])));
    }

    @Test
    void closedSocketsRefuseCalls() throws Exception {
        ListeningSocket listener = pair.netB.listen(address(B, 80), 4);
        StreamSocket c = pair.netA.connect(address(B, 80));
        c.close();
        assertThrows(ClosedChannelException.class, () -> c.read(ByteBuffer.allocate(1)));
        assertThrows(ClosedChannelException.class, () -> c.write(ByteBuffer.allocate(1)));
        listener.close();
        assertThrows(ClosedChannelException.class, listener::accept);
    }

    @Test
    void manyConcurrentConnectionsStayIntact() throws Exception {
        ListeningSocket listener = pair.netB.listen(address(B, 80), 256);
        int n = 100;
        try (var exec = Executors.newVirtualThreadPerTaskExecutor()) {
            exec.submit(() -> {
                for (int i = 0; i < n; i++) {
                    StreamSocket s = listener.accept();
                    exec.submit(() -> {
                        ByteBuffer buf = ByteBuffer.allocate(8192);
                        int r;
                        while ((r = s.read(buf.clear())) >= 0) {
                            buf.flip();
                            s.write(buf);
                        }
                        s.close();
                        return null;
                    });
                }
                return null;
            });
            List<Future<Boolean>> results = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                long seed = i;
                results.add(exec.submit(() -> {
                    byte[] data = random(seed, 20_000 + (int) seed * 100);
                    StreamSocket c = pair.netA.connect(address(B, 80));
                    Future<?> w = exec.submit(() -> {
                        c.write(ByteBuffer.wrap(data));
                        c.shutdownOutput();
                        return null;
                    });
                    byte[] echoed = readAll(c);
                    w.get();
                    c.close();
                    return java.util.Arrays.equals(data, echoed);
                }));
            }
            Map<Integer, Boolean> failed = new HashMap<>();
            for (int i = 0; i < n; i++) if (!results.get(i).get()) failed.put(i, false);
            assertTrue(failed.isEmpty(), "connections with corrupted echo: " + failed.keySet());
        }
    }

    static byte[] readAll(StreamSocket s) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuffer buf = ByteBuffer.allocate(65536);
        int n;
        while ((n = s.read(buf.clear())) >= 0) out.write(buf.array(), 0, n);
        return out.toByteArray();
    }

    static byte[] random(long seed, int n) {
        byte[] b = new byte[n];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }
}
