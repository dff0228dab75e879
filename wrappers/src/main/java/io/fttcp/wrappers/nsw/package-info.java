/**
 * The north-side wrapper (DESIGN.md §2-§4): the application's {@link io.fttcp.api.Network}
 * with two backings. On the primary, {@link io.fttcp.wrappers.nsw.LoggingNetwork} wraps the
 * stack's sockets and logs every nondeterministic result (ACCEPT, READ, WRITE, READY, CLOSE,
 * CLOCK, SEED) into the replication stream, and tells the south side which LSN each output
 * byte depends on. On the backup, {@link io.fttcp.wrappers.nsw.ReplayNetwork} feeds the same
 * application from those records (and the client's bytes from SEGMENT records) until
 * takeover, when {@link io.fttcp.wrappers.nsw.ReplayNetwork#goLive} switches every socket to
 * a live one restored by the stack's repair API.
 */
package io.fttcp.wrappers.nsw;
