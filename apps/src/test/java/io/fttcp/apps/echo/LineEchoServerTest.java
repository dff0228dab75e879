package io.fttcp.apps.echo;

import io.fttcp.api.kernel.KernelNetwork;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.*;

class LineEchoServerTest {

    private static final InetSocketAddress LOOPBACK = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    private LineEchoServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop();
        }
    }

    private Socket connect() throws IOException {
        Socket socket = new Socket(server.localAddress().getAddress(), server.localAddress().getPort());
        socket.setSoTimeout(10_000);
        return socket;
    }

    /** Random binary lines: any byte but '\n', then '\n'; lengths up to three times the server's line buffer. */
    private static byte[] randomLines(SplittableRandom random, int count) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < count; i++) {
            int length = random.nextInt(10) == 0 ? random.nextInt(3 * LineEchoServer.MAX_LINE) : random.nextInt(200);
            for (int j = 0; j < length; j++) {
                int b = random.nextInt(255);
                out.write(b >= '\n' ? b + 1 : b);
            }
            out.write('\n');
        }
        return out.toByteArray();
    }

    @Test
    void echoReturnsExactlyTheBytesSentByManyClients() throws Exception {
        server = LineEchoServer.start(new KernelNetwork(), LOOPBACK);
        long seed = new SplittableRandom().nextLong();
        SplittableRandom random = new SplittableRandom(seed);
        List<Callable<Void>> clients = new ArrayList<>();
        for (int c = 0; c < 8; c++) {
            byte[] sent = randomLines(random.split(), 300);
            byte[] tail = "no newline at the end".getBytes(StandardCharsets.US_ASCII);
            clients.add(() -> {
                try (Socket socket = connect()) {
                    Thread writer = Thread.ofVirtual().start(() -> {
                        try {
                            socket.getOutputStream().write(sent);
                            socket.getOutputStream().write(tail);
                            socket.shutdownOutput();
                        } catch (IOException e) {
                            throw new AssertionError(e);
                        }
                    });
                    byte[] received = socket.getInputStream().readAllBytes();
                    writer.join();
                    byte[] expected = new byte[sent.length + tail.length];
                    System.arraycopy(sent, 0, expected, 0, sent.length);
                    System.arraycopy(tail, 0, expected, sent.length, tail.length);
                    assertArrayEquals(expected, received, "seed " + seed);
                }
                return null;
            });
        }
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (Future<Void> f : pool.invokeAll(clients)) {
                f.get();
            }
        }
    }

    @Test
    void echoAnswersLineByLineInteractively() throws Exception {
        server = LineEchoServer.start(new KernelNetwork(), LOOPBACK);
        try (Socket socket = connect()) {
            InputStream in = socket.getInputStream();
            for (String line : new String[]{"hello\n", "\n", "\r\n", "second line\n"}) {
                byte[] bytes = line.getBytes(StandardCharsets.US_ASCII);
                socket.getOutputStream().write(bytes);
                assertArrayEquals(bytes, in.readNBytes(bytes.length), "echo of " + line.strip());
            }
        }
    }

    @Test
    void stopClosesConnections() throws Exception {
        server = LineEchoServer.start(new KernelNetwork(), LOOPBACK);
        try (Socket socket = connect()) {
            socket.getOutputStream().write("x\n".getBytes(StandardCharsets.US_ASCII));
            assertEquals('x', socket.getInputStream().read());
            assertEquals('\n', socket.getInputStream().read());
            server.stop();
            assertEquals(-1, socket.getInputStream().read());
        }
    }

    private static List<String> readLines(InputStream in, int count) throws IOException {
        List<String> lines = new ArrayList<>();
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        while (lines.size() < count) {
            int b = in.read();
            if (b < 0) {
                fail("stream ended after " + lines);
            }
            line.write(b);
            if (b == '\n') {
                lines.add(line.toString(StandardCharsets.US_ASCII));
                line.reset();
            }
        }
        return lines;
    }
}
