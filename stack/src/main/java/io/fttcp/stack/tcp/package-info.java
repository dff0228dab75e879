/**
 * Sans-I/O TCP: one {@link io.fttcp.stack.tcp.TcpConnection} is a state machine fed segments,
 * timer ticks and user calls, each with the current time passed in; it emits segments through
 * {@link io.fttcp.stack.tcp.TcpOutput} and tells the socket layer what changed through
 * {@link io.fttcp.stack.tcp.TcpEvents}. No threads, clocks, sockets or packets (bytes on the
 * wire) here: the host layer parses and serializes. Time is in nanoseconds of an arbitrary
 * monotonic clock (real or simulated).
 *
 * <p>This package knows nothing of fault tolerance. Its repair API
 * ({@link io.fttcp.stack.tcp.TcpCheckpoint}) is generic, like Linux TCP_REPAIR.
 */
package io.fttcp.stack.tcp;
