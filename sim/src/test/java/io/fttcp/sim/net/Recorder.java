package io.fttcp.sim.net;

import io.fttcp.link.FrameReceiver;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/** A receiver that records what a port got and when. */
class Recorder implements FrameReceiver {
    record Arrival(long time, int sequence, long source, long destination, int length, byte[] bytes) {
    }

    final List<Arrival> arrivals = new ArrayList<>();

    static Recorder on(SimPort port) {
        Recorder recorder = new Recorder();
        port.setReceiver(recorder);
        return recorder;
    }

    @Override
    public void receive(ByteBuffer frame, long now) {
        byte[] bytes = new byte[frame.remaining()];
        frame.get(frame.position(), bytes);
        int sequence = frame.remaining() >= 18 ? TestFrames.sequence(frame) : -1;
        arrivals.add(new Arrival(now, sequence, TestFrames.source(frame), TestFrames.destination(frame), bytes.length, bytes));
    }

    List<Integer> sequences() {
        return arrivals.stream().map(Arrival::sequence).toList();
    }

    List<Long> times() {
        return arrivals.stream().map(Arrival::time).toList();
    }

    int count() {
        return arrivals.size();
    }
}
