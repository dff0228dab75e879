package io.fttcp.stack.tcp;

import java.nio.ByteBuffer;

/**
 * One TCP connection as a sans-I/O state machine (RFC 9293 and the RFCs listed in the module
 * README). Every method takes {@code now} (nanoseconds, monotonic) and runs to completion:
 * segments to send go out through {@link TcpOutput} during the call, changes the socket layer
 * cares about through {@link TcpEvents}. Not thread-safe: the host layer serializes calls.
 *
 * <p>Timers: after any call, {@link #nextDeadline()} says when {@link #onTimer} must be called
 * next (Long.MAX_VALUE: no timer armed). Calling onTimer early is harmless.
 *
 * <p>CONTRACT SKELETON: bodies are filled in by the TCP core work.
 */
public final class TcpConnection {

    /** Active open: sends a SYN and enters SYN_SENT. */
    public static TcpConnection connect(TcpConfig config, FourTuple tuple, int iss, long now, TcpOutput output, TcpEvents events) {
        throw new UnsupportedOperationException("TODO");
    }

    /**
     * Passive open from a received SYN (already validated by the listener): replies SYN-ACK and
     * enters SYN_RECEIVED.
     */
    public static TcpConnection accept(TcpConfig config, FourTuple tuple, TcpSegment syn, int iss, long now, TcpOutput output, TcpEvents events) {
        throw new UnsupportedOperationException("TODO");
    }

    /**
     * Passive open completed statelessly (SYN cookie): {@code ack} is the handshake's final ACK;
     * {@code iss} and the peer's {@code irs}, {@code peerMss}, window shift (-1: none), SACK and
     * timestamp flags come from the cookie. Enters ESTABLISHED and processes any data on the ACK.
     */
    public static TcpConnection fromCookie(TcpConfig config, FourTuple tuple, TcpSegment ack, int iss, int irs, int peerMss,
                                           int peerWindowShift, boolean sackOk, boolean timestampsOk, long now, TcpOutput output, TcpEvents events) {
        throw new UnsupportedOperationException("TODO");
    }

    /** Repair: creates the connection directly from a checkpoint, without a handshake. Sends nothing by itself. */
    public static TcpConnection restore(TcpConfig config, TcpCheckpoint checkpoint, long now, TcpOutput output, TcpEvents events) {
        throw new UnsupportedOperationException("TODO");
    }

    /** Processes one received segment addressed to this connection. */
    public void onSegment(TcpSegment segment, long now) {
        throw new UnsupportedOperationException("TODO");
    }

    /** Runs expired timers (retransmission, delayed ACK, persist, keepalive, TIME-WAIT). */
    public void onTimer(long now) {
        throw new UnsupportedOperationException("TODO");
    }

    /** When onTimer must next be called; Long.MAX_VALUE if no timer is armed. */
    public long nextDeadline() {
        throw new UnsupportedOperationException("TODO");
    }

    /** Queues bytes from {@code src} for sending; returns how many fit in the send buffer (may be 0). */
    public int write(ByteBuffer src, long now) {
        throw new UnsupportedOperationException("TODO");
    }

    /** Reads received bytes into {@code dst}; returns the count, 0 if none, -1 at end of stream. */
    public int read(ByteBuffer dst, long now) {
        throw new UnsupportedOperationException("TODO");
    }

    /** Sends FIN after queued data (half-close). */
    public void shutdownOutput(long now) {
        throw new UnsupportedOperationException("TODO");
    }

    /** Orderly close: shutdownOutput, and unread or later input is discarded (RST if data was unread, like Linux). */
    public void close(long now) {
        throw new UnsupportedOperationException("TODO");
    }

    /** Abortive close: sends RST, discards everything, ends in CLOSED. */
    public void abort(long now) {
        throw new UnsupportedOperationException("TODO");
    }

    /** Repair: the complete state, for restore elsewhere. */
    public TcpCheckpoint checkpoint(long now) {
        throw new UnsupportedOperationException("TODO");
    }

    public void setNagle(boolean on) { throw new UnsupportedOperationException("TODO"); }

    public void setKeepalive(boolean on, long now) { throw new UnsupportedOperationException("TODO"); }

    public FourTuple tuple() { throw new UnsupportedOperationException("TODO"); }

    public TcpState state() { throw new UnsupportedOperationException("TODO"); }

    /** Bytes readable now (excluding FIN). */
    public int readableBytes() { throw new UnsupportedOperationException("TODO"); }

    /** True when the peer's FIN was received and all data before it read. */
    public boolean isEndOfStream() { throw new UnsupportedOperationException("TODO"); }

    /** Free send-buffer space. */
    public int writableBytes() { throw new UnsupportedOperationException("TODO"); }

    /** True once the handshake completed (stays true after close). */
    public boolean isEstablished() { throw new UnsupportedOperationException("TODO"); }

    /** Statistics for tests and metrics. */
    public TcpStats stats() { throw new UnsupportedOperationException("TODO"); }
}
