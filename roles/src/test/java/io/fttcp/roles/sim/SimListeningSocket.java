package io.fttcp.roles.sim;

import io.fttcp.api.ListeningSocket;
import io.fttcp.api.StreamSocket;
import io.fttcp.sim.stack.SimStackHost;
import io.fttcp.stack.host.Connection;
import io.fttcp.stack.host.Listener;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;

/**
 * A listener of a simulated stack host for the application-facing API, never blocking: accept()
 * returns null when no connection waits. Connections restored into it at takeover (established
 * on the primary, never accepted there) come first, then those of the stack's own listener.
 */
final class SimListeningSocket implements ListeningSocket {
    private final SimStackHost host;
    private final Listener listener;
    private final InetSocketAddress local;
    private final Runnable onEvent;
    private final ArrayDeque<StreamSocket> restored = new ArrayDeque<>();
    private boolean closed;

    SimListeningSocket(SimStackHost host, InetSocketAddress local, int backlog, Runnable onEvent) {
        this.host = host;
        this.local = local;
        this.onEvent = onEvent;
        this.listener = host.call(() -> host.ip().listen(SimStreamSocket.address(local), local.getPort(), backlog, l -> onEvent.run()));
    }

    /** A connection restored at takeover, for the application's next accept(). */
    void addRestored(StreamSocket socket) {
        restored.add(socket);
        onEvent.run();
    }

    @Override
    public StreamSocket accept() throws IOException {
        if (closed) throw new IOException("listener " + local + " is closed");
        StreamSocket s = restored.poll();
        if (s != null) return s;
        Connection c = host.call(listener::poll);
        return c == null ? null : new SimStreamSocket(host, c, onEvent);
    }

    @Override
    public InetSocketAddress localAddress() {
        return local;
    }

    @Override
    public void configureBlocking(boolean blocking) throws IOException {
        if (blocking) throw new IOException("a simulated listener cannot block: the simulation has one thread");
    }

    @Override
    public boolean isBlocking() {
        return false;
    }

    @Override
    public boolean isOpen() {
        return !closed;
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        host.call(() -> host.ip().closeListener(listener, host.now()));
    }

    @Override
    public String toString() {
        return "sim listener " + local;
    }
}
