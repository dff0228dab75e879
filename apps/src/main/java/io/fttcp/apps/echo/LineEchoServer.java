package io.fttcp.apps.echo;

import io.fttcp.api.ListeningSocket;
import io.fttcp.api.Network;
import io.fttcp.api.StreamSocket;
import io.fttcp.apps.AcceptLoop;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadFactory;

/**
 * A line echo service on the socket interface, blocking, one virtual thread per connection:
 * every line a client sends comes back to it, byte for byte (the newline included; a last line
 * without newline is echoed at end of stream). (The chat, whose connections interact, is
 * {@code io.fttcp.apps.chat.ChatServer}, on one poller loop.)
 */
public final class LineEchoServer implements AutoCloseable {

    /** Longest line handled as one piece; longer lines are passed on in pieces of this size. */
    static final int MAX_LINE = 8 * 1024;

    private static final Logger log = LoggerFactory.getLogger(LineEchoServer.class);

    private final ListeningSocket listener;
    private final Set<StreamSocket> sockets = ConcurrentHashMap.newKeySet();
    private final ThreadFactory sessionThreads = Thread.ofVirtual().name("line-", 0).factory();
    private final Thread acceptor;
    private volatile boolean stopping;

    private LineEchoServer(ListeningSocket listener) {
        this.listener = listener;
        this.acceptor = Thread.ofVirtual().name("line-accept").unstarted(this::acceptLoop);
    }

    public static LineEchoServer start(Network network, InetSocketAddress address) throws IOException {
        LineEchoServer server = new LineEchoServer(network.listen(address, 1024));
        server.acceptor.start();
        log.info("line echo server listening on {}", server.localAddress());
        return server;
    }

    public InetSocketAddress localAddress() {
        return listener.localAddress();
    }

    /** Connections currently open. */
    public int connectionCount() {
        return sockets.size();
    }

    private void acceptLoop() {
        AcceptLoop.run(listener, () -> stopping, sessionThreads, new AcceptLoop.Sessions() {
            @Override
            public Runnable open(StreamSocket socket) {
                sockets.add(socket);
                return new EchoSession(socket, () -> sockets.remove(socket));
            }

            @Override
            public void abandon(StreamSocket socket, Runnable session) {
                closeQuietly(socket);
            }
        }, log);
    }

    /** Stops accepting and closes every connection. */
    public void stop() {
        if (stopping) {
            return;
        }
        stopping = true;
        closeQuietly(listener);
        for (StreamSocket socket : sockets) {
            closeQuietly(socket);
        }
        try {
            acceptor.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        stop();
    }

    static void closeQuietly(java.io.Closeable closeable) {
        try {
            closeable.close();
        } catch (IOException e) {
            log.debug("closing {}: {}", closeable, e.toString());
        }
    }
}
