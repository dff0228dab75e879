package io.fttcp.bench;

import io.fttcp.api.ListeningSocket;
import io.fttcp.api.Network;
import io.fttcp.api.PollKey;
import io.fttcp.api.Poller;
import io.fttcp.api.StreamSocket;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Accepts connections and keeps them open, doing nothing, until the peer closes: the server
 * side of the idle-connection memory measurement. One thread and one poller for all of them,
 * so the memory measured is the network's per connection, not a thread stack per connection.
 */
public final class IdleConnectionHolder implements AutoCloseable {
    private static final Duration POLL_TIMEOUT = Duration.ofMillis(200);

    private final ListeningSocket listener;
    private final Poller poller;
    private final Set<StreamSocket> held = new HashSet<>();
    private final AtomicInteger heldCount = new AtomicInteger();
    private final ByteBuffer discard = ByteBuffer.allocate(4096);
    private final Thread thread;
    private volatile boolean stopping;

    private IdleConnectionHolder(ListeningSocket listener, Poller poller) {
        this.listener = listener;
        this.poller = poller;
        this.thread = Thread.ofPlatform().daemon().name("idle-holder").unstarted(this::run);
    }

    public static IdleConnectionHolder start(Network network, InetSocketAddress address, int backlog) throws IOException {
        ListeningSocket listener = network.listen(address, backlog);
        try {
            listener.configureBlocking(false);
            Poller poller = network.openPoller();
            poller.register(listener, Poller.OP_ACCEPT, null);
            IdleConnectionHolder holder = new IdleConnectionHolder(listener, poller);
            holder.thread.start();
            return holder;
        } catch (IOException | RuntimeException e) {
            listener.close();
            throw e;
        }
    }

    /** Connections currently held. */
    public int held() {
        return heldCount.get();
    }

    public InetSocketAddress localAddress() {
        return listener.localAddress();
    }

    private void run() {
        List<PollKey> ready = new ArrayList<>();
        while (!stopping) {
            try {
                poller.poll(POLL_TIMEOUT);
                ready.clear();
                ready.addAll(poller.readyKeys());
                poller.readyKeys().clear();
                for (PollKey key : ready) {
                    if (key.socket() == listener) {
                        acceptAll();
                    } else {
                        readOrDrop(key);
                    }
                }
            } catch (IOException e) {
                if (!stopping) {
                    System.err.println("idle holder: " + e);
                }
            }
        }
    }

    private void acceptAll() throws IOException {
        StreamSocket socket;
        while ((socket = listener.accept()) != null) {
            socket.configureBlocking(false);
            poller.register(socket, Poller.OP_READ, null);
            held.add(socket);
            heldCount.set(held.size());
        }
    }

    /** Idle clients send nothing; what arrives is end of stream or a reset, and the socket goes. */
    private void readOrDrop(PollKey key) {
        StreamSocket socket = (StreamSocket) key.socket();
        try {
            discard.clear();
            if (socket.read(discard) >= 0) {
                return;
            }
        } catch (IOException e) {
            // Reset by the peer: drop it like an orderly close.
        }
        key.cancel();
        held.remove(socket);
        heldCount.set(held.size());
        try {
            socket.close();
        } catch (IOException e) {
            // Nothing more to do for a socket we are dropping.
        }
    }

    @Override
    public void close() {
        stopping = true;
        poller.wakeup();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Iterator<StreamSocket> it = held.iterator(); it.hasNext(); ) {
            try {
                it.next().close();
            } catch (IOException e) {
                // Closing at shutdown; nothing to report.
            }
        }
        try {
            listener.close();
            poller.close();
        } catch (IOException e) {
            // Closing at shutdown.
        }
    }
}
