package io.fttcp.replication.channel;

import io.fttcp.replication.codec.Handshake;
import io.fttcp.replication.codec.RosterEntry;
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
     * Backup (or logger): records received, with consecutive LSNs from {@code firstLsn}; a backup
     * acknowledges them once this returns (a logger when its owner says they are stored). During
     * a catch-up, LSNs have gaps: each run of consecutive LSNs is its own batch. The list is new
     * for each batch and the listener's to keep.
     */
    default void onRecords(long firstLsn, List<Record> records) {
    }

    /**
     * Backup (or logger): this side holds everything it needs up to {@code lsn}, and records
     * continue contiguously from {@code lsn + 1}. After a catch-up (this side started empty and
     * the primary had already dropped records as stable), called once the catch-up's records
     * were delivered through {@link #onRecords}, when the primary's CAUGHT_UP arrives; without
     * one (nothing was dropped, or this side resumed from records it held), called right after
     * {@link #onConnected} with the last LSN held. So every connection gives exactly one signal.
     */
    default void onCaughtUp(long lsn) {
    }

    /**
     * Backup (or logger) being caught up: part of the catch-up's roster, the connections it
     * covers ({@link io.fttcp.replication.codec.FrameKind#ROSTER}), before any of its records. A
     * backup whose catch-up breaks off resets the clients of those it never got records of.
     */
    default void onRoster(List<RosterEntry> entries) {
    }

    /**
     * Recovering server: the logger's records through {@code lsn} are incomplete
     * ({@link io.fttcp.replication.codec.FrameKind#INCOMPLETE}), before any of them: restore none
     * of the connections they name, and reset their clients.
     */
    default void onIncomplete(long lsn) {
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
