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
 * @param bodyTimeout the longest a request body may stall, and how far behind {@code minBodyBytesPerSecond} it
 *     may fall, else 408 and close (see {@link ReadDeadline}); ZERO: no limit
 * @param minBodyBytesPerSecond the slowest a request body may arrive on average (a trickle holds a connection,
 *     a thread and buffers for as long as it lasts); 0: no minimum, only {@code bodyTimeout} between bytes
 */
public record HttpServerConfig(Path root, Path uploadDir, long maxUploadBytes, Duration idleTimeout, int bufferSize, int backlog,
                               Duration requestHeadTimeout, Duration bodyTimeout, long minBodyBytesPerSecond) {

    public static final int DEFAULT_BUFFER_SIZE = 64 * 1024;
    /** As nginx's client_header_timeout and client_body_timeout. */
    public static final Duration DEFAULT_REQUEST_HEAD_TIMEOUT = Duration.ofSeconds(60);
    public static final Duration DEFAULT_BODY_TIMEOUT = Duration.ofSeconds(60);
    /** As Apache's mod_reqtimeout (MinRate=500): far below any real client's link, far above a byte a minute. */
    public static final long DEFAULT_MIN_BODY_BYTES_PER_SECOND = 500;
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
        checkRequestTimeout("bodyTimeout", bodyTimeout);
        if (minBodyBytesPerSecond < 0) {
            throw new IllegalArgumentException("minBodyBytesPerSecond must not be negative: " + minBodyBytesPerSecond);
        }
    }

    private static void checkRequestTimeout(String name, Duration timeout) {
        if (timeout == null || timeout.isNegative() || timeout.compareTo(LONGEST_REQUEST_TIMEOUT) > 0) {
            throw new IllegalArgumentException(name + " must be zero (no limit) up to 1 day: " + timeout);
        }
    }

    /**
     * Serves {@code root} (may be null), discards uploads, no upload limit, 5 minutes idle timeout,
     * 60 s for a request head, a body at least 500 bytes/s and never stalled 60 s.
     */
    public static HttpServerConfig serving(Path root) {
        return new HttpServerConfig(root, null, Long.MAX_VALUE, Duration.ofMinutes(5), DEFAULT_BUFFER_SIZE, 1024,
                DEFAULT_REQUEST_HEAD_TIMEOUT, DEFAULT_BODY_TIMEOUT, DEFAULT_MIN_BODY_BYTES_PER_SECOND);
    }

    public HttpServerConfig withUploadDir(Path dir) {
        return new HttpServerConfig(root, dir, maxUploadBytes, idleTimeout, bufferSize, backlog, requestHeadTimeout, bodyTimeout, minBodyBytesPerSecond);
    }

    public HttpServerConfig withMaxUploadBytes(long max) {
        return new HttpServerConfig(root, uploadDir, max, idleTimeout, bufferSize, backlog, requestHeadTimeout, bodyTimeout, minBodyBytesPerSecond);
    }

    public HttpServerConfig withIdleTimeout(Duration timeout) {
        return new HttpServerConfig(root, uploadDir, maxUploadBytes, timeout, bufferSize, backlog, requestHeadTimeout, bodyTimeout, minBodyBytesPerSecond);
    }

    public HttpServerConfig withBufferSize(int size) {
        return new HttpServerConfig(root, uploadDir, maxUploadBytes, idleTimeout, size, backlog, requestHeadTimeout, bodyTimeout, minBodyBytesPerSecond);
    }

    public HttpServerConfig withBacklog(int n) {
        return new HttpServerConfig(root, uploadDir, maxUploadBytes, idleTimeout, bufferSize, n, requestHeadTimeout, bodyTimeout, minBodyBytesPerSecond);
    }

    public HttpServerConfig withRequestHeadTimeout(Duration timeout) {
        return new HttpServerConfig(root, uploadDir, maxUploadBytes, idleTimeout, bufferSize, backlog, timeout, bodyTimeout, minBodyBytesPerSecond);
    }

    /** The body's stall limit and minimum rate (see {@link #bodyTimeout} and {@link #minBodyBytesPerSecond}). */
    public HttpServerConfig withBodyPace(Duration timeout, long minBytesPerSecond) {
        return new HttpServerConfig(root, uploadDir, maxUploadBytes, idleTimeout, bufferSize, backlog, requestHeadTimeout, timeout, minBytesPerSecond);
    }
}
