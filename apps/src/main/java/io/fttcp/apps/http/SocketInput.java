package io.fttcp.apps.http;

import io.fttcp.api.AppRuntime;
import io.fttcp.api.StreamSocket;

import java.io.EOFException;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Buffered reading from a blocking {@link StreamSocket}: header lines out of a reused buffer,
 * and body bytes (drained from the buffer first, then straight from the socket into the
 * caller's buffer, so large bodies are not copied twice).
 *
 * <p>Each read from the socket waits as long as the part of the request being read allows
 * ({@link #awaitRequest}, {@link #readBody}): a request that has begun and does not arrive in
 * time is answered 408. Time is the runtime's clock and waits are the socket's read timeout, so
 * a backup replaying the connection reads the same values and makes the same decisions.
 */
final class SocketInput {

    private final StreamSocket socket;
    private final ByteBuffer buffer;
    private final AppRuntime runtime;
    /** The longest any read waits ({@link Duration#ZERO}: no limit). */
    private final Duration idleTimeout;
    /** Waiting for a request's first byte: a timeout then is an idle connection ending, not a late request. */
    private boolean awaitingFirstByte;
    private Duration firstByteWait = Duration.ZERO;
    /** What bounds the reads of the part being read once it has begun; null: only the idle timeout. */
    private ReadDeadline deadline;
    /**
     * The last read filled all the room it was given: the client's bytes are waiting for us, so it
     * keeps ahead of any minimum rate, and the next read skips the clock (on a protected primary
     * each reading is a logged record: one per read of an upload cut its throughput by a third).
     * Its bytes are credited at the next reading.
     */
    private boolean backlogged;
    private String part = "request head";
    private Duration readTimeout;

    SocketInput(StreamSocket socket, int capacity, AppRuntime runtime, Duration idleTimeout) {
        this.socket = socket;
        this.buffer = ByteBuffer.allocate(capacity).flip(); // read mode, empty
        this.runtime = runtime;
        this.idleTimeout = idleTimeout;
    }

    /**
     * The next request head is to be read: its first byte may take {@code firstByteWait}
     * (ZERO: no limit), then the rest keeps to {@code headDeadline} (null: none). Bytes already
     * buffered are its first.
     */
    void awaitRequest(Duration firstByteWait, ReadDeadline headDeadline) {
        this.awaitingFirstByte = !buffer.hasRemaining();
        this.backlogged = false;
        this.firstByteWait = firstByteWait;
        this.deadline = headDeadline;
        this.part = "request head";
    }

    /** A request body is to be read, keeping to {@code bodyDeadline} (null: none, only the idle timeout). */
    void readBody(ReadDeadline bodyDeadline) {
        this.awaitingFirstByte = false;
        this.backlogged = false;
        this.deadline = bodyDeadline;
        this.part = "request body";
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
    int read(ByteBuffer dst, long max) throws IOException, HttpException {
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
            return socketRead(dst);
        } finally {
            dst.limit(savedLimit);
        }
    }

    /** Like {@link #read} but end of stream is an error: the peer promised more bytes. */
    int readSome(ByteBuffer dst, long max) throws IOException, HttpException {
        int n = read(dst, max);
        if (n < 0) {
            throw new EOFException("connection closed before the end of the request body");
        }
        return n;
    }

    /** Moves unread bytes to the front and reads more from the socket; -1 at end of stream. */
    private int fill() throws IOException, HttpException {
        if (!buffer.hasRemaining()) {
            buffer.clear();
        } else {
            buffer.compact();
        }
        try {
            if (!buffer.hasRemaining()) {
                return 0; // full; the caller's length check decides
            }
            return socketRead(buffer);
        } finally {
            buffer.flip();
        }
    }

    /**
     * One read from the socket, waiting no longer than the part being read has left.
     *
     * @throws HttpException 408 when the part has begun and its time ran out
     * @throws SocketTimeoutException when no request began within the wait for its first byte
     */
    private int socketRead(ByteBuffer dst) throws IOException, HttpException {
        Duration wait;
        if (awaitingFirstByte) {
            wait = firstByteWait;
        } else if (deadline != null && backlogged) {
            wait = readTimeout; // set by the last reading of the clock, and still no longer than the idle timeout
        } else if (deadline != null) {
            long allowed = deadline.allowedWait(runtime.nanoTime());
            if (allowed <= 0) {
                throw timedOut();
            }
            wait = shorter(Duration.ofNanos(allowed), idleTimeout);
        } else {
            wait = idleTimeout;
        }
        if (!wait.equals(readTimeout)) {
            socket.setReadTimeout(wait);
            readTimeout = wait;
        }
        int n;
        try {
            n = socket.read(dst);
        } catch (SocketTimeoutException e) {
            if (awaitingFirstByte) {
                throw e;
            }
            throw timedOut();
        }
        backlogged = n > 0 && !dst.hasRemaining() && readTimeout != null;
        if (n > 0) {
            awaitingFirstByte = false;
            if (deadline != null) {
                deadline.received(n);
            }
        }
        return n;
    }

    private HttpException timedOut() {
        return new HttpException(408, "the " + part + " did not arrive in time", true);
    }

    /** The shorter of two waits, ZERO being no limit. */
    static Duration shorter(Duration a, Duration b) {
        if (a.isZero()) {
            return b;
        }
        return b.isZero() || a.compareTo(b) <= 0 ? a : b;
    }
}
