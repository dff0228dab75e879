package io.fttcp.roles.primary;

import io.fttcp.replication.record.Checkpoint;
import io.fttcp.replication.record.Close;
import io.fttcp.replication.record.Connect;
import io.fttcp.replication.record.LoggedRecord;
import io.fttcp.replication.record.Record;
import io.fttcp.replication.record.Segment;
import io.fttcp.replication.record.Write;
import io.fttcp.replication.retention.LiveRecordSet;
import io.fttcp.replication.retention.RetentionPolicy;
import io.fttcp.roles.BlankSegments;
import io.fttcp.stack.tcp.FourTuple;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The connections whose retained records the primary gave up ({@code replication.retention-limit}),
 * followed without their client bytes until each is finished or superseded: then no catch-up
 * needs anything from before the records kept anew, and protection can return.
 *
 * <p>A {@link LiveRecordSet} under CONNECTION_SCOPED rules, without lingering, is fed their
 * CONNECT, SEGMENT (with {@linkplain BlankSegments blank payloads}), WRITE and CLOSE records,
 * the only ones that decide when a connection is finished; it holds a few dozen bytes per
 * segment of theirs while they live. Only the connections live in a given-up set are followed:
 * one opened later is the fresh set's, and a CONNECT of a followed four-tuple supersedes the
 * followed incarnation (the new one is the fresh set's too). Records keep their order but are
 * numbered anew: only their order matters to liveness.
 *
 * <p>Not thread-safe (the replication log's monitor guards it).
 */
final class GivenUpConnections {
    /** Client bytes per blank segment standing for what a checkpoint says was read (see {@link #take}). */
    private static final int READ_FILL_BYTES = 1 << 20;

    private final LiveRecordSet ledger = new LiveRecordSet(RetentionPolicy.CONNECTION_SCOPED, 0, 0);
    private final BlankSegments blanks = new BlankSegments();
    /** Four-tuples whose incarnation in the ledger is live and still followed. */
    private final Set<FourTuple> followed = new HashSet<>();
    private long ledgerLsn;

    /**
     * Follows the connections live in a set being given up, from its snapshot. Its records of
     * them must decide their state as the whole stream would: under CONNECTION_SCOPED they are
     * all there. Under CHECKPOINTED, below the latest applied checkpoint (the snapshot's first
     * CHECKPOINT when {@code checkpointApplied}) a connection keeps only its CONNECT and some
     * SEGMENT records (rule C3); its entry in that checkpoint says the rest: every client byte
     * below the entry's read offset arrived (the application read it), so a blank fill stands
     * for those segments (the segments kept carry every byte from there on), a WRITE for its
     * output end, and a CLOSE if it was closed (fed at the checkpoint, after its kept segments,
     * so that its state is complete first; it was live there, so this CLOSE does not finish it).
     * A connection not accepted at the checkpoint has no entry and keeps all its segments.
     *
     * <p>(Not exact in one case: an entry marked closed naming the four-tuple of a connection not
     * accepted yet, a later incarnation of the one the application closed; matching ignores such
     * an entry, this reads it as the new incarnation's.)
     */
    void take(List<LoggedRecord> given, boolean checkpointApplied) {
        int checkpointAt = -1;
        Map<FourTuple, Checkpoint.Entry> entries = Map.of();
        if (checkpointApplied) {
            for (int i = 0; i < given.size() && checkpointAt < 0; i++) {
                if (given.get(i).record() instanceof Checkpoint c) {
                    checkpointAt = i;
                    entries = new HashMap<>();
                    for (Checkpoint.Entry e : c.connections()) entries.put(e.connection(), e);
                }
            }
        }
        List<FourTuple> closedAtCheckpoint = new ArrayList<>();
        for (int i = 0; i < given.size(); i++) {
            if (i == checkpointAt) {
                for (FourTuple t : closedAtCheckpoint) feed(t, new Close(t, Close.How.CLOSE));
            }
            Record record = given.get(i).record();
            FourTuple t = namedConnection(record);
            if (t == null) continue;
            if (record instanceof Connect c) {
                followed.add(t);
                feed(t, c);
                Checkpoint.Entry e = i < checkpointAt ? entries.get(t) : null;
                if (e != null) {
                    restoreBelowCheckpoint(c, e);
                    if (e.closed()) closedAtCheckpoint.add(t);
                }
            } else if (followed.contains(t)) {
                feed(t, record); // a record seen before (a fresh set's of a followed connection) changes nothing: all are idempotent
            }
        }
    }

    private void restoreBelowCheckpoint(Connect c, Checkpoint.Entry e) {
        FourTuple t = c.tuple();
        int base = c.clientIsn() + 1;
        for (long offset = 0; offset < e.readOffset(); offset += READ_FILL_BYTES) {
            int length = (int) Math.min(READ_FILL_BYTES, e.readOffset() - offset);
            feed(t, new Segment(t, base + (int) offset, 0, 0, 0, 0, 0, blanks.zeros(length))); // no ACK: acknowledgements come from the kept segments
        }
        if (e.outputOffset() > 0) feed(t, new Write(t, e.outputOffset() - 1, 1, 0));
    }

    /** The next record of the stream (after the given-up set's last). */
    void add(Record record) {
        FourTuple t = namedConnection(record);
        if (t == null || !followed.contains(t)) return;
        if (record instanceof Connect) {
            // Superseded: the new incarnation is the fresh set's. (The old one stays, unfed, in the ledger until it is dropped.)
            followed.remove(t);
            return;
        }
        feed(t, record);
    }

    /** Followed connections neither finished nor superseded. */
    int live() {
        return followed.size();
    }

    private void feed(FourTuple t, Record record) {
        int before = ledger.liveConnections();
        ledger.add(++ledgerLsn, blanks.blank(record));
        // Only a record naming t can finish t's incarnation (its CONNECT supersedes and adds one: no change).
        if (ledger.liveConnections() < before) followed.remove(t);
    }

    /** The connection a record naming one could finish or supersede, or null (other records decide nothing here). */
    private static FourTuple namedConnection(Record record) {
        FourTuple t = switch (record) {
            case Connect c -> c.tuple();
            case Segment s -> s.tuple();
            case Write w -> w.connection();
            case Close c -> c.socket();
            default -> null;
        };
        return t == null || t.remoteAddress() == 0 && t.remotePort() == 0 ? null : t;
    }
}
