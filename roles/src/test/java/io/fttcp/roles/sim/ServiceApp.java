package io.fttcp.roles.sim;

import io.fttcp.stack.host.Connection;
import io.fttcp.stack.tcp.CloseReason;
import io.fttcp.stack.tcp.TcpConnection;
import io.fttcp.stack.tcp.TcpEvents;

/**
 * An event-driven server application on the primary, doing all its socket calls through
 * {@link LoggedSockets} (so they are logged and its output is committed). Like the simulation's
 * {@code ConnectionApp}: each stack event posts one {@link #pump} at the same instant; the
 * outcome and the first failure are kept for the test.
 */
abstract class ServiceApp implements TcpEvents {
    protected SimPrimaryHost host;
    protected LoggedSockets sockets;
    protected Connection connection;
    private boolean pumpPosted;
    private CloseReason closeReason;
    private String failure;

    final void adopt(SimPrimaryHost host, LoggedSockets sockets, Connection accepted) {
        this.host = host;
        this.sockets = sockets;
        this.connection = accepted;
        accepted.setEvents(this);
        schedulePump();
    }

    /** Reads and writes as far as possible now. */
    protected abstract void pump();

    abstract boolean isDone();

    Connection connection() {
        return connection;
    }

    CloseReason closeReason() {
        return closeReason;
    }

    boolean isClosed() {
        return closeReason != null;
    }

    String failure() {
        return failure;
    }

    protected final void fail(String what) {
        if (failure == null) failure = what + " on " + connection.tuple() + " at t=" + host.now() + "ns";
    }

    protected final void schedulePump() {
        if (!pumpPosted) {
            pumpPosted = true;
            host.post(() -> {
                pumpPosted = false;
                if (closeReason == null && failure == null) pump();
            });
        }
    }

    @Override
    public void onEstablished(TcpConnection c) {
        schedulePump();
    }

    @Override
    public void onReadable(TcpConnection c) {
        schedulePump();
    }

    @Override
    public void onWritable(TcpConnection c) {
        schedulePump();
    }

    @Override
    public void onClosed(TcpConnection c, CloseReason reason) {
        closeReason = reason;
        // As the runtime does: the host's close event tells the wrapper the connection is gone.
        host.ssw().connectionClosed(c.tuple(), reason);
    }
}
