package io.fttcp.wrappers.nsw;

import io.fttcp.api.ListeningSocket;
import io.fttcp.api.Network;
import io.fttcp.api.StreamSocket;

import java.io.IOException;

/**
 * What {@link ReplayNetwork#goLive} needs from the takeover: live sockets for the connections
 * (restored with the stack's repair API) and a live network for everything new. Called with
 * the replay network's lock held: implementations must not call back into the replay network
 * (its {@link ReplayNetwork#images()} included; the image they need is passed in).
 */
public interface LiveBinding {

    /** Where listeners, pollers and new connections live after takeover (the backup's stack). */
    Network network();

    /**
     * Restores a connection the application has or will get from accept() ({@link ConnectionImage#accepted()}).
     * The restored connection must have the primary's sequence space and be in the state the
     * image implies, with:
     * <ul>
     *   <li>{@code rcv_nxt} = {@link ConnectionImage#rcvNxt()} and an <b>empty</b> receive queue: the
     *       north-side wrapper itself hands the application {@code unreadClientBytes} (and any bytes
     *       pending READ records still consume) before reading from the returned socket;</li>
     *   <li>{@code snd_una} = {@link ConnectionImage#sndUna()}; the send queue = {@code bufferedOutput}
     *       (at {@link ConnectionImage#bufferedOutputSeq()}, which equals snd_una when the application is
     *       ahead of the client, and is empty otherwise), then a FIN if {@code appShutOutput} or
     *       {@code primaryFinOffset >= 0} (the primary may have sent it); everything queued counts
     *       as possibly sent (snd_nxt at its end). {@code io.fttcp.roles.takeover.Materializer}
     *       builds exactly this checkpoint from the image (and refuses, with IllegalStateException,
     *       an application that has not yet reached the primary's close: call {@link ReplayNetwork#goLive}
     *       once the application has consumed every logged determinant, DESIGN.md §4 step 1).
     *       Afterwards the wrapper writes to the socket only bytes at offsets from
     *       {@code max(clientAckedOffset, appOutputOffset)} on; bytes the application produces below
     *       the client's acknowledgement are discarded;</li>
     *   <li>a diverged connection ({@link ConnectionImage#diverged()}) should be reset: return null.</li>
     * </ul>
     * The socket is used in the mode the application set (blocking by default); the wrapper
     * applies the application's blocking mode, read timeout, no-delay and keep-alive to it.
     *
     * @return the live socket, or null if the connection is not restored (the application's
     *     socket then fails with {@link io.fttcp.api.ConnectionResetException} once its logged
     *     records are replayed)
     */
    StreamSocket restore(ConnectionImage image) throws IOException;

    /**
     * Restores a connection the primary established but whose ACCEPT was never logged into
     * the backlog of {@code listener} (the live listener that replaced the application's replay
     * listener on the connection's port), so the application's next accept() returns it
     * straight from {@code listener}. Same state rules as {@link #restore}, except that here the
     * receive queue holds {@code unreadClientBytes} (the application has read nothing, and the
     * wrapper does not see this socket). Default: not restored.
     *
     * @return whether it was restored (false: refused, its client reset, or not restorable here)
     */
    default boolean restoreUnaccepted(ConnectionImage image, ListeningSocket listener) throws IOException {
        return false;
    }

    /**
     * Resets the client of a connection the old primary's stack ended on its own (the log says so:
     * a CLOSE of kind RESET), which is not restored. Its RST may not have reached the client, or
     * reached it above its rcv.nxt and drawn a challenge ACK (RFC 5961) that only the old primary
     * could have answered; a client with nothing to send then waits for good. Resetting a client
     * that already has no connection costs nothing (its host answers with an RST, which the stack
     * ignores). Default: nothing.
     */
    default void resetClient(ConnectionImage image) { }

    /**
     * Resets the client of a restored connection, {@code live} as {@link #restore} returned it:
     * its replayed output was found to differ from the primary's only after takeover (the
     * application had not consumed every logged determinant then), and those bytes must never
     * reach the client. Called without the replay network's lock.
     */
    void reset(StreamSocket live) throws IOException;
}
