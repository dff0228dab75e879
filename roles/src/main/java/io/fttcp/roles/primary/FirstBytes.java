package io.fttcp.roles.primary;

import java.io.IOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.time.Duration;

/**
 * Whether a freshly accepted connection's peer sends something (or closes) within a time,
 * without consuming it: a backup sends its handshake as soon as it is connected, while a
 * backup's liveness probe ({@link io.fttcp.roles.PrimaryProbe}) sends nothing and waits
 * for the primary to answer by closing. The socket is left in blocking mode.
 */
final class FirstBytes {
    private FirstBytes() {}

    static boolean arriveWithin(SocketChannel socket, Duration within) {
        try (Selector selector = Selector.open()) {
            socket.configureBlocking(false);
            SelectionKey key = socket.register(selector, SelectionKey.OP_READ);
            boolean readable = selector.select(Math.max(1, within.toMillis())) > 0;
            key.cancel();
            selector.selectNow(); // deregisters, so that the socket may block again
            socket.configureBlocking(true);
            return readable;
        } catch (IOException e) {
            return false;
        }
    }
}
