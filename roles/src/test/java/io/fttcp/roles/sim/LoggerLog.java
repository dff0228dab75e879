package io.fttcp.roles.sim;

import io.fttcp.replication.record.Heartbeat;
import io.fttcp.replication.record.Record;

import java.util.ArrayList;
import java.util.List;

/**
 * The simulated logger's log: every record the far side of {@link SimReplicationLink} received,
 * LSN 1 onward, each once. A crash keeps a prefix ({@link #truncate}): what a durable log's
 * recovery finds, at least everything the logger acknowledged.
 *
 * <p>A primary that re-joins after serving unprotected starts a new generation
 * ({@link #newGeneration}): its catch-up replaces everything held once it is complete, with the
 * LSNs between its records (and below the first) filled with empty heartbeats, as the logger's
 * log does; into an empty log it goes directly. If the primary is lost before then
 * ({@link #catchUpBrokeOff}), the new generation is dropped and what is held is marked
 * incomplete, as the logger's {@code IncompleteMark}.
 */
final class LoggerLog {
    private ArrayList<Record> records = new ArrayList<>();
    /** A new generation while its catch-up arrives (null: none, or it goes into the empty log directly). */
    private ArrayList<Record> pending;

    private static final Heartbeat GAP = new Heartbeat(0, List.of());
    /** A new generation's catch-up is arriving: LSNs may skip ahead (filled with gaps). */
    private boolean catchingUp;
    int generations;
    /** The records through this LSN are incomplete (0: none): a catch-up broke off with its primary. */
    long incompleteThrough;
    /** A catch-up into an empty log broke off before its first record: nothing held, nothing marked (as the logger). */
    boolean brokeOffEmpty;
    /** Where the current generation's catch-up ended (0: none): the logger switches to it only once it is durable through here. */
    long caughtUpAt;

    /** A re-joining primary's catch-up replaces everything held, once complete. */
    void newGeneration() {
        pending = records.isEmpty() ? null : new ArrayList<>();
        catchingUp = true;
        generations++;
    }

    /** The catch-up ended at {@code lsn}: held up to there, and contiguous from here on. */
    void caughtUp(long lsn) {
        ArrayList<Record> target = pending != null ? pending : records;
        while (target.size() < lsn) target.add(GAP);
        if (pending != null) records = pending;
        pending = null;
        incompleteThrough = 0;
        caughtUpAt = lsn;
        catchingUp = false;
    }

    /** Whether a catch-up is arriving. */
    boolean catchingUp() {
        return catchingUp;
    }

    /** The primary was lost during its catch-up: the new generation is dropped, and what is held marked incomplete. */
    void catchUpBrokeOff() {
        if (!catchingUp) throw new IllegalStateException("no catch-up is arriving");
        pending = null;
        catchingUp = false;
        if (!records.isEmpty()) incompleteThrough = records.size();
        else brokeOffEmpty = true;
    }

    /** The next record received (the link's consumer): LSNs must follow on. */
    void received(long lsn, Record record) {
        ArrayList<Record> target = pending != null ? pending : records;
        if (catchingUp) {
            while (target.size() + 1L < lsn) target.add(GAP);
        }
        if (lsn != target.size() + 1L) {
            throw new IllegalStateException("the logger received LSN " + lsn + " after " + target.size());
        }
        target.add(record);
    }

    /** The highest LSN held (0 when empty). */
    long lastLsn() {
        return records.size();
    }

    /** The record of {@code lsn} (1 to {@link #lastLsn()}). */
    Record get(long lsn) {
        return records.get((int) (lsn - 1));
    }

    /** A crash: only LSNs 1 to {@code keep} survive. */
    void truncate(long keep) {
        if (keep < 0 || keep > records.size()) throw new IllegalArgumentException("keep " + keep + " of " + records.size());
        records.subList((int) keep, records.size()).clear();
    }

    /** LSNs 1 to {@code through}, a copy. */
    List<Record> prefix(long through) {
        return new ArrayList<>(records.subList(0, (int) through));
    }
}
