package io.fttcp.roles.primary;

import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A joiner's first bytes are seen without being taken; a silent peer (a probe) is told apart. */
class FirstBytesTest {
    private static final Duration WAIT = Duration.ofMillis(100);

    @Test
    void bytesSentAtOnceArriveAndStayForTheBlockingReader() throws Exception {
        try (ServerSocketChannel server = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
             Socket joiner = new Socket(InetAddress.getLoopbackAddress(), server.socket().getLocalPort());
             SocketChannel accepted = server.accept()) {
            OutputStream out = joiner.getOutputStream();
            out.write(new byte[] {1, 2, 3});
            out.flush();
            assertTrue(FirstBytes.arriveWithin(accepted, Duration.ofSeconds(5)));
            assertTrue(accepted.isBlocking());
            ByteBuffer in = ByteBuffer.allocate(3);
            while (in.hasRemaining()) accepted.read(in);
            assertArrayEquals(new byte[] {1, 2, 3}, in.array(), "the bytes are still there for the channel");
        }
    }

    @Test
    void aSilentPeerIsNotAJoiner() throws Exception {
        try (ServerSocketChannel server = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
             Socket probe = new Socket(InetAddress.getLoopbackAddress(), server.socket().getLocalPort());
             SocketChannel accepted = server.accept()) {
            long start = System.nanoTime();
            assertFalse(FirstBytes.arriveWithin(accepted, WAIT));
            assertTrue(System.nanoTime() - start >= WAIT.toNanos() * 9 / 10, "it waited");
            assertTrue(accepted.isBlocking());
            probe.getOutputStream().write(7); // still usable afterwards
            ByteBuffer in = ByteBuffer.allocate(1);
            assertEquals(1, accepted.read(in));
        }
    }

    @Test
    void aPeerThatClosesIsSeenAtOnce() throws Exception {
        try (ServerSocketChannel server = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            Socket gone = new Socket(InetAddress.getLoopbackAddress(), server.socket().getLocalPort());
            try (SocketChannel accepted = server.accept()) {
                gone.close();
                assertTrue(FirstBytes.arriveWithin(accepted, Duration.ofSeconds(5)), "end of stream is something to read");
            }
        }
    }
}
