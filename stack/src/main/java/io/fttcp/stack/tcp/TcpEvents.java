package io.fttcp.stack.tcp;

/**
 * What a connection tells the socket layer. Called synchronously from inside the connection's
 * methods; implementations must not call back into the same connection.
 */
public interface TcpEvents {
    /** The handshake completed (or a connection was restored). */
    default void onEstablished(TcpConnection connection) {}

    /** New data, or the peer's FIN, can be read. */
    default void onReadable(TcpConnection connection) {}

    /** Send-buffer space was freed. */
    default void onWritable(TcpConnection connection) {}

    /** The connection is gone (closed, reset, timed out); the host may forget it. */
    default void onClosed(TcpConnection connection, CloseReason reason) {}

    TcpEvents NONE = new TcpEvents() {};
}
