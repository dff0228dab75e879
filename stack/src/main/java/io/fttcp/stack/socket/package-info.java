/**
 * The user-space stack's implementation of the application-facing socket interface
 * ({@link io.fttcp.api}). Each call takes the host lock, calls into the sans-I/O host, and
 * waits on a condition of that lock when it must block; events from connections signal the
 * waiting sockets and pollers.
 */
package io.fttcp.stack.socket;
