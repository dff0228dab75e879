package io.fttcp.apps.echo;

import io.fttcp.api.StreamSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;

/** Echoes each line back to the client that sent it; at end of stream, finishes and closes. */
final class EchoSession implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(EchoSession.class);

    private final StreamSocket socket;
    private final Runnable onEnd;

    EchoSession(StreamSocket socket, Runnable onEnd) {
        this.socket = socket;
        this.onEnd = onEnd;
    }

    @Override
    public void run() {
        try {
            socket.setNoDelay(true);
            LineReader lines = new LineReader(socket, LineEchoServer.MAX_LINE);
            for (ByteBuffer line = lines.next(); line != null; line = lines.next()) {
                while (line.hasRemaining()) {
                    socket.write(line);
                }
            }
            socket.shutdownOutput();
        } catch (IOException e) {
            log.debug("{}: {}", socket, e.toString());
        } finally {
            LineEchoServer.closeQuietly(socket);
            onEnd.run();
        }
    }
}
