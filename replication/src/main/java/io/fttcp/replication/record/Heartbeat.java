package io.fttcp.replication.record;

import io.fttcp.stack.tcp.FourTuple;

import java.util.List;

/**
 * Liveness from the primary, with what takeover needs beyond the other records: the primary's
 * highest TSval per connection (so the backup's timestamp clock continues above it, and the
 * client's PAWS check passes) and the primary's time.
 *
 * @param sentAtNanos  the primary's monotonic clock when sent (for diagnostics)
 * @param maxTsVals    connections whose highest sent TSval changed since the last heartbeat
 */
public record Heartbeat(long sentAtNanos, List<TsVal> maxTsVals) implements Record {
    public Heartbeat {
        maxTsVals = List.copyOf(maxTsVals);
    }

    public record TsVal(FourTuple connection, int tsVal) {
    }
}
