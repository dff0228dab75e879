package io.fttcp.replication.record;

import io.fttcp.stack.tcp.FourTuple;

/** The application shut down or closed a socket (a connection, or a listener with remote part 0). */
public record Close(FourTuple socket, How how) implements Record {
    public enum How { SHUTDOWN_OUTPUT, SHUTDOWN_INPUT, CLOSE }
}
