package io.fttcp.sim.net;

import java.nio.ByteBuffer;

/**
 * Watches a {@link SimulatedNetwork}: traces, packet captures, test assertions. Called
 * synchronously; {@code frame} is valid only during the call and must not be modified.
 */
public interface NetworkObserver {
    /** A frame is about to be handed to {@code to}'s receiver. */
    default void delivered(SimPort from, SimPort to, ByteBuffer frame, long now) {
    }

    /** A frame was dropped; {@code at} is the port the drop is counted at. */
    default void dropped(SimPort at, DropCause cause, long now) {
    }
}
