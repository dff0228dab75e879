/**
 * The replication connection over the kernel's TCP between the replicas' own addresses: the
 * backup connects ({@link io.fttcp.replication.channel.BackupChannel}), the primary accepts
 * ({@link io.fttcp.replication.channel.PrimaryChannel}); a handshake checks protocol, roles,
 * cluster id, epoch and LSNs; then record frames flow to the backup, ACKs back, heartbeats both
 * ways. Failure detection ({@link io.fttcp.replication.channel.FailureDetector}) and the
 * primary's fencing {@link io.fttcp.replication.channel.Lease} are sans-I/O; their defaults and
 * the rule tying them are documented on those classes and
 * {@link io.fttcp.replication.channel.ChannelConfig}.
 */
package io.fttcp.replication.channel;
