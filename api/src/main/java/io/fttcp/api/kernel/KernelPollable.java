package io.fttcp.api.kernel;

import io.fttcp.api.Pollable;

import java.nio.channels.SelectableChannel;

/** A kernel socket: the poller registers its channel with a selector. */
sealed interface KernelPollable extends Pollable permits KernelListeningSocket, KernelStreamSocket {

    SelectableChannel channel();
}
