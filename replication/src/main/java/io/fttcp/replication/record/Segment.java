package io.fttcp.replication.record;

import io.fttcp.stack.tcp.FourTuple;

/**
 * A client segment as the primary received it (after the SYN): what the backup needs to rebuild
 * the client's byte stream and the client's acknowledgement and window.
 *
 * @param flags   TCP flags as on the wire (FIN, RST, ACK...)
 * @param window  window field as on the wire (unscaled)
 * @param tsVal   the client's TSval, 0 if none
 * @param tsEcr   the client's TSecr, 0 if none
 * @param payload the data, possibly empty
 */
public record Segment(FourTuple tuple, int seq, int ack, int flags, int window, int tsVal, int tsEcr,
                      byte[] payload) implements Record {
}
