package io.fttcp.apps.http;

import io.fttcp.api.AppRuntime;
import io.fttcp.api.StreamSocket;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Writes responses to a blocking socket through a buffer borrowed from a pool for the
 * duration of one response. The head and the start of the body go out in the same write, so
 * a small response is one segment.
 */
final class ResponseWriter {

    private static final byte[] CONTINUE = "HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);

    private final StreamSocket socket;
    private final BufferPool pool;
    private final AppRuntime runtime;
    private long responsesStarted;

    ResponseWriter(StreamSocket socket, BufferPool pool, AppRuntime runtime) {
        this.runtime = runtime;
        this.socket = socket;
        this.pool = pool;
    }

    /** Final responses begun on this connection; an error after one began cannot be answered. */
    long responsesStarted() {
        return responsesStarted;
    }

    void sendContinue() throws IOException {
        writeFully(ByteBuffer.wrap(CONTINUE));
    }

    /**
     * Sends a response head and, if {@code body} is non-null, {@code contentLength} body bytes
     * from it (a HEAD response passes null: same head, no body).
     *
     * @param extraHeaders complete "Name: value" lines, each ending in CRLF
     */
    void send(int status, String contentType, long contentLength, String extraHeaders, boolean close, BodySource body) throws IOException {
        responsesStarted++;
        StringBuilder head = new StringBuilder(256)
                .append("HTTP/1.1 ").append(status).append(' ').append(Status.reason(status)).append("\r\n")
                .append("Date: ").append(HttpDate.at(runtime.currentTimeMillis())).append("\r\n")
                .append("Server: fttcp\r\n");
        if (contentType != null) {
            head.append("Content-Type: ").append(contentType).append("\r\n");
        }
        head.append("Content-Length: ").append(contentLength).append("\r\n");
        head.append(extraHeaders);
        if (close) {
            head.append("Connection: close\r\n");
        }
        head.append("\r\n");
        byte[] headBytes = head.toString().getBytes(StandardCharsets.ISO_8859_1);

        ByteBuffer buffer = pool.acquire();
        try {
            writeHeadAndBody(buffer, headBytes, body == null ? 0 : contentLength, body);
        } finally {
            pool.release(buffer);
        }
    }

    private void writeHeadAndBody(ByteBuffer buffer, byte[] headBytes, long total, BodySource body) throws IOException {
        if (headBytes.length > buffer.capacity()) {
            writeFully(ByteBuffer.wrap(headBytes));
        } else {
            buffer.put(headBytes);
        }
        long sent = 0;
        while (true) {
            int chunk = (int) Math.min(buffer.remaining(), total - sent);
            if (chunk > 0) {
                body.fill(sent, buffer, chunk);
                sent += chunk;
            }
            buffer.flip();
            writeFully(buffer);
            buffer.clear();
            if (sent == total) {
                return;
            }
        }
    }

    void sendText(int status, String text, String extraHeaders, boolean close, boolean headOnly) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        send(status, "text/plain; charset=utf-8", bytes.length, extraHeaders, close,
                headOnly ? null : (offset, dst, length) -> dst.put(bytes, (int) offset, length));
    }

    private void writeFully(ByteBuffer src) throws IOException {
        while (src.hasRemaining()) {
            socket.write(src); // blocking mode writes all, but loop in case an implementation is partial
        }
    }
}
