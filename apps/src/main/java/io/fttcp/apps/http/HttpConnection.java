package io.fttcp.apps.http;

import io.fttcp.api.StreamSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;

/**
 * One client connection: reads requests one after another (keep-alive), dispatches each to a
 * handler, and turns failures into error responses. A malformed request is answered 400 and
 * the connection closed; nothing a client sends can stop the server.
 */
final class HttpConnection implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(HttpConnection.class);
    private static final int INPUT_BUFFER = 16 * 1024;
    private static final java.time.Duration LINGER_READ_TIMEOUT = java.time.Duration.ofSeconds(1);
    private static final java.time.Duration LINGER_TOTAL = java.time.Duration.ofSeconds(5);
    private static final long LINGER_MAX_BYTES = 16L * 1024 * 1024;

    private final HttpFileServer server;
    private final StreamSocket socket;
    private final SocketInput input;
    private final ResponseWriter response;
    /** True while waiting for the next request: a graceful stop may close the connection at once. */
    private volatile boolean idle = true;
    /** An error response was sent while request bytes may still be unread: close gently (see {@link #lingeringClose}). */
    private boolean unreadInput;

    HttpConnection(HttpFileServer server, StreamSocket socket, BufferPool pool) {
        this.server = server;
        this.socket = socket;
        this.input = new SocketInput(socket, INPUT_BUFFER, server.runtime(), server.config().idleTimeout());
        this.response = new ResponseWriter(socket, pool, server.runtime());
    }

    boolean isIdle() {
        return idle;
    }

    void close() {
        try {
            socket.close();
        } catch (IOException e) {
            log.debug("closing {}: {}", socket, e.toString());
        }
    }

    @Override
    public void run() {
        try {
            socket.setNoDelay(true);
            HttpServerConfig config = server.config();
            // A new connection is for a request: it waits for one no longer than a request head may take (nginx's
            // client_header_timeout); between keep-alive requests the idle timeout applies.
            Duration firstByteWait = SocketInput.shorter(config.idleTimeout(), config.requestHeadTimeout());
            boolean keepGoing = true;
            while (keepGoing) {
                idle = true;
                if (server.isStopping()) {
                    break;
                }
                input.awaitRequest(firstByteWait, config.requestHeadTimeout().isZero() ? null : ReadDeadline.whole(config.requestHeadTimeout()));
                firstByteWait = config.idleTimeout();
                RequestHead head;
                try {
                    head = RequestHeadReader.read(input);
                } catch (HttpException e) {
                    idle = false;
                    sendError(e, true, false);
                    break;
                }
                idle = false;
                if (head == null) {
                    break;
                }
                keepGoing = serve(head);
            }
        } catch (SocketTimeoutException e) {
            log.debug("{}: idle timeout", socket);
        } catch (ClosedChannelException e) {
            log.debug("{}: closed", socket);
        } catch (IOException e) {
            log.debug("{}: {}", socket, e.toString());
        } catch (RuntimeException e) {
            log.warn("{}: unexpected failure, connection closed", socket, e);
        } finally {
            if (unreadInput && !server.isStopping()) {
                lingeringClose();
            }
            close();
            server.forget(this);
        }
    }

    /**
     * Closing a socket with unread input makes the kernel (or stack) send RST, which can destroy
     * the error response before the client reads it. So: send FIN, then read and discard what
     * the client still sends, for a bounded time and amount, before closing.
     */
    private void lingeringClose() {
        try {
            socket.shutdownOutput();
            socket.setReadTimeout(LINGER_READ_TIMEOUT);
            java.nio.ByteBuffer sink = java.nio.ByteBuffer.allocate(8192);
            // The runtime's clock, not the machine's: a backup replaying this connection must make the same reads.
            long deadline = server.runtime().nanoTime() + LINGER_TOTAL.toNanos();
            long drained = 0;
            while (drained < LINGER_MAX_BYTES && server.runtime().nanoTime() - deadline < 0) {
                sink.clear();
                int n = socket.read(sink);
                if (n < 0) {
                    return;
                }
                drained += n;
            }
        } catch (IOException e) {
            log.debug("{}: lingering close: {}", socket, e.toString());
        }
    }

    /** Answers one request; returns whether the connection stays open for the next one. */
    private boolean serve(RequestHead head) throws IOException {
        boolean keepAlive = head.wantsKeepAlive() && !server.isStopping();
        RequestBody body = null;
        long responsesBefore = response.responsesStarted();
        try {
            RequestTarget target = RequestTarget.parse(head.target());
            body = RequestBody.of(head, input, server.config().maxUploadBytes());
            input.readBody(bodyDeadline());
            Handler handler = route(head.method(), target.path());
            // A body the handler will not read makes the next request's start unknown: close after.
            boolean close = !keepAlive || (!(handler instanceof UploadHandler) && !body.isComplete());
            handler.handle(new Exchange(head, target, body, input, response, close));
            unreadInput |= !body.isComplete();
            return !close && body.isComplete();
        } catch (HttpException e) {
            boolean close = e.closeAfter() || !keepAlive || body == null || !body.isComplete();
            sendError(e, close, head.method().equals("HEAD"));
            return !close;
        } catch (RuntimeException e) {
            log.warn("{}: failure answering {} {}", socket, head.method(), head.target(), e);
            if (response.responsesStarted() == responsesBefore) {
                sendError(new HttpException(500, "internal error: " + e, true), true, head.method().equals("HEAD"));
            }
            return false; // a response already under way cannot be repaired: just close
        }
    }

    /** A body may stall for the body timeout at most, and must average the minimum rate (see {@link ReadDeadline}). */
    private ReadDeadline bodyDeadline() {
        HttpServerConfig config = server.config();
        return config.bodyTimeout().isZero() ? null : ReadDeadline.atLeast(config.minBodyBytesPerSecond(), config.bodyTimeout());
    }

    private Handler route(String method, String path) throws HttpException {
        if (UploadHandler.matches(path)) {
            if (method.equals("PUT") || method.equals("POST")) {
                return server.uploads();
            }
            throw new MethodNotAllowed("PUT, POST");
        }
        if (!method.equals("GET") && !method.equals("HEAD")) {
            throw new MethodNotAllowed("GET, HEAD");
        }
        return path.startsWith(GeneratedHandler.PREFIX) ? server.generated() : server.files();
    }

    private void sendError(HttpException e, boolean close, boolean headOnly) throws IOException {
        unreadInput |= close;
        String extra = e instanceof MethodNotAllowed m ? "Allow: " + m.allowed() + "\r\n" : "";
        response.sendText(e.status(), e.status() + " " + Status.reason(e.status()) + ": " + e.getMessage() + "\n", extra, close, headOnly);
    }

    /** 405 with the methods the resource does allow. */
    private static final class MethodNotAllowed extends HttpException {
        private final String allowed;

        MethodNotAllowed(String allowed) {
            super(405, "allowed methods here: " + allowed, false);
            this.allowed = allowed;
        }

        String allowed() {
            return allowed;
        }
    }
}
