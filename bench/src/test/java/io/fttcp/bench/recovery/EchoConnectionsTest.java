package io.fttcp.bench.recovery;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The client's connections against a loopback echo server (byte for byte, or corrupting one byte). */
class EchoConnectionsTest {
    private ServerSocket server;
    /** The stream offset (over all connections) at which the server flips a byte; -1: never. */
    private final AtomicLong corruptAt = new AtomicLong(-1);

    @BeforeEach
    void startEchoServer() throws IOException {
        server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(() -> {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    Thread.ofVirtual().start(() -> echo(s));
                } catch (IOException e) {
                    return;
                }
            }
        });
    }

    private void echo(Socket s) {
        try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
            byte[] b = new byte[8192];
            long offset = 0;
            for (int n; (n = in.read(b)) > 0; offset += n) {
                long at = corruptAt.get();
                if (at >= offset && at < offset + n) {
                    b[(int) (at - offset)] ^= 1;
                }
                out.write(b, 0, n);
            }
        } catch (IOException ignored) {
            // the client went away
        }
    }

    @AfterEach
    void stop() throws IOException {
        server.close();
    }

    private InetSocketAddress address() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort());
    }

    @Test
    void opensExchangesAndProbesEveryConnection() throws Exception {
        try (EchoConnections c = new EchoConnections()) {
            EchoConnections.Opened small = c.open(address(), 20, 1000, Duration.ofSeconds(10));
            EchoConnections.Opened large = c.open(address(), 1, 3 << 20, Duration.ofSeconds(20));
            assertEquals(20_000, small.bytes());
            assertEquals(3 << 20, large.bytes());
            assertEquals(21, c.size());
            long before = System.nanoTime();
            EchoConnections.Probed p = c.probe(Duration.ofSeconds(10));
            assertEquals(0, p.failed(), p.firstFailure());
            for (int i = 0; i < 21; i++) {
                assertTrue(p.firstByteNanos()[i] >= before && p.answeredNanos()[i] >= p.firstByteNanos()[i], "connection " + i);
            }
        }
    }

    @Test
    void aCorruptedEchoFailsTheOpening() {
        corruptAt.set(777);
        try (EchoConnections c = new EchoConnections()) {
            IOException e = assertThrows(IOException.class, () -> c.open(address(), 1, 5000, Duration.ofSeconds(10)));
            assertTrue(e.getMessage().contains("differs at byte 777"), e.getMessage());
        }
    }

    @Test
    void aCorruptedProbeAnswerFails() throws Exception {
        try (EchoConnections c = new EchoConnections()) {
            c.open(address(), 1, 100, Duration.ofSeconds(10));
            corruptAt.set(105);
            EchoConnections.Probed p = c.probe(Duration.ofSeconds(10));
            assertEquals(1, p.failed());
            assertNotNull(p.firstFailure());
        }
    }

    @Test
    void aFlowEchoesEveryLineAndTimesTheEchoes() throws Exception {
        try (EchoConnections c = new EchoConnections()) {
            c.open(address(), 1, 100, Duration.ofSeconds(10));
            c.startFlow(Duration.ofMillis(1));
            Thread.sleep(200);
            EchoFlow.Outcome o = c.stopFlow(Duration.ofSeconds(10));
            assertTrue(o.intact(), o.toString());
            assertTrue(o.written() >= 10 * EchoFlow.LINE_BYTES, o.toString());
            assertEquals(o.written(), o.timeline().totalBytes());
        }
    }

    @Test
    void aFlowNoticesACorruptedEcho() throws Exception {
        try (EchoConnections c = new EchoConnections()) {
            c.open(address(), 1, 100, Duration.ofSeconds(10));
            corruptAt.set(100 + 5 * EchoFlow.LINE_BYTES + 3);
            c.startFlow(Duration.ofMillis(1));
            Thread.sleep(100);
            EchoFlow.Outcome o = c.stopFlow(Duration.ofSeconds(10));
            assertFalse(o.intact());
            assertEquals(5 * EchoFlow.LINE_BYTES + 3, o.mismatchAt());
        }
    }
}
