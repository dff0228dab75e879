package io.fttcp.roles.logger;

import io.fttcp.replication.log.LogCursor;
import io.fttcp.replication.log.RecordLog;
import io.fttcp.replication.record.LoggedRecord;
import io.fttcp.replication.record.Record;
import io.fttcp.replication.record.Segment;
import io.fttcp.replication.retention.LiveRecordSet;
import io.fttcp.replication.retention.RetentionPolicy;
import io.fttcp.roles.BlankSegments;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * What the logger keeps in memory of a cluster's log: only what retention decides by. Its
 * {@link LiveRecordSet} is fed each record as it is, but a SEGMENT with its payload replaced by
 * zeros of the same length, shared ({@link BlankSegments}): the rules read a payload's length, never
 * its bytes, so they decide exactly as with the real records, while a long upload on a live
 * connection costs the logger's heap a few dozen bytes per segment instead of its bytes.
 *
 * <p>A fetch takes the set's snapshot and reads each SEGMENT back from the log as it sends it
 * ({@link #catchUp}, {@link LogCatchUp}): one pass in LSN order from the first; every retained
 * record is at or above {@link LiveRecordSet#oldestRetainedLsn()}, and the log keeps the
 * segments from there.
 *
 * <p>Not thread-safe (the cluster's lock guards it).
 */
final class RetainedIndex {
    private final LiveRecordSet decisions;
    private final BlankSegments blanks = new BlankSegments();

    RetainedIndex(RetentionPolicy policy, int lingeringConnections, long lingeringPayloadBytes) {
        this.decisions = new LiveRecordSet(policy, lingeringConnections, lingeringPayloadBytes);
    }

    /** The next record of the log. */
    void add(long lsn, Record record) {
        decisions.add(lsn, blanks.blank(record));
    }

    /**
     * The retained records through {@code throughLsn}, as {@link LiveRecordSet#snapshot} gives
     * them from the real records, to be read as they are sent: SEGMENTs come back from {@code
     * log}, through a cursor made now (call with the log at hand, not being appended to).
     */
    LogCatchUp catchUp(RecordLog log, long throughLsn) throws IOException {
        List<LoggedRecord> plan = decisions.snapshot(throughLsn);
        LogCursor cursor = null;
        for (LoggedRecord r : plan) {
            if (r.record() instanceof Segment s && s.payload().length > 0) {
                cursor = log.read(r.lsn());
                break;
            }
        }
        return new LogCatchUp(plan, cursor, log.directory());
    }

    /** As {@link #catchUp}, all read now (tests; a recovery reads them as it sends them). */
    List<LoggedRecord> snapshot(RecordLog log, long throughLsn) throws IOException {
        List<LoggedRecord> out = new ArrayList<>();
        try (LogCatchUp source = catchUp(log, throughLsn)) {
            for (LoggedRecord r; (r = source.next()) != null; ) out.add(r);
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        return out;
    }

    static boolean sameButPayload(Segment s, Segment blank) {
        return s.tuple().equals(blank.tuple()) && s.seq() == blank.seq() && s.ack() == blank.ack() && s.flags() == blank.flags()
                && s.payload() != null && s.payload().length == blank.payload().length;
    }

    long oldestRetainedLsn() {
        return decisions.oldestRetainedLsn();
    }

    int liveConnections() {
        return decisions.liveConnections();
    }

    long retainedRecords() {
        return decisions.retainedRecords();
    }

    /** Client bytes the retained records stand for (on disk, not here). */
    long retainedPayloadBytes() {
        return decisions.retainedPayloadBytes();
    }
}
