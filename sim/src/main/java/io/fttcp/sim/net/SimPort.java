package io.fttcp.sim.net;

import io.fttcp.link.FrameLink;
import io.fttcp.link.FrameReceiver;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.SplittableRandom;

/**
 * A port of the {@link SimulatedNetwork}'s switch, with the link to it; what a simulated host
 * plugs its Ethernet interface into. The uplink (host to switch) and downlink (switch to host)
 * have their own {@link LinkConditions}. A port can go down (power loss, cable pulled): from then
 * on it sends and receives nothing, frames in flight to it and frames still in its transmit
 * queue are dropped, and the switch forgets the MACs it learned there.
 */
public final class SimPort implements FrameLink {
    private final SimulatedNetwork network;
    private final String name;
    private final int index;
    private final long mac;
    private final PortStats stats = new PortStats();
    final LinkDirection uplink;
    final LinkDirection downlink;
    FrameReceiver receiver;
    private boolean up = true;
    /** Incremented each time the port goes down; frames remember the epoch they were sent in. */
    int epoch;
    private long[] epochEnds = new long[4];

    SimPort(SimulatedNetwork network, String name, int index, long mac, LinkConditions up, LinkConditions down,
            SplittableRandom random) {
        this.network = network;
        this.name = name;
        this.index = index;
        this.mac = mac;
        // Split order is fixed (uplink, then downlink) so the streams depend only on attach order.
        this.uplink = new LinkDirection(up, random.split(), stats);
        this.downlink = new LinkDirection(down, random.split(), stats);
    }

    @Override
    public void send(ByteBuffer frame) {
        network.send(this, frame);
    }

    /** The smaller of the two directions' MTUs. */
    @Override
    public int mtu() {
        return Math.min(uplink.conditions().mtu(), downlink.conditions().mtu());
    }

    @Override
    public void setReceiver(FrameReceiver receiver) {
        this.receiver = receiver;
    }

    public String name() {
        return name;
    }

    /** Position in attach order; stable for the life of the network. */
    public int index() {
        return index;
    }

    /** The MAC assigned to this port at attach time, as a 48-bit number (a host may use another). */
    public long mac() {
        return mac;
    }

    /** {@link #mac()} as 6 bytes. */
    public byte[] macBytes() {
        byte[] bytes = new byte[6];
        for (int i = 0; i < 6; i++) {
            bytes[i] = (byte) (mac >>> (40 - 8 * i));
        }
        return bytes;
    }

    public PortStats stats() {
        return stats;
    }

    public SimulatedNetwork network() {
        return network;
    }

    public LinkConditions uplinkConditions() {
        return uplink.conditions();
    }

    public LinkConditions downlinkConditions() {
        return downlink.conditions();
    }

    /** Conditions from the host to the switch; applies to frames sent from now on. */
    public void setUplink(LinkConditions conditions) {
        uplink.setConditions(conditions);
    }

    /** Conditions from the switch to the host; applies to frames forwarded from now on. */
    public void setDownlink(LinkConditions conditions) {
        downlink.setConditions(conditions);
    }

    /** Same conditions both ways. */
    public void setConditions(LinkConditions conditions) {
        setUplink(conditions);
        setDownlink(conditions);
    }

    public boolean isUp() {
        return up;
    }

    /**
     * The port goes silent now: frames in flight to it and frames still queued for
     * transmission from it are dropped; the switch forgets its MACs (so frames for them are
     * flooded until relearned, as on a real switch). The receiver stays set.
     */
    public void linkDown() {
        if (!up) {
            return;
        }
        long now = network.now();
        up = false;
        if (epoch == epochEnds.length) {
            epochEnds = Arrays.copyOf(epochEnds, epoch * 2);
        }
        epochEnds[epoch++] = now;
        uplink.resetQueue(now);
        // The switch flushes its egress buffer for a port whose link went down.
        downlink.resetQueue(now);
        network.portWentDown(this);
    }

    /** The port works again (frames sent before it came up stay lost). */
    public void linkUp() {
        up = true;
    }

    /** When the port went down after epoch {@code e}. */
    long endOfEpoch(int e) {
        return epochEnds[e];
    }

    @Override
    public String toString() {
        return name + "(" + HexFormat.ofDelimiter(":").formatHex(macBytes()) + ")";
    }
}
