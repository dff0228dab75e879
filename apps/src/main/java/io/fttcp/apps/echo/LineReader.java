package io.fttcp.apps.echo;

import io.fttcp.api.StreamSocket;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Splits a socket's byte stream into lines (each ending in '\n', kept) without decoding them.
 * A line longer than the buffer comes out in buffer-sized pieces; the last line may lack '\n'.
 */
final class LineReader {

    private final StreamSocket socket;
    private final ByteBuffer buffer;
    private int scanned;
    private boolean ended;

    LineReader(StreamSocket socket, int capacity) {
        this.socket = socket;
        this.buffer = ByteBuffer.allocate(capacity).flip();
    }

    /**
     * Returns a view of the next line (valid until the next call), or null at end of stream.
     */
    ByteBuffer next() throws IOException {
        while (true) {
            int start = buffer.position();
            for (int i = start + scanned; i < buffer.limit(); i++) {
                if (buffer.get(i) == '\n') {
                    return take(i + 1 - start);
                }
            }
            scanned = buffer.remaining();
            if (ended || buffer.remaining() == buffer.capacity()) {
                // End of stream with a partial line, or a line longer than the buffer.
                return buffer.hasRemaining() ? take(buffer.remaining()) : null;
            }
            buffer.compact();
            int n;
            try {
                n = socket.read(buffer);
            } finally {
                buffer.flip();
            }
            if (n < 0) {
                ended = true;
            }
        }
    }

    private ByteBuffer take(int length) {
        ByteBuffer line = buffer.slice(buffer.position(), length);
        buffer.position(buffer.position() + length);
        scanned = 0;
        return line;
    }
}
