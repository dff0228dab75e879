package io.fttcp.sim.stack;

import io.fttcp.stack.host.Connection;
import io.fttcp.stack.tcp.CloseReason;
import io.fttcp.stack.tcp.TcpConnection;
import io.fttcp.stack.tcp.TcpEvents;

/**
 * An event-driven application on one connection. Nothing blocks in the simulation: every event
 * (established, readable, writable) schedules one {@link #pump} at the same instant, in which the
 * application reads and writes as far as it can. The outcome (how the connection ended, and what
 * went wrong if anything) is kept for the test to check.
 */
public abstract class ConnectionApp implements TcpEvents {
    protected SimStackHost host;
    protected Connection connection;
    private boolean pumpPosted;
    private boolean established;
    private CloseReason closeReason;
    private long closedAt = -1;
    private String failure;

    /** Active open from {@code host} to {@code remoteAddress:remotePort}. */
    public final Connection open(SimStackHost host, int remoteAddress, int remotePort) {
        this.host = host;
        connection = host.connect(remoteAddress, remotePort, this);
        return connection;
    }

    /**
     * Takes over an accepted connection, or a connection restored on another host after this
     * application's host crashed (the application keeps its progress); pumps at once, since data
     * may already wait.
     */
    public final void adopt(SimStackHost host, Connection accepted) {
        this.host = host;
        this.connection = accepted;
        pumpPosted = false; // a pump posted on a crashed host never runs
        accepted.setEvents(this);
        established = accepted.tcp().isEstablished();
        schedulePump();
    }

    /** Reads and writes as far as possible now; called with the connection not yet closed. */
    protected abstract void pump(long now);

    /** Whether the application has done all it meant to (sent, received, closed its side). */
    public abstract boolean isDone();

    public Connection connection() {
        return connection;
    }

    public boolean isEstablished() {
        return established;
    }

    /** How the connection ended, or null while it lives. */
    public CloseReason closeReason() {
        return closeReason;
    }

    public boolean isClosed() {
        return closeReason != null;
    }

    public long closedAt() {
        return closedAt;
    }

    /** The first thing that went wrong (corrupt data, too much data), or null. */
    public String failure() {
        return failure;
    }

    protected final void fail(String what) {
        if (failure == null) {
            failure = what + " on " + (connection == null ? "?" : connection.tuple()) + " at t=" + host.now() + "ns";
        }
    }

    protected final void schedulePump() {
        if (!pumpPosted && host != null) {
            pumpPosted = true;
            host.post(this::runPump);
        }
    }

    private void runPump() {
        pumpPosted = false;
        if (connection != null && closeReason == null && failure == null) {
            pump(host.now());
        }
    }

    @Override
    public void onEstablished(TcpConnection c) {
        established = true;
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
        closedAt = host.now();
        if (reason == CloseReason.RESET_BY_PEER || reason == CloseReason.TIMED_OUT) host.post(() -> readAfterEnd(host.now()));
    }

    /**
     * After the peer's RST (or its silence) ended the connection: what arrived before it stays
     * readable, as on Linux (an answer followed at once by a reset), but no event pumps a closed
     * connection. An application that reads overrides this; by default nothing.
     */
    protected void readAfterEnd(long now) { }
}
