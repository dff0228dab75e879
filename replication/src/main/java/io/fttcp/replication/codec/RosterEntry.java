package io.fttcp.replication.codec;

import io.fttcp.replication.record.Connect;
import io.fttcp.stack.tcp.FourTuple;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One connection of a catch-up's roster ({@link FrameKind#ROSTER}): enough for a joiner that
 * never got the connection's records to reset its client.
 *
 * @param tuple     the connection, as the server sees it (local: the service)
 * @param clientIsn the client's initial sequence number
 * @param serverIsn the server's initial sequence number
 */
public record RosterEntry(FourTuple tuple, int clientIsn, int serverIsn) {
    /** The entry of the connection {@code connect} opened. */
    public static RosterEntry of(Connect connect) {
        return new RosterEntry(connect.tuple(), connect.clientIsn(), connect.serverIsn());
    }

    /**
     * One entry per four-tuple, the latest given (a later connection of a reused four-tuple
     * replaces the earlier one), in the order of those.
     */
    public static List<RosterEntry> latestOfEachFourTuple(Iterable<RosterEntry> entries) {
        Map<FourTuple, RosterEntry> latest = new LinkedHashMap<>();
        for (RosterEntry e : entries) {
            latest.remove(e.tuple());
            latest.put(e.tuple(), e);
        }
        return List.copyOf(latest.values());
    }
}
