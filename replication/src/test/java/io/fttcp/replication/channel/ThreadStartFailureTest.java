package io.fttcp.replication.channel;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

import static io.fttcp.replication.channel.ChannelTesting.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * A channel whose threads cannot all start (the JVM out of native threads, as under a flood of
 * connections) leaves nothing behind: its open throws, and its connection and any thread it did
 * start end at once, not at a handshake deadline nobody enforces.
 */
class ThreadStartFailureTest {
    /** Long, so that only the failed start can explain a prompt close. */
    private static final ChannelConfig SLOW_HANDSHAKE = TOLERANT.withHandshakeTimeout(Duration.ofSeconds(30));

    private ServerSocketChannel server;
    private SocketChannel peer;

    @BeforeEach
    void listen() throws IOException {
        server = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        peer = SocketChannel.open(server.getLocalAddress());
    }

    @AfterEach
    void cleanUp() throws IOException {
        peer.close();
        server.close();
    }

    /** Makes platform threads, but the {@code failing}-th one (from 1) cannot start, as when the JVM is out of threads. */
    private static ThreadFactory failingAt(int failing, List<Thread> made) {
        AtomicInteger count = new AtomicInteger();
        return body -> {
            Thread t = count.incrementAndGet() == failing ? new Thread(body) {
                @Override
                public void start() {
                    throw new OutOfMemoryError("unable to create native thread: possibly out of memory or process/resource limits reached");
                }
            } : Thread.ofPlatform().daemon().unstarted(body);
            made.add(t);
            return t;
        };
    }


    @ParameterizedTest(name = "thread {0} of the channel cannot start")
    @ValueSource(ints = {1, 2})
    void aChannelWhoseThreadsCannotAllStartClosesItsConnectionAndLeavesNoThread(int failing) throws Exception {
        List<Thread> made = new CopyOnWriteArrayList<>();
        SocketChannel accepted = server.accept();
        OutOfMemoryError thrown = assertThrows(OutOfMemoryError.class,
                () -> LoggerChannel.open(accepted, SLOW_HANDSHAKE, NO_SESSIONS, failingAt(failing, made)));
        assertTrue(thrown.getMessage().contains("native thread"), thrown.toString());
        assertFalse(accepted.isOpen(), "the accepted socket is closed when the channel could not start");
        peer.socket().setSoTimeout(5_000);
        InputStream in = peer.socket().getInputStream();
        long start = System.nanoTime();
        try {
            assertEquals(-1, in.read(), "the peer hears the connection end, nothing else");
        } catch (SocketTimeoutException e) {
            fail("the connection was left open after the channel's threads failed to start (its handshake deadline is 30 s)");
        } catch (IOException reset) {
            // a reset ends it too
        }
        assertTrue(System.nanoTime() - start < 3_000_000_000L, "the connection ended at once, not at a deadline");
        await("every thread the channel started to end", 3000, () -> made.stream().noneMatch(Thread::isAlive));
    }
}
