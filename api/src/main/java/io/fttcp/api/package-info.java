/**
 * The application-facing socket interface.
 *
 * <p>Applications (the HTTP file server, echo, later real Java servers through the JDK's SPI)
 * are written against these interfaces only. Two implementations exist: the user-space stack's
 * own sockets (unprotected), and the north-side wrapper's channels (protected: live on the
 * primary, replayed from records on the backup). An application therefore runs unchanged
 * whether or not it is protected.
 *
 * <p>Semantics mirror {@code java.nio.channels}: channels start in blocking mode; in
 * non-blocking mode reads return 0 when no data is ready, writes may be partial, accept returns
 * null; end of stream is -1. Blocking calls park the calling thread (virtual threads park
 * cheaply). Readiness is observed through a {@link Poller}.
 */
package io.fttcp.api;
