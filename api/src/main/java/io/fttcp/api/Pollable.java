package io.fttcp.api;

import java.io.Closeable;
import java.io.IOException;

/** A socket that can be switched between blocking and non-blocking mode and polled for readiness. */
public interface Pollable extends Closeable {

    /** Switches blocking mode; sockets start blocking. */
    void configureBlocking(boolean blocking) throws IOException;

    boolean isBlocking();

    boolean isOpen();

    /** Closes the socket: for a connected socket, an orderly close (FIN after pending data). */
    @Override
    void close() throws IOException;
}
