package io.fttcp.api;

import java.io.IOException;

/** The peer reset the connection (RST), or the connection was aborted; no more data will flow. */
public final class ConnectionResetException extends IOException {
    public ConnectionResetException(String message) {
        super(message);
    }
}
