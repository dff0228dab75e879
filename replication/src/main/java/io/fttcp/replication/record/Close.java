package io.fttcp.replication.record;

import io.fttcp.stack.tcp.FourTuple;

/**
 * The application shut down or closed a socket (a connection, or a listener with remote part 0);
 * or ({@link How#RESET}) a replica that took over gave up a connection it could not restore.
 */
public record Close(FourTuple socket, How how) implements Record {
    public enum How {
        SHUTDOWN_OUTPUT, SHUTDOWN_INPUT, CLOSE,
        /**
         * Logged by a replica right after its takeover, for each connection it did not restore
         * (diverged, or known from incomplete records): its client was reset, so the connection
         * is over. Without it the connection's records stayed live in every later catch-up and
         * recovery, which restored it again, and kept its bytes for as long as the service ran.
         */
        RESET
    }
}
