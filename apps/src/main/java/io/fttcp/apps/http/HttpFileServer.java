package io.fttcp.apps.http;

import io.fttcp.api.AppRuntime;
import io.fttcp.apps.AcceptLoop;
import io.fttcp.api.ListeningSocket;
import io.fttcp.api.Network;
import io.fttcp.api.StreamSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadFactory;

/**
 * An HTTP/1.1 file server on the socket interface: blocking calls, one virtual thread per
 * connection, keep-alive.
 *
 * <ul>
 *   <li>{@code GET|HEAD /path}: a file under the root directory (single byte ranges honoured);</li>
 *   <li>{@code GET|HEAD /gen/<bytes>?seed=<n>}: {@link Generator} bytes, no disk involved;</li>
 *   <li>{@code PUT|POST /upload[/name]}: answers {@code sha256=<hex> bytes=<n>} of the body.</li>
 * </ul>
 */
public final class HttpFileServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(HttpFileServer.class);
    private static final Duration DEFAULT_GRACE = Duration.ofSeconds(5);

    private final HttpServerConfig config;
    private final ListeningSocket listener;
    private final FileHandler files;
    private final GeneratedHandler generated = new GeneratedHandler();
    private final UploadHandler uploads;
    private final BufferPool pool;
    private final AppRuntime runtime;
    private final Set<HttpConnection> connections = ConcurrentHashMap.newKeySet();
    private final ThreadFactory connectionThreads = Thread.ofVirtual().name("http-conn-", 0).factory();
    private final Thread acceptor;
    private volatile boolean stopping;

    private HttpFileServer(ListeningSocket listener, HttpServerConfig config, AppRuntime runtime) throws IOException {
        this.config = config;
        this.runtime = runtime;
        this.listener = listener;
        this.files = new FileHandler(config.root());
        this.pool = new BufferPool(config.bufferSize(), 256);
        this.uploads = new UploadHandler(config.uploadDir(), pool, runtime);
        this.acceptor = Thread.ofVirtual().name("http-accept-" + listener.localAddress().getPort()).unstarted(this::acceptLoop);
    }

    /** Listens on {@code address} of {@code network} and starts serving. */
    public static HttpFileServer start(Network network, InetSocketAddress address, HttpServerConfig config) throws IOException {
        if (config.root() != null && !java.nio.file.Files.isDirectory(config.root())) {
            throw new IOException("root directory does not exist or is not a directory: " + config.root());
        }
        Path uploadDir = config.uploadDir();
        if (uploadDir != null) { // said now, not as a failure of every upload
            if (java.nio.file.Files.exists(uploadDir) && !java.nio.file.Files.isDirectory(uploadDir)) {
                throw new IOException("upload directory is not a directory: " + uploadDir);
            }
            java.nio.file.Files.createDirectories(uploadDir);
            if (!java.nio.file.Files.isWritable(uploadDir)) throw new IOException("upload directory is not writable: " + uploadDir);
        }
        ListeningSocket listener = network.listen(address, config.backlog());
        HttpFileServer server;
        try {
            server = new HttpFileServer(listener, config, network.runtime());
        } catch (IOException | RuntimeException e) {
            listener.close();
            throw e;
        }
        server.acceptor.start();
        log.info("HTTP file server listening on {} (root {}, uploads {})", server.localAddress(),
                config.root() == null ? "none" : config.root(), config.uploadDir() == null ? "discarded" : config.uploadDir());
        return server;
    }

    /** The runtime of the network the server runs on: its clock stamps the Date header. */
    AppRuntime runtime() {
        return runtime;
    }

    public InetSocketAddress localAddress() {
        return listener.localAddress();
    }

    public HttpServerConfig config() {
        return config;
    }

    /** Connections currently open. */
    public int connectionCount() {
        return connections.size();
    }

    private void acceptLoop() {
        AcceptLoop.run(listener, () -> stopping, connectionThreads, new AcceptLoop.Sessions() {
            @Override
            public Runnable open(StreamSocket socket) {
                HttpConnection connection = new HttpConnection(HttpFileServer.this, socket, pool);
                connections.add(connection);
                return connection;
            }

            @Override
            public void abandon(StreamSocket socket, Runnable session) {
                HttpConnection connection = (HttpConnection) session;
                connection.close();
                connections.remove(connection);
            }
        }, log);
    }

    /** Stops gracefully, giving requests in progress up to 5 seconds to finish. */
    public void stop() {
        stop(DEFAULT_GRACE);
    }

    /**
     * Stops accepting, closes idle connections at once, lets requests in progress finish for up
     * to {@code grace}, then closes whatever is left.
     */
    public void stop(Duration grace) {
        if (stopping) {
            return;
        }
        stopping = true;
        try {
            listener.close();
        } catch (IOException e) {
            log.debug("closing listener: {}", e.toString());
        }
        long deadline = System.nanoTime() + grace.toNanos();
        while (!connections.isEmpty() && System.nanoTime() < deadline) {
            for (HttpConnection connection : connections) {
                if (connection.isIdle()) {
                    connection.close();
                }
            }
            sleepQuietly(10);
        }
        for (HttpConnection connection : connections) {
            connection.close();
        }
        try {
            acceptor.join(grace.toMillis() + 1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        log.info("HTTP file server on {} stopped", localAddress());
    }

    @Override
    public void close() {
        stop();
    }

    boolean isStopping() {
        return stopping;
    }

    void forget(HttpConnection connection) {
        connections.remove(connection);
    }

    FileHandler files() {
        return files;
    }

    GeneratedHandler generated() {
        return generated;
    }

    UploadHandler uploads() {
        return uploads;
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
