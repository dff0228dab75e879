package io.fttcp.stack.tcp;

/** RFC 9293 connection states (LISTEN lives in the host layer, not in a connection). */
public enum TcpState {
    SYN_SENT, SYN_RECEIVED, ESTABLISHED, FIN_WAIT_1, FIN_WAIT_2, CLOSE_WAIT, CLOSING, LAST_ACK, TIME_WAIT, CLOSED
}
