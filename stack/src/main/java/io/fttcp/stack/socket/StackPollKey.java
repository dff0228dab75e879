package io.fttcp.stack.socket;

import io.fttcp.api.PollKey;
import io.fttcp.api.Pollable;

/** A socket's registration with a {@link StackPoller}. */
final class StackPollKey implements PollKey {
    final StackPoller poller;
    final StackPollable socket;
    private volatile int interest;
    private volatile Object attachment;
    int ready;
    boolean valid = true;

    StackPollKey(StackPoller poller, StackPollable socket, int interest, Object attachment) {
        this.poller = poller;
        this.socket = socket;
        this.interest = interest;
        this.attachment = attachment;
    }

    @Override
    public Pollable socket() {
        return socket;
    }

    @Override
    public int interestOps() {
        return interest;
    }

    @Override
    public void interestOps(int ops) {
        var lock = poller.net.loop.lock();
        lock.lock();
        try {
            interest = ops;
            poller.signalIfReady(this);
        } finally {
            lock.unlock();
        }
    }

    void attach(Object a) {
        attachment = a;
    }

    @Override
    public int readyOps() {
        return ready;
    }

    @Override
    public Object attachment() {
        return attachment;
    }

    @Override
    public void cancel() {
        var lock = poller.net.loop.lock();
        lock.lock();
        try {
            if (!valid) return;
            valid = false;
            socket.keys.remove(this);
            poller.forget(this);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean isValid() {
        return valid;
    }
}
