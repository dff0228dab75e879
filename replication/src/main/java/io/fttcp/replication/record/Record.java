package io.fttcp.replication.record;

/** One entry of the replication stream. Its LSN is assigned by the stream, not stored here. */
public sealed interface Record permits Connect, Segment, Accept, Read, Ready, Write, Clock, Seed, Close, Heartbeat, Checkpoint {
}
