package io.fttcp.replication.record;

import io.fttcp.stack.tcp.FourTuple;

/** read() on {@code connection} returned {@code count} bytes (0: nothing ready; -1: end of stream). */
public record Read(FourTuple connection, int count) implements Record {
}
