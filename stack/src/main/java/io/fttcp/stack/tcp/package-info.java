/**
 * Sans-I/O TCP: one {@link io.fttcp.stack.tcp.TcpConnection} is a state machine fed segments,
 * timer ticks and user calls, each with the current time passed in; it emits segments through
 * {@link io.fttcp.stack.tcp.TcpOutput} and tells the socket layer what changed through
 * {@link io.fttcp.stack.tcp.TcpEvents}. No threads, clocks, sockets or packets (bytes on the
 * wire) here: the host layer parses and serializes. Time is in nanoseconds of an arbitrary
 * monotonic clock (real or simulated).
 *
 * <p>Covered: the RFC 9293 state machine (simultaneous open and close, half-close, TIME-WAIT,
 * acceptability tests, receiver and sender silly-window avoidance, zero-window probing, delayed
 * ACKs, Nagle); RFC 6298 retransmission timing with Karn's rule (also for timestamp echoes) and
 * backoff; RFC 5681 congestion control with CUBIC (RFC 9438, default) or NewReno (RFC 6582) fast
 * recovery; RFC 2018 SACK generation and RFC 6675 SACK-based recovery; RFC 7323 window scaling,
 * timestamps and PAWS; RFC 5961 challenge ACKs (rate limited); keepalive; retry limits.
 *
 * <p>Memory: buffers are chunked {@link io.fttcp.stack.tcp.ByteQueue}s allocated on demand and
 * recycled through a small shared pool; out-of-order data and the SACK scoreboard exist only while
 * needed, so an idle connection is a few hundred bytes.
 *
 * <p>Emitted payloads are views of the send buffer (or of a per-thread scratch buffer when a
 * segment spans two chunks): copy them during {@link io.fttcp.stack.tcp.TcpOutput#transmit}
 * before running any other connection on the same thread.
 *
 * <p>This package knows nothing of fault tolerance. Its repair API
 * ({@link io.fttcp.stack.tcp.TcpCheckpoint}, {@code restore}, {@code retransmitNow},
 * {@code sendAck}) is generic, like Linux TCP_REPAIR.
 */
package io.fttcp.stack.tcp;
