package io.fttcp.apps;

import io.fttcp.api.AppRuntime;
import io.fttcp.api.Checkpointable;
import io.fttcp.api.ListeningSocket;
import io.fttcp.api.Network;
import io.fttcp.api.PollKey;
import io.fttcp.api.Poller;
import io.fttcp.api.StreamSocket;
import org.slf4j.Logger;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A line server on one poller loop whose state spans connections and that takes checkpoints (the
 * key-value store, the chat room): the {@link Checkpointable} contract's event loop. It listens,
 * restores from a checkpoint if the runtime has one, then polls: accepts what waits (a
 * {@link LineSession} each), {@linkplain #serve serves} each ready session, ends the iteration,
 * and once {@code checkpointEvery} events have been {@linkplain #counted counted} asks the
 * runtime for a checkpoint of the whole {@link #state}: the application's shared state, then
 * every session's. One thread does all of it, so what the application does between connections
 * is ordered by the poller's results, which a primary logs and a replica replays.
 */
public abstract class CheckpointingLoop implements Checkpointable, AutoCloseable {

    private static final long ACCEPT_RETRY_MILLIS = 50;

    protected final AppRuntime runtime;
    /** The open connections by {@link AppRuntime#connectionName}, in accept order. */
    protected final Map<String, LineSession> sessions = new LinkedHashMap<>();
    private final Poller poller;
    private final ListeningSocket listener;
    private final int checkpointEvery;
    private final Logger log;
    private final Thread loop;
    private int eventsSinceCheckpoint;
    private volatile boolean stopping;
    private volatile long checkpoints;

    protected CheckpointingLoop(Network network, InetSocketAddress address, int backlog, int checkpointEvery, String name, Logger log)
            throws IOException {
        if (checkpointEvery < 1) {
            throw new IllegalArgumentException("checkpoint every " + checkpointEvery + " events: must be at least 1");
        }
        this.runtime = network.runtime();
        this.checkpointEvery = checkpointEvery;
        this.log = log;
        this.listener = network.listen(address, backlog);
        this.poller = network.openPoller();
        listener.configureBlocking(false);
        poller.register(listener, Poller.OP_ACCEPT, null);
        this.loop = Thread.ofPlatform().daemon().name(name + "-" + listener.localAddress().getPort()).unstarted(this::run);
    }

    /** Starts the loop's thread (once the subclass is constructed). */
    protected final void startLoop() {
        loop.start();
    }

    public InetSocketAddress localAddress() {
        return listener.localAddress();
    }

    /** Checkpoints taken so far. */
    public long checkpoints() {
        return checkpoints;
    }

    /** A session is ready: read, answer, write what fits. Failures of its connection are its own ({@link #drop}). */
    protected abstract void serve(LineSession session);

    /** The poller operations the session waits for now. */
    protected abstract int interest(LineSession session);

    /** A new or restored connection, before it is registered (socket options). */
    protected void configure(StreamSocket socket) throws IOException {
    }

    /** The end of a loop iteration (after a restore too): what is due once all ready sessions were served. */
    protected void endOfIteration() {
    }

    /** The application's state shared by its connections, first in every checkpoint. */
    protected void writeSharedState(DataOutputStream out) throws IOException {
    }

    /** Reads back what {@link #writeSharedState} wrote, replacing the current shared state. */
    protected void readSharedState(DataInputStream in) throws IOException {
    }

    /** {@code events} more toward the next checkpoint. */
    protected final void counted(int events) {
        eventsSinceCheckpoint += events;
    }

    /** Registers the session's interest anew if it changed. */
    protected final void updateInterest(LineSession session) {
        int ops = interest(session);
        if (session.key().interestOps() != ops) {
            session.key().interestOps(ops);
        }
    }

    /** Closes the session's connection and forgets it (nothing if it is gone already). */
    protected final void drop(LineSession session) {
        if (sessions.remove(session.name) != session) {
            return;
        }
        session.key().cancel();
        try {
            session.socket().close();
        } catch (IOException e) {
            log.debug("{}: {}", session.name, e.toString());
        }
    }

    /**
     * The whole state, in a fixed order: the shared state, then each session's in accept order.
     * Only from the loop's thread, or once the loop has stopped.
     */
    public final byte[] state() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            writeSharedState(out);
            out.writeInt(sessions.size());
            for (LineSession s : sessions.values()) {
                s.writeTo(out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    @Override
    public final void restore(byte[] state, Map<String, StreamSocket> connections) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(state));
        readSharedState(in);
        sessions.clear();
        for (int n = in.readInt(); n > 0; n--) {
            LineSession.Restored r = LineSession.readFrom(in, connections);
            attach(r.session(), r.socket());
        }
        eventsSinceCheckpoint = 0;
    }

    private void attach(LineSession session, StreamSocket socket) throws IOException {
        socket.configureBlocking(false);
        configure(socket);
        session.attach(socket, poller.register(socket, interest(session), session));
        sessions.put(session.name, session);
    }

    /**
     * Takes in the connections waiting. A failed accept (out of file descriptors) or a connection
     * that cannot be set up is that connection's problem, not the server's: the loop goes on.
     */
    private void acceptWaiting() throws ClosedChannelException {
        while (true) {
            StreamSocket socket;
            try {
                socket = listener.accept();
            } catch (ClosedChannelException e) {
                throw e;
            } catch (IOException e) {
                log.warn("accept failed on {}: {}", listener.localAddress(), e.toString());
                pauseAfterAcceptFailure();
                return;
            }
            if (socket == null) {
                return;
            }
            try {
                attach(new LineSession(runtime.connectionName(socket)), socket);
            } catch (IOException e) {
                log.debug("{}: not taken in: {}", socket, e.toString());
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // it is being dropped anyway
                }
            }
        }
    }

    /** The listener stays ready while accepting fails: a short pause keeps the loop from spinning on it. */
    private static void pauseAfterAcceptFailure() {
        try {
            Thread.sleep(ACCEPT_RETRY_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        try {
            runtime.restore(this);
            endOfIteration();
            while (!stopping) {
                poller.poll(Duration.ofMillis(100));
                List<PollKey> readyKeys = new ArrayList<>(poller.readyKeys());
                poller.readyKeys().clear();
                for (PollKey key : readyKeys) {
                    if (key.attachment() == null) {
                        acceptWaiting();
                    } else if (key.attachment() instanceof LineSession s && sessions.get(s.name) == s) { // not dropped meanwhile
                        serve(s);
                    }
                }
                endOfIteration();
                if (eventsSinceCheckpoint >= checkpointEvery) {
                    eventsSinceCheckpoint = 0;
                    try {
                        if (runtime.checkpoint(state())) {
                            checkpoints++;
                        }
                    } catch (IllegalArgumentException e) { // too large: refused before anything was logged, on a replica too
                        log.warn("no checkpoint: {}", e.getMessage());
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            if (!stopping) {
                log.warn("{} stopped: {}", loop.getName(), e.toString());
            }
        }
    }

    /** Stops the loop (its connections stay as they are) and closes the listener and the poller. */
    @Override
    public void close() {
        stopping = true;
        poller.wakeup();
        try {
            loop.join(2_000);
            listener.close();
            poller.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            log.debug("closing: {}", e.toString());
        }
    }
}
