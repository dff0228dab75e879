package io.fttcp.replication.record;

import io.fttcp.stack.tcp.FourTuple;

/** accept() on {@code listener} (remote part 0) returned {@code connection}. */
public record Accept(FourTuple listener, FourTuple connection) implements Record {
}
