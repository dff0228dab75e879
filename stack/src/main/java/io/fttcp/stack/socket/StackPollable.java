package io.fttcp.stack.socket;

import io.fttcp.api.Pollable;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.IllegalBlockingModeException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;

/** What stream and listening sockets share: blocking mode, a condition to wait on, poll registrations. */
abstract sealed class StackPollable implements Pollable permits StackStreamSocket, StackListeningSocket {
    final StackNetwork net;
    final Condition changed;
    final List<StackPollKey> keys = new ArrayList<>(1);
    volatile boolean blocking = true;
    volatile boolean closed;

    StackPollable(StackNetwork net) {
        this.net = net;
        this.changed = net.loop.lock().newCondition();
        net.openSockets.add(this); // constructed with the lock held
    }

    /** The network closed under this socket (lock held): end it and wake its waiters. */
    abstract void networkClosed();

    /** Ready operations now, for pollers (lock held). */
    abstract int readyOps();

    /** Wakes threads blocked on this socket and pollers watching it (lock held). */
    final void signalChange() {
        changed.signalAll();
        for (StackPollKey k : keys) k.poller.signalIfReady(k);
    }

    @Override
    public final void configureBlocking(boolean blocking) throws IOException {
        net.loop.lock().lock();
        try {
            ensureOpen();
            if (blocking && !keys.isEmpty()) throw new IllegalBlockingModeException();
            this.blocking = blocking;
        } finally {
            net.loop.lock().unlock();
        }
    }

    @Override
    public final boolean isBlocking() {
        return blocking;
    }

    @Override
    public final boolean isOpen() {
        return !closed;
    }

    final void ensureOpen() throws ClosedChannelException {
        if (closed || net.closed) throw new ClosedChannelException();
    }

    /** Blocking calls need threads; the single-threaded simulation must use non-blocking mode. */
    final void ensureMayBlock() {
        if (!net.loop.blockingAllowed()) {
            throw new IllegalBlockingModeException();
        }
    }

    /** Called by close() with the lock held. */
    final void forgetSocket() {
        net.openSockets.remove(this);
    }

    final void cancelKeys() {
        for (StackPollKey k : List.copyOf(keys)) k.cancel();
    }
}
