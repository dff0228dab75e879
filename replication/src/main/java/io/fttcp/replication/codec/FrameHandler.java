package io.fttcp.replication.codec;

import io.fttcp.replication.record.Record;

import java.util.List;

/**
 * Receives the frames a {@link FrameDecoder} decodes. A handler may throw to stop the stream
 * (records out of order, a frame the role does not expect); the frame is consumed either way.
 */
public interface FrameHandler {
    void onRecord(long lsn, Record record) throws ReplicationProtocolException;

    void onHandshake(Handshake handshake) throws ReplicationProtocolException;

    void onReject(String reason) throws ReplicationProtocolException;

    /** @param echoNanos the {@code sentAtNanos} of the latest primary heartbeat the backup had heard */
    void onAck(long lsn, long echoNanos) throws ReplicationProtocolException;

    /**
     * @param lsn         the sender's highest LSN (appended on the primary, held on the backup)
     * @param sentAtNanos the sender's monotonic clock
     * @param echoNanos   backup: {@code sentAtNanos} of the latest primary heartbeat it heard; primary: 0
     */
    void onHeartbeat(long lsn, long sentAtNanos, long echoNanos) throws ReplicationProtocolException;

    /**
     * The catch-up ended at {@code lsn}: records from {@code lsn + 1} on are contiguous. Only a
     * peer that announced a catch-up sends it, so a handler that never asks for one refuses it.
     */
    default void onCaughtUp(long lsn) throws ReplicationProtocolException {
        throw new ReplicationProtocolException("unexpected CAUGHT_UP frame (LSN " + lsn + "): no catch-up was announced");
    }

    /**
     * The catch-up's records through {@code lsn} are incomplete ({@link FrameKind#INCOMPLETE}),
     * before its roster and records. Only a logger serving a recovery sends it.
     */
    default void onIncomplete(long lsn) throws ReplicationProtocolException {
        throw new ReplicationProtocolException("unexpected INCOMPLETE frame (LSN " + lsn + "): no catch-up was announced");
    }

    /**
     * Part of a catch-up's roster ({@link FrameKind#ROSTER}), before its records. Only a peer
     * that announced a catch-up sends it, so a handler that never asks for one refuses it.
     */
    default void onRoster(long lsn, List<RosterEntry> entries) throws ReplicationProtocolException {
        throw new ReplicationProtocolException("unexpected ROSTER frame (LSN " + lsn + "): no catch-up was announced");
    }
}
