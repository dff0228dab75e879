/**
 * The records of DESIGN.md section 3: one LSN-ordered stream per primary, written by its
 * south-side wrapper (CONNECT, SEGMENT) and north-side wrapper (ACCEPT, READ, READY, WRITE,
 * CLOCK, SEED, CLOSE, CHECKPOINT), plus HEARTBEAT. A record is <em>stable</em> once the backup or logger
 * acknowledged its LSN.
 *
 * <p>Connections are named by their four-tuple as the primary's stack sees it (local = the
 * service address). Listeners are named by a four-tuple with remote address and port 0.
 * Record values are immutable; their byte arrays are owned by the record.
 */
package io.fttcp.replication.record;
