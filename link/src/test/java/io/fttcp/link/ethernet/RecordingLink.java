package io.fttcp.link.ethernet;

import io.fttcp.link.FrameLink;
import io.fttcp.link.FrameOffload;
import io.fttcp.link.FrameReceiver;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/** A fake link that keeps a copy of every frame sent and lets a test inject received frames. */
final class RecordingLink implements FrameLink {
    record Sent(byte[] frame, FrameOffload offload, long deadline) {
        ByteBuffer buffer() {
            return ByteBuffer.wrap(frame);
        }
    }

    final List<Sent> sent = new ArrayList<>();
    private final boolean offloads;
    FrameReceiver receiver;
    FrameOffload deliveredOffload;

    RecordingLink(boolean offloads) {
        this.offloads = offloads;
    }

    RecordingLink() {
        this(false);
    }

    @Override
    public void send(ByteBuffer frame) {
        send(frame, null);
    }

    @Override
    public void send(ByteBuffer frame, FrameOffload offload) {
        send(frame, offload, Long.MAX_VALUE);
    }

    @Override
    public void send(ByteBuffer frame, FrameOffload offload, long deadline) {
        if (offload != null && !offload.isPlain() && !offloads) {
            throw new UnsupportedOperationException("no offloads");
        }
        byte[] copy = new byte[frame.remaining()];
        frame.get(frame.position(), copy);
        sent.add(new Sent(copy, offload == null ? null : new FrameOffload().copyFrom(offload), deadline));
    }

    @Override
    public int mtu() {
        return 1500;
    }

    @Override
    public void setReceiver(FrameReceiver receiver) {
        this.receiver = receiver;
    }

    @Override
    public boolean offloadsEnabled() {
        return offloads;
    }

    @Override
    public FrameOffload receivedOffload() {
        return deliveredOffload;
    }

    void deliver(ByteBuffer frame, long now) {
        receiver.receive(frame, now);
    }

    List<Sent> drain() {
        List<Sent> copy = new ArrayList<>(sent);
        sent.clear();
        return copy;
    }
}
