/**
 * The replication stream's wire format: {@link io.fttcp.replication.codec.FrameEncoder} writes
 * record frames (one {@link io.fttcp.replication.record.Record} and its LSN) and control frames
 * (HANDSHAKE, REJECT, ACK, CHANNEL_HEARTBEAT, CAUGHT_UP) into caller buffers without allocating;
 * {@link io.fttcp.replication.codec.FrameDecoder} reads them back from a stream of partial
 * buffers, and anything that is not exactly what an encoder writes is a
 * {@link io.fttcp.replication.codec.CorruptRecordException} naming what and where. Layout in
 * {@link io.fttcp.replication.codec.FrameFormat}; bodies in {@link io.fttcp.replication.codec.FrameEncoder}.
 */
package io.fttcp.replication.codec;
