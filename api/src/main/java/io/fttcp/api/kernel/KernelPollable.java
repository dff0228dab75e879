package io.fttcp.api.kernel;

import io.fttcp.api.Pollable;

import java.nio.channels.SelectableChannel;

/** A kernel socket: the poller registers its channel with a selector. */
sealed interface KernelPollable extends Pollable permits KernelListeningSocket, KernelStreamSocket {

    SelectableChannel channel();

    @Override
    default void configureBlocking(boolean blocking) throws java.io.IOException {
        channel().configureBlocking(blocking);
    }

    @Override
    default boolean isBlocking() {
        return channel().isBlocking();
    }

    @Override
    default boolean isOpen() {
        return channel().isOpen();
    }

    @Override
    default void close() throws java.io.IOException {
        channel().close();
    }
}
