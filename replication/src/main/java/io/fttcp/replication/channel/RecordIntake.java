package io.fttcp.replication.channel;

import io.fttcp.replication.codec.ReplicationProtocolException;
import io.fttcp.replication.codec.RosterEntry;
import io.fttcp.replication.record.Record;
import io.fttcp.replication.stream.StreamReceiver;

import java.util.ArrayList;
import java.util.List;

/**
 * The receiving half of a channel that takes records (a backup, or a logger taking a primary's
 * stream): takes a catch-up when the sender announces one, and hands records to the owner in
 * batches of consecutive LSNs (a catch-up's gaps split its batches). Reader thread only, but
 * {@link #deliveredLsn()}.
 */
final class RecordIntake {
    private final ReplicationChannel channel;
    private final ChannelListener listener;
    private final StreamReceiver receiver;
    private List<Record> batch = new ArrayList<>();
    private long batchFirstLsn;
    private volatile long deliveredLsn;
    private boolean catchUpAnnounced;
    /** A record (or CAUGHT_UP) came: a roster frame now is out of place. */
    private boolean rosterClosed;

    RecordIntake(long heldLsn, ReplicationChannel channel, ChannelListener listener) {
        this.channel = channel;
        this.listener = listener;
        this.deliveredLsn = heldLsn;
        this.receiver = new StreamReceiver(heldLsn, this::take);
    }

    /**
     * Arms a catch-up when the sender announced one: we hold nothing and it continues from an
     * LSN above 1 (it dropped records as stable).
     *
     * @return whether a catch-up comes first
     */
    boolean armCatchUpIfAnnounced(long senderNextLsn) {
        if (receiver.lastLsn() != 0 || senderNextLsn <= 1) {
            return false;
        }
        receiver.expectCatchUp(senderNextLsn);
        catchUpAnnounced = true;
        return true;
    }

    /** The last LSN received in order (what an acknowledgement may cover once delivered). */
    long receivedLsn() {
        return receiver.lastLsn();
    }

    /** The last LSN handed to the owner (any thread). */
    long deliveredLsn() {
        return deliveredLsn;
    }

    /** Right after the owner heard onConnected: without a catch-up, this is the one caught-up signal. */
    void afterConnected() {
        if (!catchUpAnnounced) {
            long held = receiver.lastLsn();
            channel.notifySafely(() -> listener.onCaughtUp(held));
        }
    }

    void receive(long lsn, Record record) throws ReplicationProtocolException {
        rosterClosed = true;
        receiver.receive(lsn, record);
    }

    /** ROSTER: only within an announced catch-up, before its first record. */
    void roster(long lsn, List<RosterEntry> entries) throws ReplicationProtocolException {
        requireBeforeCatchUpRecords("ROSTER", lsn);
        channel.notifySafely(() -> listener.onRoster(entries));
    }

    /** INCOMPLETE: as a roster, only within an announced catch-up, before its first record. */
    void incomplete(long lsn) throws ReplicationProtocolException {
        requireBeforeCatchUpRecords("INCOMPLETE", lsn);
        channel.notifySafely(() -> listener.onIncomplete(lsn));
    }

    private void requireBeforeCatchUpRecords(String kind, long lsn) throws ReplicationProtocolException {
        if (!catchUpAnnounced || rosterClosed) {
            throw new ReplicationProtocolException(kind + " frame (LSN " + lsn + ") " + (catchUpAnnounced ? "after the catch-up's first record" : "without a catch-up"));
        }
    }

    /** CAUGHT_UP: the catch-up's records go to the owner first, then the signal. */
    void caughtUp(long lsn) throws ReplicationProtocolException {
        rosterClosed = true;
        deliver();
        receiver.caughtUp(lsn);
        deliveredLsn = lsn;
        channel.notifySafely(() -> listener.onCaughtUp(lsn));
    }

    boolean ackDue() {
        return receiver.ackDue();
    }

    long takeAck() {
        return receiver.takeAck();
    }

    private void take(long lsn, Record record) {
        if (!batch.isEmpty() && lsn != batchFirstLsn + batch.size()) {
            deliver();
        }
        if (batch.isEmpty()) {
            batchFirstLsn = lsn;
        }
        batch.add(record);
    }

    /** Hands the current batch to the owner. */
    void deliver() {
        if (batch.isEmpty()) {
            return;
        }
        List<Record> records = batch;
        long first = batchFirstLsn;
        batch = new ArrayList<>();
        deliveredLsn = first + records.size() - 1;
        channel.notifySafely(() -> listener.onRecords(first, records));
    }
}
