package io.fttcp.stack.socket;

import io.fttcp.api.ListeningSocket;
import io.fttcp.api.Network;
import io.fttcp.api.Poller;
import io.fttcp.api.StreamSocket;
import io.fttcp.stack.host.Connection;
import io.fttcp.stack.host.IpHost;
import io.fttcp.stack.host.Listener;
import io.fttcp.stack.runtime.HostLoop;
import io.fttcp.stack.tcp.TcpCheckpoint;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/** {@link Network} on the user-space stack: sockets of one {@link IpHost}, serialized by its {@link HostLoop}. */
public final class StackNetwork implements Network, AutoCloseable {
    final IpHost host;
    final HostLoop loop;
    /** Open sockets and pollers (lock held to change), so closing the network can wake their waiters. */
    final java.util.Set<StackPollable> openSockets = new java.util.HashSet<>();
    final java.util.Set<StackPoller> openPollers = new java.util.HashSet<>();
    boolean closed;

    public StackNetwork(IpHost host, HostLoop loop) {
        this.host = host;
        this.loop = loop;
    }

    public IpHost host() {
        return host;
    }

    public HostLoop loop() {
        return loop;
    }

    @Override
    public ListeningSocket listen(InetSocketAddress local, int backlog) throws IOException {
        int address = toInt(local);
        loop.lock().lock();
        try {
            StackListeningSocket s = new StackListeningSocket(this);
            try {
                Listener l = host.listen(address, local.getPort(), backlog, s);
                s.bind(l);
            } catch (IllegalStateException e) {
                throw new java.net.BindException(e.getMessage());
            }
            return s;
        } finally {
            loop.lock().unlock();
        }
    }

    @Override
    public StreamSocket connect(InetSocketAddress remote) throws IOException {
        StackStreamSocket s = startConnect(remote);
        try {
            s.configureBlocking(true);
            s.awaitConnected();
        } catch (IOException | RuntimeException e) {
            s.close(); // an interrupted attempt must not keep retransmitting SYNs with no owner
            throw e;
        }
        return s;
    }

    @Override
    public StreamSocket openConnection(InetSocketAddress remote) throws IOException {
        StackStreamSocket s = startConnect(remote);
        s.configureBlocking(false);
        return s;
    }

    private StackStreamSocket startConnect(InetSocketAddress remote) throws IOException {
        int address = toInt(remote);
        loop.lock().lock();
        try {
            StackStreamSocket s = new StackStreamSocket(this);
            Connection c = host.connect(0, address, remote.getPort(), s, loop.now());
            s.attach(c, false);
            loop.timersChanged();
            return s;
        } finally {
            loop.lock().unlock();
        }
    }

    /** Wraps a connection that already exists in the host (accepted, or restored by repair) in a socket. */
    public StreamSocket adopt(Connection c) {
        loop.lock().lock();
        try {
            StackStreamSocket s = new StackStreamSocket(this);
            s.attach(c, true);
            return s;
        } finally {
            loop.lock().unlock();
        }
    }

    /** Aborts {@code socket}'s connection: an RST to the peer, nothing more sent (a socket of this network; others are ignored). */
    public void abort(StreamSocket socket) {
        if (!(socket instanceof StackStreamSocket s)) return;
        loop.lock().lock();
        try {
            s.connection().abort(loop.now());
            loop.timersChanged();
        } finally {
            loop.lock().unlock();
        }
    }

    /**
     * Repair: materializes a connection from its checkpoint (see {@link IpHost#restore}) and wraps
     * it in a socket. Sends nothing: the caller resumes it ({@code host().find(tuple).resume}).
     */
    public StreamSocket restore(TcpCheckpoint checkpoint) {
        loop.lock().lock();
        try {
            StackStreamSocket s = new StackStreamSocket(this);
            s.attach(host.restore(checkpoint, null, loop.now()), true);
            loop.timersChanged();
            return s;
        } finally {
            loop.lock().unlock();
        }
    }

    /** Repair into the accept queue of {@code listener}, one of this network's listening sockets. */
    public void restoreIntoBacklog(TcpCheckpoint checkpoint, ListeningSocket listener) {
        if (!(listener instanceof StackListeningSocket l) || l.net != this) {
            throw new IllegalArgumentException(listener + " is not a listening socket of this network");
        }
        loop.lock().lock();
        try {
            host.restoreIntoBacklog(checkpoint, l.listener(), loop.now());
            loop.timersChanged();
        } finally {
            loop.lock().unlock();
        }
    }

    @Override
    public Poller openPoller() {
        loop.lock().lock();
        try {
            StackPoller p = new StackPoller(this);
            openPollers.add(p);
            return p;
        } finally {
            loop.lock().unlock();
        }
    }

    /**
     * The host is going away: every socket ends, and calls blocked on them (read, write, accept,
     * connect) throw {@link java.nio.channels.ClosedChannelException}; polls throw
     * {@link java.nio.channels.ClosedSelectorException}.
     */
    @Override
    public void close() {
        loop.lock().lock();
        try {
            if (closed) return;
            closed = true;
            for (StackPollable s : java.util.List.copyOf(openSockets)) s.networkClosed();
            for (StackPoller p : openPollers) p.wakeup();
        } finally {
            loop.lock().unlock();
        }
    }

    static int toInt(InetSocketAddress a) throws IOException {
        InetAddress ia = a.getAddress();
        if (ia == null) throw new UnknownHostException("unresolved address: " + a.getHostString());
        if (!(ia instanceof Inet4Address)) throw new IOException("only IPv4 is supported: " + a);
        byte[] b = ia.getAddress();
        return (b[0] & 0xff) << 24 | (b[1] & 0xff) << 16 | (b[2] & 0xff) << 8 | (b[3] & 0xff);
    }

    static InetSocketAddress toAddress(int address, int port) {
        byte[] b = {(byte) (address >>> 24), (byte) (address >>> 16), (byte) (address >>> 8), (byte) address};
        try {
            return new InetSocketAddress(InetAddress.getByAddress(b), port);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
