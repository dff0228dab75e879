package io.fttcp.replication.channel;

import io.fttcp.replication.codec.Handshake;
import io.fttcp.replication.record.Record;

import java.util.List;

/**
 * What a replication channel reports to its owner. Calls come from the channel's reader thread
 * (except {@link #onClosed}, which comes from whichever thread closed it) and must return
 * quickly: the next frames wait for them. Every method but {@link #onClosed} has a no-op default.
 */
public interface ChannelListener {
    /** The handshake succeeded; {@code peer} is the other side's. */
    default void onConnected(Handshake peer) {
    }

    /**
     * Backup: records received, in LSN order from {@code firstLsn}; acknowledged once this
     * returns. The list is new for each batch and the listener's to keep.
     */
    default void onRecords(long firstLsn, List<Record> records) {
    }

    /** Primary: every LSN up to {@code stableLsn} is now stable. */
    default void onAck(long stableLsn) {
    }

    /** A heartbeat arrived; {@code peerLsn} is the peer's highest LSN (appended, or held). */
    default void onPeerHeartbeat(long peerLsn) {
    }

    /** The channel is closed; called exactly once. */
    void onClosed(CloseReason reason);
}
