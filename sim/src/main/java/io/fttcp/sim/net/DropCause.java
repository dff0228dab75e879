package io.fttcp.sim.net;

/** Why the simulated network dropped a frame. */
public enum DropCause {
    /** Random loss on a link direction. */
    LOSS,
    /** Tail drop: the transmit queue of a bandwidth-limited direction was full. */
    QUEUE_FULL,
    /** The frame was larger than the direction's MTU + Ethernet header. */
    OVERSIZE,
    /** Shorter than an Ethernet header. */
    MALFORMED,
    /** Sender and receiver were in different partitions. */
    PARTITION,
    /** The sending or receiving port was down (its host crashed) while the frame was in its path. */
    LINK_DOWN,
    /** Arrived at a port with no receiver set. */
    NO_RECEIVER,
    /** Chosen by the test ({@link SimulatedNetwork#dropWhen}): a particular frame lost. */
    CHOSEN
}
