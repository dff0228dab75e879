package io.fttcp.api;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;

/**
 * A connected TCP socket, like {@link java.nio.channels.SocketChannel}.
 *
 * <p>Errors are {@link IOException}s that say what happened: {@link ConnectionResetException}
 * when the peer reset the connection, {@link java.net.SocketTimeoutException} when a blocking
 * read timed out, {@link java.nio.channels.ClosedChannelException} after {@link #close()}.
 */
public interface StreamSocket extends Pollable {

    /**
     * Reads into {@code dst}. Returns the number of bytes read, or -1 at end of stream (the
     * peer sent FIN and all its data was read). Blocking mode: waits until at least one byte
     * or end of stream is available, or the read timeout expires. Non-blocking mode: returns 0
     * if nothing is available.
     */
    int read(ByteBuffer dst) throws IOException;

    /**
     * Writes from {@code src}. Blocking mode: writes all remaining bytes, waiting for send
     * buffer space. Non-blocking mode: writes what fits in the send buffer (possibly 0).
     */
    int write(ByteBuffer src) throws IOException;

    /** Completes a non-blocking connect: true once established; false while still connecting. */
    boolean finishConnect() throws IOException;

    boolean isConnected();

    /** Sends FIN after the data already written; reads continue to work. */
    void shutdownOutput() throws IOException;

    /** Discards further input; reads return -1. */
    void shutdownInput() throws IOException;

    /** Timeout of blocking reads; {@link Duration#ZERO} means wait forever (the default). */
    void setReadTimeout(Duration timeout);

    /** Disables Nagle's algorithm when true, like TCP_NODELAY. */
    void setNoDelay(boolean noDelay);

    /** Enables TCP keepalive probes on an idle connection, like SO_KEEPALIVE. */
    void setKeepAlive(boolean keepAlive);

    InetSocketAddress localAddress();

    InetSocketAddress remoteAddress();
}
