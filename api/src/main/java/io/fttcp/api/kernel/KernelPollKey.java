package io.fttcp.api.kernel;

import io.fttcp.api.PollKey;
import io.fttcp.api.Pollable;

import java.nio.channels.SelectionKey;

/** A {@link PollKey} over a {@link SelectionKey}; the selection key's attachment is this object. */
final class KernelPollKey implements PollKey {

    private final Pollable socket;
    private volatile Object attachment;
    private volatile SelectionKey key;

    KernelPollKey(Pollable socket, Object attachment) {
        this.socket = socket;
        this.attachment = attachment;
    }

    void bind(SelectionKey key) {
        this.key = key;
    }

    void attach(Object attachment) {
        this.attachment = attachment;
    }

    @Override
    public Pollable socket() {
        return socket;
    }

    @Override
    public int interestOps() {
        return key.interestOps();
    }

    @Override
    public void interestOps(int ops) {
        key.interestOps(ops);
    }

    @Override
    public int readyOps() {
        return key.readyOps();
    }

    @Override
    public Object attachment() {
        return attachment;
    }

    @Override
    public void cancel() {
        key.cancel();
    }

    @Override
    public boolean isValid() {
        return key.isValid();
    }

    @Override
    public String toString() {
        return "poll key of " + socket;
    }
}
