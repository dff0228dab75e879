package io.fttcp.stack.tcp;

/** Why a connection ended. */
public enum CloseReason {
    /** Orderly: both FINs exchanged and acknowledged (after TIME-WAIT where it applies). */
    CLOSED,
    /** The peer sent an acceptable RST. */
    RESET_BY_PEER,
    /** The local user aborted (RST sent). */
    ABORTED,
    /** Retransmissions or keepalives went unanswered. */
    TIMED_OUT,
    /** The connection attempt was refused (RST in SYN-SENT). */
    REFUSED
}
