package io.fttcp.wrappers.nsw;

import io.fttcp.api.PollKey;
import io.fttcp.api.Pollable;
import io.fttcp.stack.tcp.FourTuple;

/** A registration with a {@link ReplayPoller}, and after takeover with its live poller too. */
final class ReplayPollKey implements PollKey {

    private final ReplayPoller poller;
    private final Pollable socket;
    private final FourTuple name;
    private volatile int interestOps;
    private volatile int readyOps;
    private volatile Object attachment;
    private volatile boolean valid = true;
    private volatile PollKey live;

    ReplayPollKey(ReplayPoller poller, Pollable socket, FourTuple name) {
        this.poller = poller;
        this.socket = socket;
        this.name = name;
    }

    FourTuple name() {
        return name;
    }

    void attach(Object a) {
        attachment = a;
    }

    void readyOps(int ops) {
        readyOps = ops;
    }

    void bindLive(PollKey key) {
        live = key;
    }

    @Override
    public Pollable socket() {
        return socket;
    }

    @Override
    public int interestOps() {
        return interestOps;
    }

    @Override
    public void interestOps(int ops) {
        interestOps = ops;
        PollKey l = live;
        if (l != null) {
            l.interestOps(ops);
        }
    }

    @Override
    public int readyOps() {
        return readyOps;
    }

    @Override
    public Object attachment() {
        return attachment;
    }

    @Override
    public void cancel() {
        poller.lock().lock();
        try {
            valid = false;
            poller.forget(this);
        } finally {
            poller.lock().unlock();
        }
        PollKey l = live;
        if (l != null) {
            l.cancel();
        }
    }

    @Override
    public boolean isValid() {
        return valid && socket.isOpen();
    }
}
