package io.fttcp.apps;

import io.fttcp.api.ListeningSocket;
import io.fttcp.api.StreamSocket;
import org.slf4j.Logger;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.util.concurrent.ThreadFactory;
import java.util.function.BooleanSupplier;

/**
 * The accept loop every server here shares: accept until stopped, give each connection a
 * session on a thread of its own, and keep serving through transient accept failures (for
 * example running out of file descriptors).
 */
public final class AcceptLoop {
    /** How a server takes in a connection. */
    public interface Sessions {
        /** Registers the connection and returns its session. */
        Runnable open(StreamSocket socket);

        /** Undoes {@link #open}: the server began stopping in between. */
        void abandon(StreamSocket socket, Runnable session);
    }

    private static final long RETRY_MILLIS = 50;

    private AcceptLoop() {}

    /** Runs on the calling thread until {@code stopping} holds or the listener is closed. */
    public static void run(ListeningSocket listener, BooleanSupplier stopping, ThreadFactory threads, Sessions sessions, Logger log) {
        while (!stopping.getAsBoolean()) {
            StreamSocket socket;
            try {
                socket = listener.accept();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (stopping.getAsBoolean()) return;
                log.warn("accept failed on {}: {}", listener.localAddress(), e.toString());
                try {
                    Thread.sleep(RETRY_MILLIS);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    return;
                }
                continue;
            }
            if (socket == null) continue;
            Runnable session = sessions.open(socket);
            if (stopping.getAsBoolean()) {
                sessions.abandon(socket, session);
                return;
            }
            threads.newThread(session).start();
        }
    }
}
