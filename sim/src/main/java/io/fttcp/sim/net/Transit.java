package io.fttcp.sim.net;

import java.nio.ByteBuffer;

/**
 * A copy of a frame on its way through the network: first to the switch, then to one port.
 * Pooled by the network; it is the scheduled action for its next hop.
 */
final class Transit implements Runnable {
    private final SimulatedNetwork network;
    byte[] data;
    ByteBuffer view;
    int length;
    SimPort from;
    int fromEpoch;
    long transmitEnd;
    /** Null while travelling to the switch; the target port afterwards. */
    SimPort to;
    int toEpoch;

    Transit(SimulatedNetwork network, int capacity) {
        this.network = network;
        this.data = new byte[capacity];
        this.view = ByteBuffer.wrap(data);
    }

    void ensureCapacity(int capacity) {
        if (data.length < capacity) {
            data = new byte[capacity];
            view = ByteBuffer.wrap(data);
        }
    }

    ByteBuffer frame() {
        view.clear().limit(length);
        return view;
    }

    long destinationMac() {
        return SimulatedNetwork.macAt(data, 0);
    }

    long sourceMac() {
        return SimulatedNetwork.macAt(data, 6);
    }

    @Override
    public void run() {
        if (to == null) {
            network.atSwitch(this);
        } else {
            network.atPort(this);
        }
    }
}
