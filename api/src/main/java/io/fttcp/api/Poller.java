package io.fttcp.api;

import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;
import java.util.Set;

/**
 * Readiness notification for non-blocking sockets, like {@link java.nio.channels.Selector}.
 * Interest and ready sets use the {@code OP_*} bits below (same values as
 * {@link java.nio.channels.SelectionKey}).
 */
public interface Poller extends Closeable {

    int OP_READ = 1;
    int OP_WRITE = 4;
    int OP_CONNECT = 8;
    int OP_ACCEPT = 16;

    /** Registers {@code socket} (which must be in non-blocking mode) or updates its interest set. */
    PollKey register(Pollable socket, int interestOps, Object attachment) throws IOException;

    /**
     * Waits until at least one registered socket is ready for an operation of interest, the
     * timeout passes ({@link Duration#ZERO}: do not wait), or {@link #wakeup()} is called.
     * Returns the number of keys in {@link #readyKeys()}.
     */
    int poll(Duration timeout) throws IOException;

    /** Keys found ready by the last {@link #poll}; the caller may remove keys it handled. */
    Set<PollKey> readyKeys();

    /** Makes a current or the next {@link #poll} return at once. */
    void wakeup();
}
