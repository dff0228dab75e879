package io.fttcp.roles.primary;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static java.lang.System.Logger.Level.WARNING;

/**
 * Logger mode: a port on the primary's host where its process answers (accepts and closes at
 * once) for as long as it lives. The primary names it in its handshake; a logger whose channel
 * to the primary closed without a word asks it ({@link io.fttcp.roles.PrimaryProbe}): refused
 * means the process is gone (its kernel closed the listener with everything else), and the
 * logger may serve a recovery at once instead of waiting out the primary's lease. A primary
 * that gave its channel up alive (its REJECT lost behind a full send buffer) answers, and the
 * logger waits the lease out as before.
 */
final class LivenessPort implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("fttcp.primary");
    private final ServerSocketChannel server;
    private final int port;

    private LivenessPort(ServerSocketChannel server, int port) {
        this.server = server;
        this.port = port;
        Thread.ofPlatform().daemon().name("fttcp-primary-liveness").start(this::answerLoop);
    }

    /**
     * Listens on {@code port} (0: any free port) on every address of this host; null, said once,
     * when that fails (the logger then waits out the lease after a crash, as without one).
     */
    static LivenessPort open(int port) {
        ServerSocketChannel server = null;
        try {
            server = ServerSocketChannel.open(StandardProtocolFamily.INET);
            server.bind(new InetSocketAddress(port));
            return new LivenessPort(server, ((InetSocketAddress) server.getLocalAddress()).getPort());
        } catch (IOException | RuntimeException e) {
            if (server != null) {
                try {
                    server.close();
                } catch (IOException ignored) {
                    // it was never listening
                }
            }
            LOG.log(WARNING, "cannot open the liveness port " + port + " (" + e.getMessage()
                    + "): after a crash of this primary, the logger will wait out its lease before serving a recovery");
            return null;
        }
    }

    int port() {
        return port;
    }

    private void answerLoop() {
        while (server.isOpen()) {
            try (SocketChannel asked = server.accept()) {
                // accepted, and closed at once by the try: the answer is "alive"
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10)); // out of descriptors, say: the asker times out and waits the lease
            }
        }
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
