package io.fttcp.replication.record;

import io.fttcp.stack.tcp.FourTuple;

import java.util.List;

/**
 * A readiness poll's result, in the order the poller returned it.
 *
 * @param poller which poller of the application (numbered in creation order)
 * @param ready  the sockets found ready and their ready operations
 */
public record Ready(int poller, List<Entry> ready) implements Record {
    public Ready {
        ready = List.copyOf(ready);
    }

    /** One ready socket: a connection, or a listener (remote part 0). */
    public record Entry(FourTuple socket, int readyOps) {
    }
}
