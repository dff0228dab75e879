/**
 * The replication connection over the kernel's TCP between the replicas' own addresses. A
 * backup connects ({@link io.fttcp.replication.channel.BackupChannel}) and the primary accepts
 * ({@link io.fttcp.replication.channel.PrimaryChannel#open}); a primary dials a logger
 * ({@link io.fttcp.replication.channel.PrimaryChannel#connect}), which listens and serves
 * several primaries ({@link io.fttcp.replication.channel.LoggerChannel}, its owner being a
 * {@link io.fttcp.replication.channel.LoggerSessions}). A handshake checks protocol, roles,
 * cluster id, epoch and LSNs; then record frames flow to the backup or logger, ACKs back,
 * heartbeats both ways. The primary's sender thread writes records in batches, as Nagle's
 * algorithm does: while frames are in flight, what is appended waits for their acknowledgement
 * and goes in one batch (a batch's worth goes at once, and so does what a client waits for: a
 * small WRITE, a CONNECT, a CLOSE;
 * {@link io.fttcp.replication.channel.PrimaryChannel#append}).
 *
 * <p>Catch-up: a peer that holds nothing, joining a primary whose stream already dropped
 * records as stable, first gets the retained records of the live connections (LSNs with gaps),
 * then CAUGHT_UP, then the stream; {@link io.fttcp.replication.channel.ChannelListener#onCaughtUp}
 * marks the point on every connection. A recovering server fetches from a logger the same way,
 * with a plain BackupChannel.
 *
 * <p>Failure detection ({@link io.fttcp.replication.channel.FailureDetector}) and the primary's
 * fencing {@link io.fttcp.replication.channel.Lease} are sans-I/O; their defaults and the rule
 * tying them are documented on those classes and {@link io.fttcp.replication.channel.ChannelConfig}.
 * A logger acknowledges records only once stored, but answers heartbeats at once, so the lease
 * never waits for its disk.
 */
package io.fttcp.replication.channel;
