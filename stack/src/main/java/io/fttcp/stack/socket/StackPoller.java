package io.fttcp.stack.socket;

import io.fttcp.api.PollKey;
import io.fttcp.api.Pollable;
import io.fttcp.api.Poller;

import java.io.IOException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.IllegalBlockingModeException;
import java.nio.channels.IllegalSelectorException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.locks.Condition;

/**
 * Readiness poller of the user-space stack. Readiness is computed from connection state at poll
 * time (level-triggered, like epoll without EPOLLET), so no event can be lost between a
 * socket's change and the poll.
 */
final class StackPoller implements Poller {
    final StackNetwork net;
    private final Condition wake;
    private final List<StackPollKey> keys = new ArrayList<>();
    private final Set<PollKey> ready = new LinkedHashSet<>();
    private boolean wakeupPending;
    private boolean closed;

    StackPoller(StackNetwork net) {
        this.net = net;
        this.wake = net.loop.lock().newCondition();
    }

    @Override
    public PollKey register(Pollable socket, int interestOps, Object attachment) throws IOException {
        if (!(socket instanceof StackPollable s) || s.net != net) throw new IllegalSelectorException();
        var lock = net.loop.lock();
        lock.lock();
        try {
            if (closed || net.closed) throw new ClosedSelectorException();
            s.ensureOpen();
            if (s.blocking) throw new IllegalBlockingModeException();
            for (StackPollKey k : s.keys) {
                if (k.poller == this) {
                    k.interestOps(interestOps);
                    k.attach(attachment);
                    return k;
                }
            }
            StackPollKey k = new StackPollKey(this, s, interestOps, attachment);
            s.keys.add(k);
            keys.add(k);
            return k;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int poll(Duration timeout) throws IOException {
        var lock = net.loop.lock();
        lock.lock();
        try {
            if (closed || net.closed) throw new ClosedSelectorException();
            if (timeout.isNegative()) throw new IllegalArgumentException("negative poll timeout: " + timeout);
            long deadline = timeout.isZero() ? 0 : saturatingAdd(net.loop.now(), timeout);
            while (true) {
                int n = collect();
                if (n > 0 || wakeupPending || timeout.isZero()) {
                    wakeupPending = false;
                    return n;
                }
                long left = deadline - net.loop.now();
                if (left <= 0) return 0;
                if (!net.loop.blockingAllowed()) throw new IllegalBlockingModeException();
                wake.awaitNanos(left);
                if (closed || net.closed) throw new ClosedSelectorException();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        } finally {
            lock.unlock();
        }
    }

    /** now + timeout, saturating at Long.MAX_VALUE (a timeout of centuries means forever). */
    static long saturatingAdd(long now, Duration timeout) {
        long nanos;
        try {
            nanos = timeout.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
        long sum = now + nanos;
        return sum < now ? Long.MAX_VALUE : sum;
    }

    private int collect() {
        ready.clear();
        for (StackPollKey k : keys) {
            int r = k.socket.readyOps() & k.interestOps();
            k.ready = r;
            if (r != 0) ready.add(k);
        }
        return ready.size();
    }

    @Override
    public Set<PollKey> readyKeys() {
        return ready;
    }

    @Override
    public void wakeup() {
        var lock = net.loop.lock();
        lock.lock();
        try {
            wakeupPending = true;
            wake.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Called with the lock held when a watched socket changed. */
    void signalIfReady(StackPollKey k) {
        if ((k.socket.readyOps() & k.interestOps()) != 0) wake.signalAll();
    }

    /** The key leaves the poll set; the ready set the caller may be iterating changes only at the next poll (like java.nio). */
    void forget(StackPollKey k) {
        keys.remove(k);
    }

    @Override
    public void close() {
        var lock = net.loop.lock();
        lock.lock();
        try {
            if (closed) return;
            closed = true;
            net.openPollers.remove(this);
            for (StackPollKey k : List.copyOf(keys)) k.cancel();
            wake.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
