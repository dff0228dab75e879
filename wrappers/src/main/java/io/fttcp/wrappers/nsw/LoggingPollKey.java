package io.fttcp.wrappers.nsw;

import io.fttcp.api.PollKey;
import io.fttcp.api.Pollable;
import io.fttcp.stack.tcp.FourTuple;

/** A registration with a {@link LoggingPoller}: the application's socket, over the wrapped poller's key. */
final class LoggingPollKey implements PollKey {

    private final Pollable socket;
    private final FourTuple name;
    private PollKey inner;
    private volatile Object attachment;
    private volatile int readyOps;

    LoggingPollKey(Pollable socket, FourTuple name, Object attachment) {
        this.socket = socket;
        this.name = name;
        this.attachment = attachment;
    }

    /** Set once, right after the wrapped poller registered the wrapped socket. */
    void bind(PollKey innerKey) {
        this.inner = innerKey;
    }

    FourTuple name() {
        return name;
    }

    void attach(Object attachment) {
        this.attachment = attachment;
    }

    void readyOps(int ops) {
        readyOps = ops;
    }

    @Override
    public Pollable socket() {
        return socket;
    }

    @Override
    public int interestOps() {
        return inner.interestOps();
    }

    @Override
    public void interestOps(int ops) {
        inner.interestOps(ops);
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
        inner.cancel();
    }

    @Override
    public boolean isValid() {
        return inner.isValid();
    }
}
