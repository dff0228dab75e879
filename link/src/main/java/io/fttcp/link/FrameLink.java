package io.fttcp.link;

import java.nio.ByteBuffer;

/**
 * A port on an Ethernet segment: a TAP device, or a port of the simulated network. Frames are
 * complete Ethernet II frames without FCS. Received frames are pushed to the
 * {@link FrameReceiver} set by the owner.
 */
public interface FrameLink {
    /** Sends one frame (position..limit). The link copies what it needs before returning. */
    void send(ByteBuffer frame);

    /** Largest IP packet (MTU) a frame on this link can carry. */
    int mtu();

    /** Where received frames go. */
    void setReceiver(FrameReceiver receiver);
}
