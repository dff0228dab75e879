package io.fttcp.stack.host;

import io.fttcp.stack.tcp.CloseReason;
import io.fttcp.stack.tcp.FourTuple;
import io.fttcp.stack.tcp.TcpCheckpoint;
import io.fttcp.stack.tcp.TcpConnection;
import io.fttcp.stack.tcp.TcpEvents;
import io.fttcp.stack.tcp.TcpState;

import java.nio.ByteBuffer;

/**
 * The host's record of one TCP connection: the sans-I/O {@link TcpConnection}, its place in the
 * timer queue, and the socket layer's event sink. User calls go through here so the host can
 * re-arm the connection's timer after each one.
 */
public final class Connection extends TimerQueue.Entry implements TcpEvents {
    private final IpHost host;
    TcpConnection tcp;
    /** Set for a passively opened connection until it reaches the accept queue. */
    Listener listener;
    private TcpEvents events = TcpEvents.NONE;
    boolean forgotten;
    /** Why the connection ended, once it did (it may end while waiting in an accept queue). */
    private CloseReason closeReason;
    boolean abortRequested;

    Connection(IpHost host) {
        this.host = host;
    }

    /** Where this connection's events go (the socket). Not called back for what already happened. */
    public void setEvents(TcpEvents events) {
        this.events = events == null ? TcpEvents.NONE : events;
    }

    /** Why the connection ended, or null while it lives. */
    public CloseReason closeReason() {
        return closeReason;
    }

    public TcpConnection tcp() {
        return tcp;
    }

    public FourTuple tuple() {
        return tcp.tuple();
    }

    public TcpState state() {
        return tcp.state();
    }

    public int read(ByteBuffer dst, long now) {
        host.enter(now);
        int n = tcp.read(dst, now);
        host.rearm(this);
        return n;
    }

    public int write(ByteBuffer src, long now) {
        host.enter(now);
        int n = tcp.write(src, now);
        host.rearm(this);
        return n;
    }

    public void shutdownOutput(long now) {
        host.enter(now);
        tcp.shutdownOutput(now);
        host.rearm(this);
    }

    public void close(long now) {
        host.enter(now);
        tcp.close(now);
        host.rearm(this);
    }

    public void abort(long now) {
        host.enter(now);
        tcp.abort(now);
        host.rearm(this);
    }

    public void setNagle(boolean on, long now) {
        host.enter(now);
        tcp.setNagle(on, now);
        host.rearm(this);
    }

    public void setKeepalive(boolean on, long now) {
        host.enter(now);
        tcp.setKeepalive(on, now);
        host.rearm(this);
    }

    /**
     * Repair: makes a restored connection's peer resume at once instead of when its backed-off
     * timer fires: retransmits unacknowledged data now, and sends {@code acks} ACKs (the first may
     * carry a window update; three more identical ones are duplicate ACKs, so a peer with data
     * outstanding fast-retransmits it: pass 4).
     */
    public void resume(int acks, long now) {
        host.enter(now);
        tcp.retransmitNow(now);
        for (int i = 0; i < acks; i++) tcp.sendAck(now);
        host.rearm(this);
    }

    /** Repair: the connection's complete state. */
    public TcpCheckpoint checkpoint(long now) {
        return tcp.checkpoint(now);
    }

    @Override
    public void onEstablished(TcpConnection c) {
        Listener l = listener;
        if (l != null) {
            l.halfOpen--;
            listener = null;
            if (l.closed || l.acceptQueue.size() >= l.backlog) {
                // Accept queue overflow: like Linux with tcp_abort_on_overflow, refuse loudly
                // rather than leave the peer believing it is connected. The abort happens after
                // the current call returns (no re-entry into the connection).
                abortRequested = true;
                return;
            }
            l.acceptQueue.add(this);
            l.events.onAcceptable(l);
        }
        events.onEstablished(c);
    }

    @Override
    public void onReadable(TcpConnection c) {
        events.onReadable(c);
    }

    @Override
    public void onWritable(TcpConnection c) {
        events.onWritable(c);
    }

    @Override
    public void onClosed(TcpConnection c, CloseReason reason) {
        closeReason = reason;
        if (listener != null) {
            listener.halfOpen--;
            listener = null;
        }
        host.forget(this);
        events.onClosed(c, reason);
    }
}
