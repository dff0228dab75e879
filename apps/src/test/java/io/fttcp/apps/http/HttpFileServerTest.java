package io.fttcp.apps.http;

import io.fttcp.api.kernel.KernelNetwork;
import io.fttcp.apps.InstrumentedKernelNetwork;
import io.fttcp.apps.ScriptedRuntime;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

class HttpFileServerTest {

    private static final InetSocketAddress LOOPBACK = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    @TempDir
    Path temp;
    private Path root;
    private HttpFileServer server;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final long seed = new SplittableRandom().nextLong();
    private final SplittableRandom random = new SplittableRandom(seed);

    @BeforeEach
    void start() throws IOException {
        root = Files.createDirectories(temp.resolve("www"));
        server = HttpFileServer.start(new KernelNetwork(), LOOPBACK, HttpServerConfig.serving(root));
    }

    @AfterEach
    void stop() {
        server.stop(Duration.ofSeconds(1));
        client.close();
    }

    private URI uri(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + server.localAddress().getPort() + pathAndQuery);
    }

    private HttpResponse<byte[]> get(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(uri(path)).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private byte[] randomBytes(int n) {
        byte[] bytes = new byte[n];
        random.nextBytes(bytes);
        return bytes;
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    @Test
    void getsAFileWithLengthAndType() throws Exception {
        byte[] content = randomBytes(1_234_567);
        Files.write(root.resolve("data.bin"), content);
        Files.writeString(Files.createDirectories(root.resolve("docs")).resolve("note.txt"), "hello\n");

        HttpResponse<byte[]> response = get("/data.bin");
        assertEquals(200, response.statusCode());
        assertArrayEquals(content, response.body(), "seed " + seed);
        assertEquals(String.valueOf(content.length), response.headers().firstValue("content-length").orElseThrow());
        assertEquals("application/octet-stream", response.headers().firstValue("content-type").orElseThrow());

        HttpResponse<byte[]> text = get("/docs/note.txt");
        assertEquals(200, text.statusCode());
        assertEquals("hello\n", new String(text.body(), StandardCharsets.UTF_8));
        assertTrue(text.headers().firstValue("content-type").orElseThrow().startsWith("text/plain"));

        assertEquals(404, get("/missing.txt").statusCode());
        assertEquals(404, get("/docs").statusCode(), "directories are not listed");
    }

    @Test
    void generatedResourceMatchesTheGenerator() throws Exception {
        long length = 5 * 1024 * 1024 + 3;
        HttpResponse<byte[]> response = get("/gen/" + length + "?seed=42");
        assertEquals(200, response.statusCode());
        assertEquals(length, response.body().length);
        assertEquals(new Generator(42).sha256Hex(length), sha256(response.body()));

        HttpResponse<byte[]> unitSuffix = get("/gen/2K");
        assertEquals(2048, unitSuffix.body().length);
        assertEquals(new Generator(0).sha256Hex(2048), sha256(unitSuffix.body()));
        assertEquals(0, get("/gen/0").body().length);
        assertEquals(404, get("/gen/abc").statusCode());
        assertEquals(400, get("/gen/10?seed=x").statusCode());
    }

    @Test
    void singleRangesOfFilesAndGeneratedBytes() throws Exception {
        byte[] content = randomBytes(100_000);
        Files.write(root.resolve("r.bin"), content);
        int first = random.nextInt(0, 50_000);
        int last = random.nextInt(first, 100_000);

        HttpResponse<byte[]> part = client.send(HttpRequest.newBuilder(uri("/r.bin")).header("Range", "bytes=" + first + "-" + last).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(206, part.statusCode());
        assertArrayEquals(Arrays.copyOfRange(content, first, last + 1), part.body(), "seed " + seed);
        assertEquals("bytes " + first + "-" + last + "/100000", part.headers().firstValue("content-range").orElseThrow());

        HttpResponse<byte[]> resume = client.send(HttpRequest.newBuilder(uri("/r.bin")).header("Range", "bytes=" + first + "-").build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertArrayEquals(Arrays.copyOfRange(content, first, content.length), resume.body(), "seed " + seed);

        HttpResponse<byte[]> suffix = client.send(HttpRequest.newBuilder(uri("/r.bin")).header("Range", "bytes=-10").build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertArrayEquals(Arrays.copyOfRange(content, content.length - 10, content.length), suffix.body());

        HttpResponse<byte[]> beyond = client.send(HttpRequest.newBuilder(uri("/r.bin")).header("Range", "bytes=100000-").build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(416, beyond.statusCode());
        assertEquals("bytes */100000", beyond.headers().firstValue("content-range").orElseThrow());

        long offset = 3_000_000_007L;
        HttpResponse<byte[]> gen = client.send(HttpRequest.newBuilder(uri("/gen/4G?seed=9")).header("Range", "bytes=" + offset + "-" + (offset + 99_999)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(206, gen.statusCode());
        byte[] expected = new byte[100_000];
        new Generator(9).fill(offset, expected, 0, expected.length);
        assertArrayEquals(expected, gen.body());
    }

    @Test
    void aRangeIsIgnoredWhenIfRangeNamesAnotherVersion() throws Exception {
        // RFC 9110 §13.1.5: a resumed download names the version it has; if that is not the current
        // one, the whole new version comes (200), never its tail spliced onto the old one's head.
        byte[] content = randomBytes(1000);
        Path file = root.resolve("v.bin");
        Files.write(file, content);
        Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.from(java.time.Instant.parse("2020-03-04T05:06:07Z")));
        try (RawHttp raw = new RawHttp(server.localAddress())) {
            String lastModified = raw.exchange("HEAD /v.bin HTTP/1.1\r\nHost: x\r\n\r\n").header("last-modified");
            assertEquals("Wed, 04 Mar 2020 05:06:07 GMT", lastModified);

            RawHttp.Response current = raw.exchange("GET /v.bin HTTP/1.1\r\nHost: x\r\nRange: bytes=600-\r\nIf-Range: " + lastModified + "\r\n\r\n");
            assertEquals(206, current.status());
            assertArrayEquals(Arrays.copyOfRange(content, 600, 1000), current.body(), "seed " + seed);

            RawHttp.Response changed = raw.exchange("GET /v.bin HTTP/1.1\r\nHost: x\r\nRange: bytes=600-\r\nIf-Range: Tue, 03 Mar 2020 05:06:07 GMT\r\n\r\n");
            assertEquals(200, changed.status());
            assertArrayEquals(content, changed.body(), "seed " + seed);
            assertNull(changed.header("content-range"));

            RawHttp.Response etagForAFile = raw.exchange("GET /v.bin HTTP/1.1\r\nHost: x\r\nRange: bytes=600-\r\nIf-Range: \"abc\"\r\n\r\n");
            assertEquals(200, etagForAFile.status());

            String etag = raw.exchange("HEAD /gen/1000?seed=4 HTTP/1.1\r\nHost: x\r\n\r\n").header("etag");
            assertEquals(206, raw.exchange("GET /gen/1000?seed=4 HTTP/1.1\r\nHost: x\r\nRange: bytes=10-19\r\nIf-Range: " + etag + "\r\n\r\n").status());
            assertEquals(200, raw.exchange("GET /gen/1000?seed=4 HTTP/1.1\r\nHost: x\r\nRange: bytes=10-19\r\nIf-Range: W/" + etag + "\r\n\r\n").status(),
                    "a weak entity tag never matches If-Range");
            assertEquals(200, raw.exchange("GET /gen/1000?seed=4 HTTP/1.1\r\nHost: x\r\nRange: bytes=10-19\r\nIf-Range: \"gen-1000-5\"\r\n\r\n").status());
        }
    }

    @Test
    void headHasTheHeadersButNoBodyAndKeepsTheConnection() throws Exception {
        Files.write(root.resolve("h.json"), randomBytes(5000));
        try (RawHttp raw = new RawHttp(server.localAddress())) {
            RawHttp.Response head = raw.exchange("HEAD /h.json HTTP/1.1\r\nHost: x\r\n\r\n");
            assertEquals(200, head.status());
            assertEquals("5000", head.header("content-length"));
            assertEquals("application/json", head.header("content-type"));
            // If the HEAD response had a body, these bytes would be read as the next status line.
            RawHttp.Response next = raw.exchange("GET /gen/10 HTTP/1.1\r\nHost: x\r\n\r\n");
            assertEquals(200, next.status());
            assertEquals(10, next.body().length);
        }
    }

    @Test
    void keepAliveServesTwoRequestsOnOneConnectionAndPipelined() throws Exception {
        Files.writeString(root.resolve("a.txt"), "first");
        try (RawHttp raw = new RawHttp(server.localAddress())) {
            RawHttp.Response one = raw.exchange("GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n");
            assertEquals("first", one.text());
            assertNull(one.header("connection"));
            RawHttp.Response two = raw.exchange("GET /gen/100?seed=1 HTTP/1.1\r\nHost: x\r\n\r\n");
            assertEquals(new Generator(1).sha256Hex(100), sha256(two.body()));
            assertEquals(1, server.connectionCount());
            // Two pipelined requests in one write; the second asks to close.
            raw.send("GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\nGET /a.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            assertEquals("first", raw.read(false).text());
            RawHttp.Response last = raw.read(false);
            assertEquals("first", last.text());
            assertEquals("close", last.header("connection"));
            assertTrue(raw.closedByServer());
        }
    }

    @Test
    void http10ClosesUnlessAskedToKeepAlive() throws Exception {
        try (RawHttp raw = new RawHttp(server.localAddress())) {
            RawHttp.Response response = raw.exchange("GET /gen/5 HTTP/1.0\r\n\r\n");
            assertEquals(200, response.status());
            assertTrue(raw.closedByServer());
        }
        try (RawHttp raw = new RawHttp(server.localAddress())) {
            raw.exchange("GET /gen/5 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
            assertEquals(200, raw.exchange("GET /gen/5 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").status());
        }
    }

    @Test
    void uploadWithContentLengthAnswersItsSha256() throws Exception {
        byte[] body = randomBytes(3_000_001);
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(uri("/upload/x.bin"))
                .PUT(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode());
        assertEquals("sha256=" + sha256(body) + " bytes=" + body.length + "\n", response.body(), "seed " + seed);

        HttpResponse<String> empty = client.send(HttpRequest.newBuilder(uri("/upload"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals("sha256=" + sha256(new byte[0]) + " bytes=0\n", empty.body());
    }

    @Test
    void chunkedUploadFromHttpClientAndRawChunks() throws Exception {
        long length = 2_500_000;
        // An input-stream publisher has no known length: HttpClient sends it chunked.
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(uri("/upload"))
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new Generator(5).stream(length))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals("sha256=" + new Generator(5).sha256Hex(length) + " bytes=" + length + "\n", response.body());

        byte[] body = randomBytes(200_000);
        ByteArrayOutputStream chunked = new ByteArrayOutputStream();
        chunked.writeBytes("POST /upload/c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        for (int pos = 0; pos < body.length; ) {
            int n = Math.min(random.nextInt(1, 40_000), body.length - pos);
            String ext = random.nextBoolean() ? ";name=value" : "";
            chunked.writeBytes((Integer.toHexString(n) + ext + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            chunked.write(body, pos, n);
            chunked.writeBytes("\r\n".getBytes(StandardCharsets.ISO_8859_1));
            pos += n;
        }
        chunked.writeBytes("0\r\nX-Trailer: t\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        try (RawHttp raw = new RawHttp(server.localAddress())) {
            raw.send(chunked.toByteArray());
            RawHttp.Response answer = raw.read(false);
            assertEquals("sha256=" + sha256(body) + " bytes=" + body.length + "\n", answer.text(), "seed " + seed);
            assertEquals(200, raw.exchange("GET /gen/1 HTTP/1.1\r\nHost: x\r\n\r\n").status(), "keep-alive after a chunked body");
        }
    }

    @Test
    void expectContinueGetsA100BeforeTheBody() throws Exception {
        try (RawHttp raw = new RawHttp(server.localAddress())) {
            raw.send("PUT /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n");
            assertEquals(100, raw.read(false).status());
            raw.send("abc");
            assertEquals("sha256=" + sha256("abc".getBytes(StandardCharsets.US_ASCII)) + " bytes=3\n", raw.read(false).text());
        }
    }

    /** An upload directory that is a file started a server whose every upload then failed, each with a 500. */
    @Test
    void anUploadDirectoryThatIsAFileIsRefusedAtStart() throws Exception {
        Path file = Files.writeString(temp.resolve("uploads.txt"), "not a directory");
        IOException e = assertThrows(IOException.class, () -> HttpFileServer.start(new KernelNetwork(), LOOPBACK,
                HttpServerConfig.serving(root).withUploadDir(file)));
        assertEquals("upload directory is not a directory: " + file, e.getMessage());
    }

    @Test
    void uploadsAreStoredWhenThereIsAnUploadDirectory() throws Exception {
        server.stop(Duration.ofSeconds(1));
        Path uploads = temp.resolve("uploads");
        server = HttpFileServer.start(new KernelNetwork(), LOOPBACK, HttpServerConfig.serving(root).withUploadDir(uploads));
        byte[] body = randomBytes(777_777);
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(uri("/upload/dir/file.bin"))
                .PUT(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode());
        assertArrayEquals(body, Files.readAllBytes(uploads.resolve("dir/file.bin")), "seed " + seed);
        HttpResponse<String> escape = client.send(HttpRequest.newBuilder(uri("/upload/%2e%2e/evil"))
                .PUT(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(403, escape.statusCode());
        assertFalse(Files.exists(temp.resolve("evil")));

        // An upload cut short leaves no file behind, not even a partial one.
        try (RawHttp raw = new RawHttp(server.localAddress())) {
            raw.send("PUT /upload/cut.bin HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n0123456789");
            Thread.sleep(100);
        }
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (server.connectionCount() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(0, server.connectionCount());
        try (var files = Files.list(uploads)) {
            assertEquals(java.util.List.of(uploads.resolve("dir")), files.toList(), "only the completed upload's directory remains");
        }
        try (var files = Files.list(uploads.resolve("dir"))) {
            assertEquals(java.util.List.of(uploads.resolve("dir/file.bin")), files.toList());
        }
    }

    @Test
    void anUploadThatCannotBeStoredWhereAskedIsAnsweredNotDropped() throws Exception {
        server.stop(Duration.ofSeconds(1));
        Path uploads = temp.resolve("uploads");
        server = HttpFileServer.start(new KernelNetwork(), LOOPBACK, HttpServerConfig.serving(root).withUploadDir(uploads));
        try (RawHttp raw = new RawHttp(server.localAddress())) {
            assertEquals(200, raw.exchange("PUT /upload/a HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc").status());
        }
        String[] unstorable = {
                "/upload/a/b", // its parent is a file
                "/upload/" + "n".repeat(300), // longer than a file name may be
        };
        for (String path : unstorable) {
            try (RawHttp raw = new RawHttp(server.localAddress())) {
                RawHttp.Response response = raw.exchange("PUT " + path + " HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc");
                assertTrue(response.status() >= 400 && response.status() < 500, path + " gave " + response.status());
            }
        }
        assertEquals("abc", Files.readString(uploads.resolve("a")));
    }

    @Test
    void uploadNamesComeFromTheRuntimeNotTheMachine() throws Exception {
        // A backup replays the primary's clock and seeds through the runtime; a name from the
        // machine's clock (or from a counter connections race for) would differ on the backup.
        Path uploads = temp.resolve("uploads");
        restartOn(new ScriptedRuntime(1, 1_234_567_890_123L), HttpServerConfig.serving(root).withUploadDir(uploads));
        try (RawHttp raw = new RawHttp(server.localAddress())) {
            assertEquals(200, raw.exchange("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc").status());
        }
        try (var files = Files.list(uploads)) {
            String name = files.toList().getFirst().getFileName().toString();
            assertTrue(name.startsWith("upload-1234567890123-"), name);
        }
    }

    @Test
    void theLingeringCloseAfterAnErrorIsTimedOnTheRuntimesClock() throws Exception {
        // Each nanoTime() of this runtime is a second later: the 5 s linger is over after a few reads.
        restartOn(new ScriptedRuntime(1_000_000_000L, 0), HttpServerConfig.serving(root).withMaxUploadBytes(10));
        try (RawHttp raw = new RawHttp(server.localAddress())) {
            assertEquals(413, raw.exchange("PUT /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n").status());
            long start = System.nanoTime();
            try {
                // Keep sending, slower than the 1 s read timeout would notice: only the total bound ends the linger.
                while (server.connectionCount() > 0 && System.nanoTime() - start < 4_000_000_000L) {
                    raw.send(new byte[100]);
                    Thread.sleep(50);
                }
            } catch (java.net.SocketException closedByServer) {
                // the server closed: what is expected
            }
            long waitedMillis = (System.nanoTime() - start) / 1_000_000;
            long deadline = System.nanoTime() + 2_000_000_000L;
            while (server.connectionCount() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertEquals(0, server.connectionCount());
            assertTrue(waitedMillis < 3000, "lingered " + waitedMillis + " ms of the machine's time");
        }
    }

    /** A server on the kernel's sockets whose runtime clock moves {@code nanosPerCall} at each reading. */
    private void restartWithScriptedClock(long nanosPerCall, HttpServerConfig config) throws IOException {
        restartOn(new ScriptedRuntime(nanosPerCall, 0), config);
    }

    /** A server on the kernel's sockets with {@code runtime}'s clocks and seeds in place of the machine's. */
    private void restartOn(ScriptedRuntime runtime, HttpServerConfig config) throws IOException {
        server.stop(Duration.ofSeconds(1));
        server = HttpFileServer.start(new InstrumentedKernelNetwork(runtime), LOOPBACK, config);
    }

    /**
     * Sends {@code bytes} one at a time, each a few ms after the last (far inside any read timeout),
     * until the server answers or all are sent; returns how many were sent.
     */
    private static int trickle(RawHttp raw, int bytes) throws Exception {
        raw.socket.setTcpNoDelay(true);
        int sent = 0;
        while (sent < bytes && raw.socket.getInputStream().available() == 0) {
            try {
                raw.send("a");
            } catch (java.net.SocketException closedByServer) {
                break;
            }
            sent++;
            Thread.sleep(5);
        }
        return sent;
    }

    @Test
    void aRequestHeadTricklingPastItsDeadlineGets408() throws Exception {
        // Each reading of this runtime's clock is 10 s later: the head's 60 s are over after a few reads,
        // while every read gets its byte long before any read timeout.
        assertTricklingGets408("GET /gen/1 HTTP/1.1\r\nHost: x\r\nX-Slow: ");
    }

    @Test
    void aTricklingBodyGets408() throws Exception {
        // 10 s of the runtime's clock a read, a byte each: far below 500 bytes/s, so the 60 s of slack run out.
        assertTricklingGets408("PUT /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n");
    }

    /**
     * On a runtime whose clock is 10 s later at each reading, sends {@code start} and then trickles
     * bytes: a 408 and a close must come within a few reads of the clock, and the connection go.
     */
    private void assertTricklingGets408(String start) throws Exception {
        restartWithScriptedClock(10_000_000_000L, HttpServerConfig.serving(root));
        try (RawHttp raw = new RawHttp(server.localAddress())) {
            raw.socket.setSoTimeout(3000);
            raw.send(start);
            int sent = trickle(raw, 400);
            RawHttp.Response response = raw.read(false);
            assertEquals(408, response.status());
            assertEquals("close", response.header("connection"));
            assertTrue(sent < 100, "408 came after " + sent + " bytes, each a read of the runtime's clock");
            assertTrue(raw.closedByServer());
        }
        assertEquals(0, awaitConnections(0));
    }

    @Test
    void anUploadAboveTheMinimumRateIsNeverCutHoweverLongItTakes() throws Exception {
        // 10 s of the runtime's clock a read; 32 KiB a read is far above 500 bytes/s. The upload takes
        // hundreds of seconds of that clock, past the body timeout many times over: only the rate counts.
        restartWithScriptedClock(10_000_000_000L, HttpServerConfig.serving(root));
        byte[] body = randomBytes(40 * 32 * 1024);
        try (RawHttp raw = new RawHttp(server.localAddress())) {
            raw.send("PUT /upload HTTP/1.1\r\nHost: x\r\nContent-Length: " + body.length + "\r\n\r\n");
            for (int offset = 0; offset < body.length; offset += 32 * 1024) {
                raw.send(Arrays.copyOfRange(body, offset, offset + 32 * 1024));
                Thread.sleep(5);
            }
            RawHttp.Response response = raw.read(false);
            assertEquals(200, response.status(), response.text());
            assertEquals("sha256=" + sha256(body) + " bytes=" + body.length + "\n", response.text(), "seed " + seed);
        }
    }

    @Test
    void aStalledRequestHeadGets408() throws Exception {
        server.stop(Duration.ofSeconds(1));
        server = HttpFileServer.start(new KernelNetwork(), LOOPBACK, HttpServerConfig.serving(root).withRequestHeadTimeout(Duration.ofMillis(300)));
        try (RawHttp raw = new RawHttp(server.localAddress())) {
            long start = System.nanoTime();
            raw.send("GET /gen/1 HTTP/1.1\r\nHost: x\r\n"); // the empty line that ends the head never comes
            RawHttp.Response response = raw.read(false);
            long waitedMillis = (System.nanoTime() - start) / 1_000_000;
            assertEquals(408, response.status());
            assertEquals("close", response.header("connection"));
            assertTrue(waitedMillis >= 250 && waitedMillis < 5000, "408 after " + waitedMillis + " ms");
            assertTrue(raw.closedByServer());
        }
    }

    @Test
    void aStalledBodyGets408() throws Exception {
        server.stop(Duration.ofSeconds(1));
        server = HttpFileServer.start(new KernelNetwork(), LOOPBACK, HttpServerConfig.serving(root).withBodyPace(Duration.ofMillis(300), 500));
        String[] stalled = {
                "PUT /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n" + "a".repeat(10),
                "PUT /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3e8\r\n" + "a".repeat(10),
                "PUT /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n", // between chunks
        };
        for (String request : stalled) {
            try (RawHttp raw = new RawHttp(server.localAddress())) {
                long start = System.nanoTime();
                raw.send(request);
                RawHttp.Response response = raw.read(false);
                long waitedMillis = (System.nanoTime() - start) / 1_000_000;
                assertEquals(408, response.status(), request);
                assertEquals("close", response.header("connection"), request);
                assertTrue(waitedMillis >= 250 && waitedMillis < 5000, "408 after " + waitedMillis + " ms: " + request);
                assertTrue(raw.closedByServer(), request);
            }
        }
    }

    @Test
    void theHeadDeadlineRunsFromTheRequestNotFromTheKeepAliveWait() throws Exception {
        server.stop(Duration.ofSeconds(1));
        server = HttpFileServer.start(new KernelNetwork(), LOOPBACK, HttpServerConfig.serving(root).withRequestHeadTimeout(Duration.ofMillis(300)));
        try (RawHttp raw = new RawHttp(server.localAddress())) {
            assertEquals(200, raw.exchange("GET /gen/1 HTTP/1.1\r\nHost: x\r\n\r\n").status());
            Thread.sleep(700); // idle between requests: the idle timeout's (5 minutes), not the head's
            assertEquals(200, raw.exchange("GET /gen/2 HTTP/1.1\r\nHost: x\r\n\r\n").status());
        }
        // A new connection is for a request: one that sends nothing is closed after the head's time, without a response.
        try (RawHttp raw = new RawHttp(server.localAddress())) {
            long start = System.nanoTime();
            assertTrue(raw.closedByServer(), "a response to no request");
            long waitedMillis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(waitedMillis >= 250 && waitedMillis < 5000, "closed after " + waitedMillis + " ms");
        }
    }

    @Test
    void requestTimeoutsAreCheckedAndDefaultAsNginxDoes() {
        HttpServerConfig defaults = HttpServerConfig.serving(root);
        assertEquals(Duration.ofSeconds(60), defaults.requestHeadTimeout());
        assertEquals(Duration.ofSeconds(60), defaults.bodyTimeout());
        assertEquals(500, defaults.minBodyBytesPerSecond());
        assertThrows(IllegalArgumentException.class, () -> defaults.withRequestHeadTimeout(Duration.ofSeconds(-1)));
        assertThrows(IllegalArgumentException.class, () -> defaults.withRequestHeadTimeout(Duration.ofDays(2)));
        assertThrows(IllegalArgumentException.class, () -> defaults.withBodyPace(Duration.ofDays(2), 500));
        assertThrows(IllegalArgumentException.class, () -> defaults.withBodyPace(Duration.ofSeconds(1), -1));
        assertEquals(Duration.ZERO, defaults.withRequestHeadTimeout(Duration.ZERO).requestHeadTimeout(), "ZERO: no limit");
    }

    /** Waits up to 5 s for the server to have {@code n} connections; returns how many it has. */
    private int awaitConnections(int n) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (server.connectionCount() != n && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        return server.connectionCount();
    }

    @Test
    void tooLargeUploadsGet413() throws Exception {
        server.stop(Duration.ofSeconds(1));
        server = HttpFileServer.start(new KernelNetwork(), LOOPBACK, HttpServerConfig.serving(root).withMaxUploadBytes(1000));
        try (RawHttp raw = new RawHttp(server.localAddress())) {
            assertEquals(413, raw.exchange("PUT /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 1001\r\n\r\n").status());
            assertTrue(raw.closedByServer());
        }
        try (RawHttp raw = new RawHttp(server.localAddress())) {
            raw.send("PUT /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3e8\r\n" + "a".repeat(1000) + "\r\n1\r\nb\r\n0\r\n\r\n");
            assertEquals(413, raw.read(false).status());
        }
        assertEquals(200, get("/gen/1").statusCode());
    }

    @Test
    void pathTraversalIsRejected() throws Exception {
        Files.writeString(temp.resolve("secret.txt"), "secret");
        Files.writeString(root.resolve("ok.txt"), "ok");
        Files.createSymbolicLink(root.resolve("link.txt"), temp.resolve("secret.txt"));
        String[] attacks = {"/../secret.txt", "/%2e%2e/secret.txt", "/%2E%2E%2Fsecret.txt", "/sub/../../secret.txt",
                "/./../secret.txt", "/link.txt", "//../secret.txt", "/..%2fsecret.txt"};
        for (String attack : attacks) {
            try (RawHttp raw = new RawHttp(server.localAddress())) {
                RawHttp.Response response = raw.exchange("GET " + attack + " HTTP/1.1\r\nHost: x\r\n\r\n");
                assertTrue(response.status() == 403 || response.status() == 404, attack + " gave " + response.status());
                assertFalse(response.text().contains("secret\n") || response.text().equals("secret"), attack + " leaked the file");
            }
        }
        assertEquals("ok", new String(get("/ok.txt").body(), StandardCharsets.UTF_8));
    }

    @Test
    void anAbsoluteFormTargetsPathEndsItsAuthority() throws Exception {
        Files.writeString(root.resolve("ok.txt"), "ok");
        try (RawHttp raw = new RawHttp(server.localAddress())) {
            assertEquals("ok", raw.exchange("GET http://x/ok.txt HTTP/1.1\r\nHost: x\r\n\r\n").text());
            // The authority ends at '?' or '#' too: a '/' in the query is not the path.
            assertEquals(404, raw.exchange("GET http://x?a=/ok.txt HTTP/1.1\r\nHost: x\r\n\r\n").status());
            assertEquals(404, raw.exchange("GET http://x#/ok.txt HTTP/1.1\r\nHost: x\r\n\r\n").status());
        }
    }

    @Test
    void unsupportedMethodsGet405WithAllow() throws Exception {
        try (RawHttp raw = new RawHttp(server.localAddress())) {
            RawHttp.Response response = raw.exchange("DELETE /x HTTP/1.1\r\nHost: x\r\n\r\n");
            assertEquals(405, response.status());
            assertEquals("GET, HEAD", response.header("allow"));
            RawHttp.Response upload = raw.exchange("GET /upload HTTP/1.1\r\nHost: x\r\n\r\n");
            assertEquals(405, upload.status());
            assertEquals("PUT, POST", upload.header("allow"));
        }
        // A body on a GET is not read: the response says the connection closes, and it does.
        try (RawHttp raw = new RawHttp(server.localAddress())) {
            RawHttp.Response response = raw.exchange("GET /gen/3 HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello");
            assertEquals(200, response.status());
            assertEquals(3, response.body().length);
            assertEquals("close", response.header("connection"));
            assertTrue(raw.closedByServer());
        }
    }

    @Test
    void malformedRequestsGet400AndCloseWithoutHurtingTheServer() throws Exception {
        String[] malformed = {
                "GARBAGE\r\n\r\n",
                "GET /\r\n\r\n",
                "GET / HTTP/1.1\r\n\r\n", // no Host
                "GET / HTTP/1.1\r\nHost: x\r\nNoColonHere\r\n\r\n",
                "GET / HTTP/1.1\r\nHost: x\r\nBad Name: v\r\n\r\n",
                "GET / HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n",
                "PUT /upload HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
                "PUT /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
                "PUT /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n",
                "PUT /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
                "PUT /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX\r\n",
                "GET /%zz HTTP/1.1\r\nHost: x\r\n\r\n",
                "GET /%00 HTTP/1.1\r\nHost: x\r\n\r\n",
                "GET relative HTTP/1.1\r\nHost: x\r\n\r\n",
                "GET / HTTP/1.1 extra\r\nHost: x\r\n\r\n",
        };
        for (String request : malformed) {
            try (RawHttp raw = new RawHttp(server.localAddress())) {
                RawHttp.Response response = raw.exchange(request);
                assertEquals(400, response.status(), request);
                assertEquals("close", response.header("connection"), request);
                assertTrue(raw.closedByServer(), request);
            }
        }
        try (RawHttp raw = new RawHttp(server.localAddress())) {
            assertEquals(505, raw.exchange("GET / HTTP/2.0\r\nHost: x\r\n\r\n").status());
        }
        try (RawHttp raw = new RawHttp(server.localAddress())) {
            assertEquals(431, raw.exchange("GET /" + "a".repeat(20_000) + " HTTP/1.1\r\nHost: x\r\n\r\n").status());
        }
        for (int i = 0; i < 100; i++) {
            byte[] garbage = randomBytes(random.nextInt(1, 3000));
            try (RawHttp raw = new RawHttp(server.localAddress())) {
                raw.send(garbage);
                raw.send("\r\n\r\n");
                RawHttp.Response response = raw.read(false);
                assertTrue(response.status() >= 400 && response.status() < 500, "garbage got " + response.status() + ", seed " + seed);
            }
        }
        assertEquals(200, get("/gen/1000").statusCode(), "server still serves");
    }

    @Test
    void framingAnotherParserCouldReadDifferentlyIsRefused() throws Exception {
        // Each of these is read one way by a lenient parser and another by a strict one (request smuggling).
        String[] ambiguous = {
                "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", // RFC 9112 §3.2: more than one Host is a 400
                "PUT /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 3\u000b\r\n\r\nabc", // VT is not whitespace (OWS is SP / HTAB)
                "PUT /upload HTTP/1.1\r\nHost: x\r\nContent-Length:\u001f3\r\n\r\nabc",
                "PUT /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\u0000\r\nabc\r\n0\r\n\r\n",
                "PUT /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n\u000b3\r\nabc\r\n0\r\n\r\n",
        };
        for (String request : ambiguous) {
            try (RawHttp raw = new RawHttp(server.localAddress())) {
                RawHttp.Response response = raw.exchange(request);
                assertEquals(400, response.status(), request);
                assertTrue(raw.closedByServer(), request);
            }
        }
        // RFC 9112 §6.1: Transfer-Encoding in HTTP/1.0 is faulty framing: serve, then close whatever Connection says.
        try (RawHttp raw = new RawHttp(server.localAddress())) {
            RawHttp.Response response = raw.exchange("PUT /upload HTTP/1.0\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "3\r\nabc\r\n0\r\n\r\n");
            assertEquals(200, response.status());
            assertEquals("close", response.header("connection"));
            assertTrue(raw.closedByServer());
        }
        // Whitespace that is whitespace is still fine.
        try (RawHttp raw = new RawHttp(server.localAddress())) {
            raw.send("PUT /upload HTTP/1.1\r\nHost: x\r\nContent-Length: \t3 \t\r\n\r\nabc");
            assertEquals(200, raw.read(false).status());
            raw.send("PUT /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3 ;ext=1\r\nabc\r\n0\r\n\r\n");
            assertEquals(200, raw.read(false).status());
        }
    }

    @Test
    void aClientVanishingMidResponseDoesNotHurtTheServer() throws Exception {
        for (int i = 0; i < 5; i++) {
            try (RawHttp raw = new RawHttp(server.localAddress())) {
                raw.send("GET /gen/100M HTTP/1.1\r\nHost: x\r\n\r\n");
                raw.socket.getInputStream().readNBytes(1000);
                raw.socket.setSoLinger(true, 0);
            }
        }
        assertEquals(200, get("/gen/1000").statusCode());
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (server.connectionCount() > 1 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertTrue(server.connectionCount() <= 1, "connections of vanished clients linger: " + server.connectionCount());
    }

    @Test
    void manyConcurrentClientsEachGetTheirOwnStream() throws Exception {
        int clients = 100;
        java.util.List<java.util.concurrent.Callable<Void>> tasks = new java.util.ArrayList<>();
        for (int i = 0; i < clients; i++) {
            int clientSeed = i;
            tasks.add(() -> {
                try (RawHttp raw = new RawHttp(server.localAddress())) {
                    for (int request = 0; request < 3; request++) {
                        RawHttp.Response response = raw.exchange("GET /gen/" + (100_000 + request) + "?seed=" + clientSeed + " HTTP/1.1\r\nHost: x\r\n\r\n");
                        assertEquals(200, response.status());
                        assertEquals(new Generator(clientSeed).sha256Hex(100_000 + request), sha256(response.body()), "client " + clientSeed);
                    }
                }
                return null;
            });
        }
        try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            for (var result : pool.invokeAll(tasks)) {
                result.get();
            }
        }
    }

    @Test
    void idleConnectionsAreClosedAfterTheIdleTimeout() throws Exception {
        server.stop(Duration.ofSeconds(1));
        server = HttpFileServer.start(new KernelNetwork(), LOOPBACK, HttpServerConfig.serving(root).withIdleTimeout(Duration.ofMillis(200)));
        try (RawHttp raw = new RawHttp(server.localAddress())) {
            assertEquals(200, raw.exchange("GET /gen/1 HTTP/1.1\r\nHost: x\r\n\r\n").status());
            long start = System.nanoTime();
            assertTrue(raw.closedByServer());
            long waitedMillis = (System.nanoTime() - start) / 1_000_000;
            assertTrue(waitedMillis >= 150 && waitedMillis < 5000, "closed after " + waitedMillis + " ms");
        }
    }

    @Test
    void stopClosesIdleConnectionsAndRefusesNewOnes() throws Exception {
        try (RawHttp raw = new RawHttp(server.localAddress())) {
            assertEquals(200, raw.exchange("GET /gen/1 HTTP/1.1\r\nHost: x\r\n\r\n").status());
            long start = System.nanoTime();
            server.stop(Duration.ofSeconds(5));
            assertTrue(System.nanoTime() - start < 4_000_000_000L, "stop waited for an idle connection");
            assertTrue(raw.closedByServer());
        }
        assertThrows(ConnectException.class, () -> new RawHttp(server.localAddress()).close());
        assertEquals(0, server.connectionCount());
    }
}
