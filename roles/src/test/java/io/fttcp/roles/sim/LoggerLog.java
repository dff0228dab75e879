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
 * ({@link #newGeneration}): its catch-up replaces everything held, with the LSNs between its
 * records (and below the first) filled with empty heartbeats, as the logger's log does.
 */
final class LoggerLog {
    private final ArrayList<Record> records = new ArrayList<>();

    private static final Heartbeat GAP = new Heartbeat(0, List.of());
    /** A new generation's catch-up is arriving: LSNs may skip ahead (filled with gaps). */
    private boolean catchingUp;
    int generations;

    /** A re-joining primary's catch-up replaces everything held. */
    void newGeneration() {
        records.clear();
        catchingUp = true;
        generations++;
    }

    /** The catch-up ended at {@code lsn}: held up to there, and contiguous from here on. */
    void caughtUp(long lsn) {
        while (records.size() < lsn) records.add(GAP);
        catchingUp = false;
    }

    /** The next record received (the link's consumer): LSNs must follow on. */
    void received(long lsn, Record record) {
        if (catchingUp) {
            while (records.size() + 1L < lsn) records.add(GAP);
        }
        if (lsn != records.size() + 1L) {
            throw new IllegalStateException("the logger received LSN " + lsn + " after " + records.size());
        }
        records.add(record);
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
