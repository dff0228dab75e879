package io.fttcp.bench.failover;

import io.fttcp.api.kernel.KernelNetwork;
import io.fttcp.apps.http.Generator;
import io.fttcp.apps.http.HttpFileServer;
import io.fttcp.apps.http.HttpServerConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The failover benchmark's client measurements against the real HTTP server, and against servers that misbehave. */
@Timeout(60)
class FailoverClientsTest {
    private static final InetSocketAddress LOOPBACK = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    @TempDir
    Path dir;
    private HttpFileServer server;

    @BeforeEach
    void startServer() throws IOException {
        server = HttpFileServer.start(new KernelNetwork(), LOOPBACK, HttpServerConfig.serving(null));
    }

    @AfterEach
    void stopServer() {
        server.stop();
    }

    @Test
    void aDownloadFromTheHttpServerIsIntactAndItsTimelineHoldsEveryByte() throws Exception {
        long bytes = 8L << 20;
        TimedDownload d = TimedDownload.start(server.localAddress(), bytes, 1L << 20);
        assertTrue(d.awaitMark(Duration.ofSeconds(20)) >= 1L << 20);
        Path file = dir.resolve("timeline.bin");
        TimedDownload.Outcome o = d.finish(Duration.ofSeconds(30), file);
        assertTrue(o.intact(), o.toString());
        assertEquals(bytes, o.received());
        ReadTimeline t;
        try (InputStream in = Files.newInputStream(file)) {
            t = ReadTimeline.readFrom(in);
        }
        assertEquals(bytes, t.totalBytes());
        assertTrue(t.reads() > 1);
    }

    @Test
    void aChangedByteIsFoundAtItsOffset() throws Exception {
        long seed = new SplittableRandom().nextLong();
        long bytes = 1L << 20;
        long corrupt = new SplittableRandom(seed).nextLong(bytes);
        byte[] body = new Generator(0).stream(bytes).readAllBytes();
        body[(int) corrupt] ^= 0x40;
        try (RawServer raw = new RawServer("HTTP/1.1 200 OK\r\nContent-Length: " + bytes + "\r\n\r\n", body)) {
            TimedDownload.Outcome o = TimedDownload.start(raw.address(), bytes, 1).finish(Duration.ofSeconds(30), dir.resolve("t.bin"));
            assertFalse(o.intact(), "seed " + seed);
            assertEquals(corrupt, o.mismatchAt(), "seed " + seed);
            assertEquals(bytes, o.received(), "seed " + seed);
        }
    }

    @Test
    void aChangedByteIsFoundAlsoWhenCheckedAsItArrives() throws Exception {
        long seed = new SplittableRandom().nextLong();
        long bytes = 3L << 20;
        long corrupt = new SplittableRandom(seed).nextLong(bytes);
        byte[] body = new Generator(0).stream(bytes).readAllBytes();
        body[(int) corrupt] ^= 0x01;
        try (RawServer raw = new RawServer("HTTP/1.1 200 OK\r\nContent-Length: " + bytes + "\r\n\r\n", body)) {
            TimedDownload.Outcome o = TimedDownload.start(raw.address(), bytes, 1, 0).finish(Duration.ofSeconds(30), dir.resolve("t.bin"));
            assertEquals(corrupt, o.mismatchAt(), "seed " + seed + " " + o);
            assertFalse(o.intact(), "seed " + seed);
        }
        TimedDownload.Outcome good = TimedDownload.start(server.localAddress(), bytes, 1, 0).finish(Duration.ofSeconds(30), dir.resolve("t.bin"));
        assertTrue(good.intact(), good.toString());
    }

    @Test
    void aServerThatStopsShortIsAFailureNotAHang() throws Exception {
        byte[] half = new Generator(0).stream(1000).readAllBytes();
        try (RawServer raw = new RawServer("HTTP/1.1 200 OK\r\nContent-Length: 2000\r\n\r\n", half)) {
            TimedDownload d = TimedDownload.start(raw.address(), 2000, 1500);
            assertThrows(IOException.class, () -> d.awaitMark(Duration.ofSeconds(20)));
            TimedDownload.Outcome o = d.finish(Duration.ofSeconds(20), dir.resolve("t.bin"));
            assertFalse(o.intact());
            assertEquals(1000, o.received());
            assertNotNull(o.failure());
        }
    }

    @Test
    void aWrongLengthOrStatusIsAFailure() throws Exception {
        try (RawServer raw = new RawServer("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n", new byte[0])) {
            TimedDownload.Outcome o = TimedDownload.start(raw.address(), 10, 5).finish(Duration.ofSeconds(20), dir.resolve("t.bin"));
            assertFalse(o.intact());
            assertTrue(o.failure().contains("404"), o.failure());
        }
        try (RawServer raw = new RawServer("HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n", new byte[9])) {
            TimedDownload.Outcome o = TimedDownload.start(raw.address(), 10, 5).finish(Duration.ofSeconds(20), dir.resolve("t.bin"));
            assertFalse(o.intact());
            assertTrue(o.failure().contains("Content-Length 9"), o.failure());
        }
    }

    @Test
    void smallRequestsOnOneConnectionAreAllAnsweredAndTimed() throws Exception {
        HttpRoundTrips.Result r = HttpRoundTrips.run(server.localAddress(), 20, 200, 64);
        assertEquals(200, r.count());
        assertTrue(r.p50Nanos() > 0 && r.p50Nanos() <= r.p99Nanos() && r.p99Nanos() <= r.maxNanos(), r.toString());
    }

    @Test
    void aWrongSmallResponseIsAnIOException() throws Exception {
        try (RawServer raw = new RawServer("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\n", "abcd".getBytes(StandardCharsets.US_ASCII))) {
            assertThrows(IOException.class, () -> HttpRoundTrips.run(raw.address(), 0, 1, 4));
        }
    }

    /**
     * Answers one connection with fixed bytes, then closes it gracefully: the request is read
     * first and the client's close awaited, since closing with unread input would send a reset
     * that can destroy the answer in flight.
     */
    private static final class RawServer implements AutoCloseable {
        private final ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        private final Thread thread;

        RawServer(String head, byte[] body) throws IOException {
            thread = Thread.ofVirtual().start(() -> {
                try (Socket s = socket.accept(); OutputStream out = s.getOutputStream(); InputStream in = s.getInputStream()) {
                    s.setSoTimeout(20_000);
                    int matched = 0;
                    while (matched < 4) {
                        int b = in.read();
                        if (b < 0) return;
                        matched = b == "\r\n\r\n".charAt(matched) ? matched + 1 : (b == '\r' ? 1 : 0);
                    }
                    new ByteArrayInputStream(head.getBytes(StandardCharsets.US_ASCII)).transferTo(out);
                    out.write(body);
                    out.flush();
                    s.shutdownOutput();
                    in.transferTo(OutputStream.nullOutputStream());
                } catch (IOException e) {
                    // The test sees what the client made of it.
                }
            });
        }

        InetSocketAddress address() {
            return (InetSocketAddress) socket.getLocalSocketAddress();
        }

        @Override
        public void close() throws Exception {
            socket.close();
            thread.join(5000);
        }
    }
}
