package io.fttcp.replication.record;

import io.fttcp.stack.tcp.FourTuple;

/**
 * The application shut down or closed a socket (a connection, or a listener with remote part 0);
 * or ({@link How#RESET}) our side ended the connection with its client reset or gone.
 */
public record Close(FourTuple socket, How how) implements Record {
    public enum How {
        SHUTDOWN_OUTPUT, SHUTDOWN_INPUT, CLOSE,
        /**
         * The connection is over, without the orderly end the log would otherwise show: logged
         * by a replica right after its takeover, for each connection it did not restore
         * (diverged, or known from incomplete records), whose client it reset; and by the
         * primary's south-side wrapper when its stack ended a connection on its own (aborted,
         * or timed out on a client that vanished). Without it the connection's records stayed
         * live in every later catch-up and recovery, which restored it again, and kept its bytes
         * for as long as the service ran. Never restored, nor reset again.
         */
        RESET
    }
}
