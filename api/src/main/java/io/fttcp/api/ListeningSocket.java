package io.fttcp.api;

import java.io.IOException;
import java.net.InetSocketAddress;

/** A listening socket, like {@link java.nio.channels.ServerSocketChannel}. */
public interface ListeningSocket extends Pollable {

    /**
     * Returns the next established connection. Blocking mode: waits for one. Non-blocking
     * mode: returns null if none is waiting.
     *
     * @throws java.nio.channels.ClosedChannelException if this socket is closed
     */
    StreamSocket accept() throws IOException;

    InetSocketAddress localAddress();
}
