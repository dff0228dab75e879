package io.fttcp.wrappers.nsw;

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
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A test application in the other style: one thread, non-blocking sockets and a poller. Echoes
 * every byte; at end of stream, finishes writing, shuts down output and closes.
 */
final class PolledEchoServer implements PrimaryRun.Server {

    private final ListeningSocket listener;
    private final Poller poller;
    private final Thread loop;
    private final AtomicInteger open = new AtomicInteger();

    /** Per connection: bytes read and not yet written back; whether the client finished. */
    private static final class State {
        final ByteBuffer pending = ByteBuffer.allocate(4096);
        boolean ended;
    }

    private PolledEchoServer(ListeningSocket listener, Poller poller) {
        this.listener = listener;
        this.poller = poller;
        this.loop = Thread.ofVirtual().start(this::run);
    }

    static PolledEchoServer start(Network network, InetSocketAddress address) throws IOException {
        ListeningSocket listener = network.listen(address, 64);
        listener.configureBlocking(false);
        Poller poller = network.openPoller();
        poller.register(listener, Poller.OP_ACCEPT, null);
        return new PolledEchoServer(listener, poller);
    }

    private void run() {
        try {
            while (true) {
                poller.poll(Duration.ofMillis(20));
                for (PollKey key : new ArrayList<>(poller.readyKeys())) {
                    if (key.socket() == listener) {
                        for (StreamSocket s = listener.accept(); s != null; s = listener.accept()) {
                            s.configureBlocking(false);
                            poller.register(s, Poller.OP_READ, new State());
                            open.incrementAndGet();
                        }
                    } else {
                        serve(key);
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // closed: the end of the test
        }
    }

    private void serve(PollKey key) throws IOException {
        StreamSocket s = (StreamSocket) key.socket();
        State st = (State) key.attachment();
        if ((key.readyOps() & Poller.OP_READ) != 0 && !st.ended && st.pending.hasRemaining()) {
            int n = s.read(st.pending);
            if (n < 0) {
                st.ended = true;
            }
        }
        st.pending.flip();
        s.write(st.pending);
        st.pending.compact();
        if (st.ended && st.pending.position() == 0) {
            key.cancel();
            s.shutdownOutput();
            s.close();
            open.decrementAndGet();
            return;
        }
        key.interestOps((st.pending.position() > 0 ? Poller.OP_WRITE : 0) | (st.ended || !st.pending.hasRemaining() ? 0 : Poller.OP_READ));
    }

    @Override
    public InetSocketAddress address() {
        return listener.localAddress();
    }

    @Override
    public int connectionCount() {
        return open.get();
    }

    @Override
    public void close() {
        try {
            poller.close();
            listener.close();
            loop.join(5000);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
