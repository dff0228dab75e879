package io.fttcp.stack.socket;

import io.fttcp.api.ListeningSocket;
import io.fttcp.api.Poller;
import io.fttcp.api.StreamSocket;
import io.fttcp.stack.host.Connection;
import io.fttcp.stack.host.Listener;

import java.io.IOException;
import java.net.InetSocketAddress;

/** A listening socket of the user-space stack. */
final class StackListeningSocket extends StackPollable implements ListeningSocket, Listener.Events {
    private Listener listener;

    StackListeningSocket(StackNetwork net) {
        super(net);
    }

    void bind(Listener l) {
        this.listener = l;
    }

    Listener listener() {
        return listener;
    }

    @Override
    public void onAcceptable(Listener l) {
        signalChange();
    }

    @Override
    public StreamSocket accept() throws IOException {
        var lock = net.loop.lock();
        lock.lock();
        try {
            while (true) {
                ensureOpen();
                Connection c = listener.poll();
                if (c != null) {
                    StackStreamSocket s = new StackStreamSocket(net);
                    s.attach(c, true);
                    return s;
                }
                if (!blocking) return null;
                ensureMayBlock();
                changed.await();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("accept interrupted");
        } finally {
            lock.unlock();
        }
    }

    @Override
    public InetSocketAddress localAddress() {
        return StackNetwork.toAddress(listener.address(), listener.port());
    }

    @Override
    void networkClosed() {
        signalChange(); // a waiting accept() finds the network closed and throws
    }

    @Override
    int readyOps() {
        return closed || listener.hasPending() ? Poller.OP_ACCEPT : 0;
    }

    @Override
    public void close() {
        var lock = net.loop.lock();
        lock.lock();
        try {
            if (closed) return;
            closed = true;
            forgetSocket();
            cancelKeys();
            net.host.closeListener(listener, net.loop.now());
            net.loop.timersChanged();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
