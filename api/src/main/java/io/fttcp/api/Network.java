package io.fttcp.api;

import java.io.IOException;
import java.net.InetSocketAddress;

/** Opens sockets on one network: the user-space stack, or the north-side wrapper around it. */
public interface Network {

    /** Listens on {@code local} with at most {@code backlog} established connections waiting for accept. */
    ListeningSocket listen(InetSocketAddress local, int backlog) throws IOException;

    /**
     * Opens a connection to {@code remote}. In blocking mode (the default for the returned
     * socket) this waits until the connection is established or fails; see
     * {@link #openConnection(InetSocketAddress)} for the non-blocking form.
     */
    StreamSocket connect(InetSocketAddress remote) throws IOException;

    /** Starts connecting to {@code remote} and returns at once, in non-blocking mode; use {@link StreamSocket#finishConnect()}. */
    StreamSocket openConnection(InetSocketAddress remote) throws IOException;

    /** Opens a readiness poller for sockets of this network. */
    Poller openPoller() throws IOException;

    /**
     * Time and randomness for the application. Applications that must run protected read the
     * clock and draw seeds only through this, so a backup replaying them sees the same values.
     */
    default AppRuntime runtime() {
        return AppRuntime.system();
    }
}
