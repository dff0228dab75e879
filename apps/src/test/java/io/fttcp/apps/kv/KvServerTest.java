package io.fttcp.apps.kv;

import io.fttcp.api.kernel.KernelNetwork;
import io.fttcp.apps.InstrumentedKernelNetwork;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The key-value server on the kernel's TCP (unprotected: checkpoints record nothing). */
class KvServerTest {

    private static String exchange(SocketChannel c, String lines, int answers) throws IOException {
        ByteBuffer out = ByteBuffer.wrap(lines.getBytes(StandardCharsets.UTF_8));
        while (out.hasRemaining()) c.write(out);
        StringBuilder got = new StringBuilder();
        ByteBuffer in = ByteBuffer.allocate(1024);
        while (got.chars().filter(ch -> ch == '\n').count() < answers) {
            in.clear();
            int n = c.read(in);
            if (n < 0) break;
            got.append(new String(in.array(), 0, n, StandardCharsets.UTF_8));
        }
        return got.toString();
    }

    @Test
    void valuesOutliveConnectionsAndLinesMaySplitAnywhere() throws Exception {
        try (KvServer server = KvServer.start(new KernelNetwork(), new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 3)) {
            try (SocketChannel a = SocketChannel.open(server.localAddress())) {
                assertEquals("OK\n1\n2\nERR not a number\n", exchange(a, "SET x hello\nINCR n\nINCR n\nINCR x\n", 4));
                assertEquals("", exchange(a, "GE", 0));
                assertEquals("hello\nERR unknown command\nERR usage: SET key value\n", exchange(a, "T x\nDROP x\nSET y\n", 3));
            }
            try (SocketChannel b = SocketChannel.open(server.localAddress())) {
                assertEquals("2\nNIL\n", exchange(b, "GET n\nGET missing\n", 2));
                b.shutdownOutput();
                assertEquals(-1, b.read(ByteBuffer.allocate(10)), "the server closes once the client ended");
            }
            assertEquals(0, server.checkpoints(), "unprotected: nothing records a checkpoint");
        }
    }

    @Test
    void stateRestoresValuesAndRefusesAMissingConnection() throws Exception {
        InetSocketAddress any = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        KvServer server = KvServer.start(new KernelNetwork(), any, 100);
        byte[] state;
        try (SocketChannel a = SocketChannel.open(server.localAddress())) {
            exchange(a, "SET k v\nSET partial", 1);
            Thread.sleep(100);
            server.close(); // its loop has stopped: its state holds still
            state = server.state();
        }
        KvServer restored = KvServer.start(new KernelNetwork(), any, 100);
        restored.close();
        assertEquals("NIL", restored.execute("GET k"));
        assertThrows(IOException.class, () -> restored.restore(state, Map.of()), "the checkpoint's connection must be handed back");
        KvServer alone = KvServer.start(new KernelNetwork(), any, 100);
        alone.close();
        alone.restore(restoredWithoutConnections(state), Map.of());
        assertEquals("v", alone.execute("GET k"));
    }

    @Test
    void incrRefusesToOverflowRatherThanWrapping() throws Exception {
        KvServer server = KvServer.start(new KernelNetwork(), new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 100);
        server.close();
        assertEquals("OK", server.execute("SET n " + Long.MAX_VALUE));
        assertEquals("ERR increment would overflow", server.execute("INCR n"));
        assertEquals(Long.toString(Long.MAX_VALUE), server.execute("GET n"));
    }

    @Test
    void aClientThatDoesNotReadItsAnswersHoldsOnlyABoundedBacklog() throws Exception {
        try (KvServer server = KvServer.start(new KernelNetwork(), new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1_000_000);
             SocketChannel c = SocketChannel.open()) {
            c.setOption(java.net.StandardSocketOptions.SO_RCVBUF, 4096);
            c.connect(server.localAddress());
            assertEquals("OK\n", exchange(c, "SET big " + "x".repeat(4000) + "\n", 1));
            // 5,000 requests of 8 bytes ask for 20 MB of answers; the client reads none of them.
            c.configureBlocking(false);
            ByteBuffer requests = ByteBuffer.wrap("GET big\n".repeat(5000).getBytes(StandardCharsets.UTF_8));
            long deadline = System.nanoTime() + 2_000_000_000L;
            while (requests.hasRemaining() && System.nanoTime() < deadline) {
                if (c.write(requests) == 0) {
                    Thread.sleep(10);
                }
            }
            Thread.sleep(500);
            server.close();
            int held = server.state().length;
            assertTrue(held < 1_000_000, "the server holds " + held + " bytes for a client that does not read");
        }
    }

