package io.fttcp.replication.codec;

import io.fttcp.stack.tcp.FourTuple;

/**
 * One connection of a catch-up's roster ({@link FrameKind#ROSTER}): enough for a joiner that
 * never got the connection's records to reset its client.
 *
 * @param tuple     the connection, as the server sees it (local: the service)
 * @param clientIsn the client's initial sequence number
 * @param serverIsn the server's initial sequence number
 */
public record RosterEntry(FourTuple tuple, int clientIsn, int serverIsn) {
}
