package io.fttcp.apps.http;

import io.fttcp.api.StreamSocket;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Buffered reading from a blocking {@link StreamSocket}: header lines out of a reused buffer,
 * and body bytes (drained from the buffer first, then straight from the socket into the
 * caller's buffer, so large bodies are not copied twice).
 */
final class SocketInput {

    private final StreamSocket socket;
    private final ByteBuffer buffer;

    SocketInput(StreamSocket socket, int capacity) {
        this.socket = socket;
        this.buffer = ByteBuffer.allocate(capacity).flip(); // read mode, empty
    }

    /**
     * Reads one line ending in LF (an optional CR before it is dropped), as ISO-8859-1.
     * Returns null at end of stream before the line started.
     *
     * @throws HttpException 431 if the line is longer than {@code maxLength}; 400 if the
     *     stream ends in the middle of the line
     */
    String readLine(int maxLength) throws IOException, HttpException {
        int scanned = 0;
        while (true) {
            int start = buffer.position();
            int limit = buffer.limit();
            for (int i = start + scanned; i < limit; i++) {
                if (buffer.get(i) == '\n') {
                    int end = i > start && buffer.get(i - 1) == '\r' ? i - 1 : i;
                    if (end - start > maxLength) {
                        throw new HttpException(431, "line longer than " + maxLength + " bytes", true);
                    }
                    String line = new String(buffer.array(), buffer.arrayOffset() + start, end - start, StandardCharsets.ISO_8859_1);
                    buffer.position(i + 1);
                    return line;
                }
            }
            scanned = limit - start;
            if (scanned > maxLength + 1) {
                throw new HttpException(431, "line longer than " + maxLength + " bytes", true);
            }
            if (fill() < 0) {
                if (scanned == 0) {
                    return null;
                }
                throw HttpException.badRequest("connection closed in the middle of a line");
            }
        }
    }

    /** Reads up to {@code max} bytes into {@code dst}; -1 at end of stream. */
    int read(ByteBuffer dst, long max) throws IOException {
        int want = (int) Math.min(dst.remaining(), max);
        if (want == 0) {
            return 0;
        }
        if (buffer.hasRemaining()) {
            int n = Math.min(want, buffer.remaining());
            int savedLimit = buffer.limit();
            buffer.limit(buffer.position() + n);
            dst.put(buffer);
            buffer.limit(savedLimit);
            return n;
        }
        int savedLimit = dst.limit();
        dst.limit(dst.position() + want);
        try {
            return socket.read(dst);
        } finally {
            dst.limit(savedLimit);
        }
    }

    /** Like {@link #read} but end of stream is an error: the peer promised more bytes. */
    int readSome(ByteBuffer dst, long max) throws IOException {
        int n = read(dst, max);
        if (n < 0) {
            throw new EOFException("connection closed before the end of the request body");
        }
        return n;
    }

    /** Moves unread bytes to the front and reads more from the socket; -1 at end of stream. */
    private int fill() throws IOException {
        if (!buffer.hasRemaining()) {
            buffer.clear();
        } else {
            buffer.compact();
        }
        try {
            if (!buffer.hasRemaining()) {
                return 0; // full; the caller's length check decides
            }
            return socket.read(buffer);
        } finally {
            buffer.flip();
        }
    }
}
