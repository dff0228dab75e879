package io.fttcp.apps.kv;

import io.fttcp.api.kernel.KernelNetwork;
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
