package io.fttcp.apps.chat;

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
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

/** The chat room on the kernel's TCP (unprotected: checkpoints record nothing). */
class ChatServerTest {

    private static final InetSocketAddress LOOPBACK = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    private ChatServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private Socket join() throws Exception {
        int before = server.memberCount();
        Socket socket = new Socket(server.localAddress().getAddress(), server.localAddress().getPort());
        awaitMembers(before + 1);
        return socket;
    }

    private void awaitMembers(int n) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (server.memberCount() != n && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertEquals(n, server.memberCount());
    }

    @Test
    void everyMemberGetsEveryLineInOneOrder() throws Exception {
        long seed = new SplittableRandom().nextLong();
        SplittableRandom random = new SplittableRandom(seed);
        server = ChatServer.start(new KernelNetwork(), LOOPBACK, 1000);
        int clients = 4;
        int linesEach = 50;
        List<Socket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < clients; i++) {
                sockets.add(join());
            }
            // Senders write concurrently, each line split at a random point: lines interleave, never mix.
            List<Thread> senders = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                int client = i;
                long senderSeed = random.nextLong();
                senders.add(Thread.ofPlatform().start(() -> {
                    SplittableRandom r = new SplittableRandom(senderSeed);
                    try {
                        for (int j = 0; j < linesEach; j++) {
                            byte[] line = ("client " + client + " line " + j + "\n").getBytes(StandardCharsets.US_ASCII);
                            int cut = r.nextInt(line.length);
                            sockets.get(client).getOutputStream().write(line, 0, cut);
                            sockets.get(client).getOutputStream().flush();
                            sockets.get(client).getOutputStream().write(line, cut, line.length - cut);
                        }
                    } catch (IOException e) {
                        throw new RuntimeException(e);
                    }
                }));
            }
            for (Thread t : senders) {
                t.join();
            }
            List<String> first = null;
            for (Socket socket : sockets) {
                List<String> received = readLines(socket.getInputStream(), clients * linesEach);
                assertEquals(clients * linesEach, new HashSet<>(received).size(), "seed " + seed + ": every line once");
                for (int i = 0; i < clients; i++) {
                    String prefix = "client " + i + " ";
                    List<String> fromOne = received.stream().filter(l -> l.startsWith(prefix)).toList();
                    for (int j = 0; j < linesEach; j++) {
                        assertEquals(prefix + "line " + j + "\n", fromOne.get(j), "seed " + seed + ": a sender's lines keep their order");
                    }
                }
                if (first == null) {
                    first = received;
                } else {
                    assertEquals(first, received, "seed " + seed + ": every member sees one order");
                }
            }
            sockets.getFirst().close();
            awaitMembers(clients - 1);
        } finally {
            for (Socket socket : sockets) {
                socket.close();
            }
        }
    }

    @Test
    void longLinesComeInPiecesAndAnEndedClientGetsItsLinesThenTheClose() throws Exception {
        server = ChatServer.start(new KernelNetwork(), LOOPBACK, 1000);
        try (Socket alice = join(); Socket bob = join()) {
            byte[] longLine = new byte[ChatServer.MAX_LINE + 100];
            java.util.Arrays.fill(longLine, (byte) 'x');
            longLine[longLine.length - 1] = '\n';
            alice.getOutputStream().write(longLine);
            assertArrayEquals(longLine, bob.getInputStream().readNBytes(longLine.length));
            assertArrayEquals(longLine, alice.getInputStream().readNBytes(longLine.length), "the sender gets its own line");
            bob.getOutputStream().write("last words".getBytes(StandardCharsets.US_ASCII));
            bob.shutdownOutput();
            assertArrayEquals("last words".getBytes(StandardCharsets.US_ASCII), alice.getInputStream().readNBytes(10),
                    "a last line without newline is passed on at the end");
            assertArrayEquals("last words".getBytes(StandardCharsets.US_ASCII), bob.getInputStream().readNBytes(10));
            assertEquals(-1, bob.getInputStream().read(), "then the ended client's connection closes");
            awaitMembers(1);
            alice.getOutputStream().write("anyone?\n".getBytes(StandardCharsets.US_ASCII));
            assertArrayEquals("anyone?\n".getBytes(StandardCharsets.US_ASCII), alice.getInputStream().readNBytes(8));
        }
    }

    @Test
    void aMemberThatStopsReadingIsDisconnectedAndTheOthersGoOn() throws Exception {
        server = ChatServer.start(new KernelNetwork(), LOOPBACK, 1000);
        try (Socket talker = join()) {
            Socket sleeper = new Socket();
            sleeper.setReceiveBufferSize(4096);
            sleeper.connect(server.localAddress());
            awaitMembers(2);
            byte[] line = new byte[ChatServer.MAX_LINE];
            java.util.Arrays.fill(line, (byte) 'y');
            line[line.length - 1] = '\n';
            Thread reader = Thread.ofPlatform().start(() -> {
                try {
                    talker.getInputStream().readNBytes(2000 * line.length);
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            // 16 MB: more than the sleeper's socket buffers and the 64 KiB the room keeps for it.
            for (int i = 0; i < 2000; i++) {
                talker.getOutputStream().write(line);
            }
            reader.join(20_000);
            assertFalse(reader.isAlive(), "the talker got every line");
            awaitMembers(1);
            sleeper.close();
        }
    }

    @Test
    void stateRestoresMembersAndRefusesAMissingConnection() throws Exception {
        server = ChatServer.start(new KernelNetwork(), LOOPBACK, 1000);
        byte[] state;
        try (Socket a = join()) {
            a.getOutputStream().write("half a li".getBytes(StandardCharsets.US_ASCII));
            Thread.sleep(100);
            server.close(); // its loop has stopped: its state holds still
            state = server.state();
        }
        ChatServer restored = ChatServer.start(new KernelNetwork(), LOOPBACK, 1000);
        restored.close();
        IOException missing = assertThrows(IOException.class, () -> restored.restore(state, Map.of()));
        assertTrue(missing.getMessage().contains("was not restored"), missing.getMessage());
        restored.restore(new byte[]{0, 0, 0, 0}, Map.of());
        assertEquals(0, restored.state().length - 4, "an empty room restores empty");
    }

    private static List<String> readLines(InputStream in, int count) throws IOException {
        List<String> lines = new ArrayList<>();
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        while (lines.size() < count) {
            int b = in.read();
            if (b < 0) {
                fail("stream ended after " + lines.size() + " lines");
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
