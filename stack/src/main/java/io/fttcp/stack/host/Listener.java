package io.fttcp.stack.host;

import java.util.ArrayDeque;

/**
 * A listening port: LISTEN state of RFC 9293, held by the host rather than by a connection.
 * Established connections wait in the accept queue (bounded by the backlog); half-open ones are
 * counted against the SYN backlog, beyond which SYN cookies answer.
 */
public final class Listener {
    /** The socket layer's view of a listener's readiness. */
    public interface Events {
        void onAcceptable(Listener listener);
    }

    final int address;
    final int port;
    final int backlog;
    final Events events;
    final ArrayDeque<Connection> acceptQueue = new ArrayDeque<>();
    int halfOpen;
    boolean closed;

    Listener(int address, int port, int backlog, Events events) {
        this.address = address;
        this.port = port;
        this.backlog = backlog;
        this.events = events;
    }

    /** The next established connection, or null. The caller attaches its events to it. */
    public Connection poll() {
        return acceptQueue.poll();
    }

    public boolean hasPending() {
        return !acceptQueue.isEmpty();
    }

    public int address() {
        return address;
    }

    public int port() {
        return port;
    }

    public boolean isClosed() {
        return closed;
    }
}