    @Test
    void commandsHeldBackWhileAnswersWaitAreAllAnsweredInOrderOnceTheClientReads() throws Exception {
        try (KvServer server = KvServer.start(new KernelNetwork(), new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1_000_000);
             SocketChannel c = SocketChannel.open(server.localAddress())) {
            String value = "v".repeat(3000);
            assertEquals("OK\n", exchange(c, "SET big " + value + "\n", 1));
            StringBuilder requests = new StringBuilder();
            StringBuilder expected = new StringBuilder();
            for (int i = 1; i <= 3000; i++) {
                requests.append(i % 100 == 0 ? "INCR n\n" : "GET big\n");
                expected.append(i % 100 == 0 ? (i / 100) + "\n" : value + "\n");
            }
            ByteBuffer out = ByteBuffer.wrap(requests.toString().getBytes(StandardCharsets.UTF_8));
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    while (out.hasRemaining()) {
                        c.write(out);
                    }
                    c.shutdownOutput(); // ended: the last answers still come, then the close
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            Thread.sleep(300); // answers pile up unread meanwhile
            java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
            ByteBuffer in = ByteBuffer.allocate(65536);
            while (c.read(in.clear()) >= 0) {
                got.write(in.array(), 0, in.position());
            }
            writer.join();
            assertEquals(expected.toString(), got.toString(StandardCharsets.UTF_8));
        }
    }

    @Test
    void aClientThatEndedWithoutReadingItsAnswersDoesNotSpinTheLoop() throws Exception {
        InstrumentedKernelNetwork network = new InstrumentedKernelNetwork();
        try (KvServer server = KvServer.start(network, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1_000_000);
             SocketChannel c = SocketChannel.open()) {
            c.setOption(java.net.StandardSocketOptions.SO_RCVBUF, 4096);
            c.connect(server.localAddress());
            assertEquals("OK\n", exchange(c, "SET big " + "x".repeat(4000) + "\n", 1));
            c.configureBlocking(false);
            ByteBuffer requests = ByteBuffer.wrap("GET big\n".repeat(2000).getBytes(StandardCharsets.UTF_8));
            long deadline = System.nanoTime() + 2_000_000_000L;
            while (requests.hasRemaining() && System.nanoTime() < deadline) {
                if (c.write(requests) == 0) {
                    Thread.sleep(10);
                }
            }
            c.shutdownOutput(); // ended, with answers waiting that it does not read
            Thread.sleep(300);
            long before = network.polls.get();
            Thread.sleep(1000);
            long polls = network.polls.get() - before;
            assertTrue(polls < 100, polls + " polls in a second with nothing to do: the loop spins");
        }
    }

    @Test
    void aFailedAcceptDoesNotStopTheServer() throws Exception {
        InstrumentedKernelNetwork network = new InstrumentedKernelNetwork();
        try (KvServer server = KvServer.start(network, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1_000_000)) {
            network.failingAccepts.set(1);
            try (java.net.Socket c = new java.net.Socket(server.localAddress().getAddress(), server.localAddress().getPort())) {
                c.setSoTimeout(5000);
                c.getOutputStream().write("SET a 1\n".getBytes(StandardCharsets.UTF_8));
                assertEquals("OK", new java.io.BufferedReader(new java.io.InputStreamReader(c.getInputStream(), StandardCharsets.UTF_8)).readLine());
            }
        }
    }

    /** {@code state} with its connections left out (the values, then a count of 0). */
    private static byte[] restoredWithoutConnections(byte[] state) throws IOException {
        java.io.DataInputStream in = new java.io.DataInputStream(new java.io.ByteArrayInputStream(state));
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        java.io.DataOutputStream out = new java.io.DataOutputStream(bytes);
        int n = in.readInt();
        out.writeInt(n);
        for (int i = 0; i < n; i++) {
            out.writeUTF(in.readUTF());
            out.writeUTF(in.readUTF());
        }
        out.writeInt(0);
        return bytes.toByteArray();
    }
}
