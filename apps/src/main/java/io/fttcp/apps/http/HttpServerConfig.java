package io.fttcp.apps.http;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Settings of an {@link HttpFileServer}.
 *
 * @param root directory whose files are served, or null to serve only /gen and /upload
 * @param uploadDir where uploads are stored, or null to hash and discard them
 * @param maxUploadBytes larger request bodies are refused with 413
 * @param idleTimeout a connection idle this long between requests is closed, and no read inside one waits longer; ZERO: never
 * @param bufferSize bytes of the per-connection buffers (file streaming, request reading)
 * @param backlog established connections waiting for accept
 * @param requestHeadTimeout a request head must arrive within this from its first byte, else 408 and close (nginx's
 *     client_header_timeout); a new connection waits no longer than this for its first byte; ZERO: no limit
 */
public record HttpServerConfig(Path root, Path uploadDir, long maxUploadBytes, Duration idleTimeout, int bufferSize, int backlog,
                               Duration requestHeadTimeout) {

    public static final int DEFAULT_BUFFER_SIZE = 64 * 1024;
    /** As nginx's client_header_timeout. */
    public static final Duration DEFAULT_REQUEST_HEAD_TIMEOUT = Duration.ofSeconds(60);
    /** Longer is no request timing anyone means, and deadline arithmetic in nanoseconds stays far from overflow. */
    private static final Duration LONGEST_REQUEST_TIMEOUT = Duration.ofDays(1);

    public HttpServerConfig {
        root = root == null ? null : root.toAbsolutePath().normalize();
        uploadDir = uploadDir == null ? null : uploadDir.toAbsolutePath().normalize();
        if (maxUploadBytes < 0) {
            throw new IllegalArgumentException("maxUploadBytes must not be negative: " + maxUploadBytes);
        }
        if (idleTimeout == null || idleTimeout.isNegative()) {
            throw new IllegalArgumentException("idleTimeout must be zero or positive: " + idleTimeout);
        }
        if (bufferSize < 16 * 1024) {
            throw new IllegalArgumentException("bufferSize must be at least 16 KiB: " + bufferSize);
        }
        if (backlog < 1) {
            throw new IllegalArgumentException("backlog must be positive: " + backlog);
        }
        checkRequestTimeout("requestHeadTimeout", requestHeadTimeout);
    }

    private static void checkRequestTimeout(String name, Duration timeout) {
        if (timeout == null || timeout.isNegative() || timeout.compareTo(LONGEST_REQUEST_TIMEOUT) > 0) {
            throw new IllegalArgumentException(name + " must be zero (no limit) up to 1 day: " + timeout);
        }
    }

    /**
     * Serves {@code root} (may be null), discards uploads, no upload limit, 5 minutes idle timeout,
     * 60 s for a request head.
     */
    public static HttpServerConfig serving(Path root) {
        return new HttpServerConfig(root, null, Long.MAX_VALUE, Duration.ofMinutes(5), DEFAULT_BUFFER_SIZE, 1024,
                DEFAULT_REQUEST_HEAD_TIMEOUT);
    }

    public HttpServerConfig withUploadDir(Path dir) {
        return new HttpServerConfig(root, dir, maxUploadBytes, idleTimeout, bufferSize, backlog, requestHeadTimeout);
    }

    public HttpServerConfig withMaxUploadBytes(long max) {
        return new HttpServerConfig(root, uploadDir, max, idleTimeout, bufferSize, backlog, requestHeadTimeout);
    }

    public HttpServerConfig withIdleTimeout(Duration timeout) {
        return new HttpServerConfig(root, uploadDir, maxUploadBytes, timeout, bufferSize, backlog, requestHeadTimeout);
    }

    public HttpServerConfig withBufferSize(int size) {
        return new HttpServerConfig(root, uploadDir, maxUploadBytes, idleTimeout, size, backlog, requestHeadTimeout);
    }

    public HttpServerConfig withBacklog(int n) {
        return new HttpServerConfig(root, uploadDir, maxUploadBytes, idleTimeout, bufferSize, n, requestHeadTimeout);
    }

    public HttpServerConfig withRequestHeadTimeout(Duration timeout) {
        return new HttpServerConfig(root, uploadDir, maxUploadBytes, idleTimeout, bufferSize, backlog, timeout);
    }
}
