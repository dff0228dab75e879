/**
 * The south-side wrapper (DESIGN.md §2-§4): between the link and the primary's stack, it logs
 * the client's segments (CONNECT, SEGMENT records), keeps every ACK the client sees within the
 * stable log, holds SYN-ACKs and uncommitted output until their records are stable, and goes
 * silent when fenced. A connection restored at takeover is protected from then on once
 * {@link io.fttcp.wrappers.ssw.SouthSideWrapper#adopt adopted} (re-protection); a backup's
 * wrapper before takeover can be set to pass everything through.
 * {@link io.fttcp.wrappers.ssw.SouthSideWrapper} is the entry point;
 * {@link io.fttcp.wrappers.ssw.RecordSink} is all it needs of the replication stream.
 */
package io.fttcp.wrappers.ssw;
