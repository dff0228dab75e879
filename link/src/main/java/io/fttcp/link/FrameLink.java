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

    /**
     * Whether this link takes frames with partial checksums and GSO frames larger than the MTU
     * (and may deliver such frames). False unless the link says otherwise.
     */
    default boolean offloadsEnabled() {
        return false;
    }

    /**
     * Sends one frame with offload metadata (offsets from the frame's start). Links without
     * offloads accept only plain metadata.
     */
    default void send(ByteBuffer frame, FrameOffload offload) {
        if (offload != null && !offload.isPlain()) {
            throw new UnsupportedOperationException("this link has no offloads; cannot send " + offload);
        }
        send(frame);
    }

    /**
     * Sends one frame that may be written only until {@code deadline} (System.nanoTime();
     * Long.MAX_VALUE: no deadline): a protected primary's frame must not leave after its lease.
     * A link that writes later than it is handed a frame (the TAP's writer thread) drops it past
     * the deadline; one that writes at once relies on its caller's check (the default).
     */
    default void send(ByteBuffer frame, FrameOffload offload, long deadline) {
        send(frame, offload);
    }

    /**
     * The offload metadata of the frame being delivered, valid only during
     * {@link FrameReceiver#receive}; null if the link does not use offloads.
     */
    default FrameOffload receivedOffload() {
        return null;
    }
}
