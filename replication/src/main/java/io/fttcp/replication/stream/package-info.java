/**
 * The replication stream without I/O: {@link io.fttcp.replication.stream.RecordStream} on the
 * primary (LSNs, batches, cumulative acknowledgements, stability callbacks) and
 * {@link io.fttcp.replication.stream.StreamReceiver} on the backup (strict LSN order, what to
 * acknowledge), both with the catch-up of a peer that starts empty (retained records with
 * gaps, then CAUGHT_UP). The channel package drives them over a socket; a simulation can drive
 * them over a simulated network.
 */
package io.fttcp.replication.stream;
