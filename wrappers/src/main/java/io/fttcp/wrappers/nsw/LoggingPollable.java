package io.fttcp.wrappers.nsw;

import io.fttcp.api.Pollable;
import io.fttcp.stack.tcp.FourTuple;

import java.io.IOException;

/** A socket of the logging network: the stack's socket it wraps, and the name its records use. */
sealed interface LoggingPollable extends Pollable permits LoggingStreamSocket, LoggingListeningSocket {

    /** The wrapped socket of the stack. */
    Pollable inner();

    /** The four-tuple that names this socket in records (listeners: remote part 0). */
    FourTuple name();

    @Override
    default void configureBlocking(boolean blocking) throws IOException {
        inner().configureBlocking(blocking);
    }

    @Override
    default boolean isBlocking() {
        return inner().isBlocking();
    }

    @Override
    default boolean isOpen() {
        return inner().isOpen();
    }
}
