package io.fttcp.replication.record;

import io.fttcp.stack.tcp.FourTuple;

/**
 * A connection's handshake, logged by the SSW when the primary's SYN-ACK leaves (which it
 * may only after this record is stable).
 *
 * @param tuple             the connection
 * @param clientIsn         the client's initial sequence number (from its SYN)
 * @param serverIsn         our initial sequence number (from our SYN-ACK)
 * @param clientMss         MSS option of the SYN, or -1
 * @param serverMss         MSS option of the SYN-ACK
 * @param clientWindowShift window-scale option of the SYN, or -1
 * @param serverWindowShift window-scale option of the SYN-ACK, or -1
 * @param sackPermitted     SACK negotiated (both offered)
 * @param timestamps        timestamps negotiated (both offered)
 * @param serverTsVal       TSval of our SYN-ACK (the start of our timestamp clock), 0 if none
 * @param clientTsVal       TSval of the client's SYN, 0 if none
 * @param clientWindow      window field of the SYN (unscaled)
 */
public record Connect(FourTuple tuple, int clientIsn, int serverIsn, int clientMss, int serverMss,
                      int clientWindowShift, int serverWindowShift, boolean sackPermitted, boolean timestamps,
                      int serverTsVal, int clientTsVal, int clientWindow) implements Record {
}
