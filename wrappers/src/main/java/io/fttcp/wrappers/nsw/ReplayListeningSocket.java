package io.fttcp.wrappers.nsw;

import io.fttcp.api.ListeningSocket;
import io.fttcp.api.StreamSocket;
import io.fttcp.stack.tcp.FourTuple;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetSocketAddress;
import java.nio.channels.AsynchronousCloseException;
import java.util.concurrent.locks.ReentrantLock;

/** A listener on the backup: hands out the connections of its ACCEPT records, then, after takeover, its live listener's. */
final class ReplayListeningSocket implements ListeningSocket {

    private final ReplayNetwork network;
    private final FourTuple name;
    private final InetSocketAddress local;
    private final int backlog;
    private final ReplayListenerQueue queue;
    private final ReentrantLock acceptLock = new ReentrantLock();
    private volatile boolean blocking = true;
    private boolean closed;
    private ListeningSocket live;

    ReplayListeningSocket(ReplayNetwork network, FourTuple name, InetSocketAddress local, int backlog, ReplayListenerQueue queue) {
        this.network = network;
        this.name = name;
        this.local = local;
        this.backlog = backlog;
        this.queue = queue;
    }

    int backlog() {
        return backlog;
    }

    FourTuple name() {
        return name;
    }

    /** Takeover (network lock held): the live listener that serves accepts once the logged ones are consumed. */
    void goLive(ListeningSocket liveListener) throws IOException {
        live = liveListener;
        live.configureBlocking(blocking);
    }

    /** The live listener after takeover, else null (pollers). */
    ListeningSocket live() {
        ReentrantLock lock = network.lock();
        lock.lock();
        try {
            return live;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public StreamSocket accept() throws IOException {
        acceptLock.lock();
        try {
            ListeningSocket liveListener;
            ReentrantLock lock = network.lock();
            lock.lock();
            try {
                while (true) {
                    if (closed) {
                        throw new AsynchronousCloseException();
                    }
                    if (!queue.isEmpty()) {
                        ReplayConnection c = queue.poll();
                        if (c == null) {
                            return null;
                        }
                        network.threads().accepted(c.tuple);
                        return new ReplayStreamSocket(network, c);
                    }
                    if (live != null) {
                        liveListener = live;
                        break;
                    }
                    try {
                        queue.changed.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new InterruptedIOException("interrupted while replaying accept on " + name);
                    }
                }
            } finally {
                lock.unlock();
            }
            return liveListener.accept();
        } finally {
            acceptLock.unlock();
        }
    }

    @Override
    public InetSocketAddress localAddress() {
        return local;
    }

    @Override
    public void configureBlocking(boolean on) throws IOException {
        blocking = on;
        ListeningSocket l = live();
        if (l != null) {
            l.configureBlocking(on);
        }
    }

    @Override
    public boolean isBlocking() {
        return blocking;
    }

    @Override
    public boolean isOpen() {
        ReentrantLock lock = network.lock();
        lock.lock();
        try {
            return !closed;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() throws IOException {
        ListeningSocket l;
        ReentrantLock lock = network.lock();
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            network.listenerClosed(this);
            queue.changed.signalAll();
            l = live;
        } finally {
            lock.unlock();
        }
        if (l != null) {
            l.close();
        }
    }

    @Override
    public String toString() {
        return "replay listener " + name;
    }
}
