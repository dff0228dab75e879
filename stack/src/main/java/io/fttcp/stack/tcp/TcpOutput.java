package io.fttcp.stack.tcp;

/** Where a connection's segments go: the host layer serializes them into IP packets. */
@FunctionalInterface
public interface TcpOutput {
    /** Sends {@code segment} on {@code connection}'s four-tuple. The segment is valid only during the call. */
    void transmit(TcpConnection connection, TcpSegment segment);
}
