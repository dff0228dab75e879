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
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The connections whose retained records the primary gave up ({@code replication.retention-limit}),
 * followed without their client bytes until each is finished or superseded: then no catch-up
 * needs anything from before the records kept anew, and protection can return.
 *
 * <p>A {@link LiveRecordSet} under CONNECTION_SCOPED rules, without lingering, is fed their
 * CONNECT, SEGMENT (with {@linkplain BlankSegments blank payloads}), WRITE and CLOSE records,
 * the only ones that decide when a connection is finished. Only the connections live in a
 * given-up set are followed: one opened later is the fresh set's, and a CONNECT of a followed
 * four-tuple supersedes the followed incarnation (the new one is the fresh set's too). Records
 * keep their order per connection but are numbered anew: only that order matters to liveness.
 *
 * <p>The set keeps what it is fed while a connection lives, so a long upload would cost a few
 * dozen bytes per segment. Until the application closes a connection (nothing finishes it
 * before) its plain segments and WRITEs are merged instead ({@link Pending}): client bytes into
 * blank segments of up to {@link #CHUNK} bytes (a 1 GiB upload costs about a thousand records,
 * not 700,000), acknowledgements into the highest, output into its end; what else comes (a
 * FIN, a reset, a close) is fed after what was merged. From the close on everything is fed as
 * it comes, so a finish is seen at the record that makes it.
 *
 * <p>Not thread-safe (the replication log's monitor guards it).
 */
final class GivenUpConnections {
    /** Merged client bytes per blank segment fed (one shared zero array; shorter tails are fed as powers of two). */
    static final int CHUNK = 1 << 20;
    /** A pending acknowledgement this far past the last one fed is fed at once (see {@code Pending.fedAckOffset}). */
    static final long ACK_FEED_DISTANCE = 1L << 30;
    private static final int PLAIN_FLAGS = 0x10 | 0x08; // ACK, PSH
    private static final int FLAG_ACK = 0x10;
    private static final byte[] EMPTY = new byte[0];

    private final LiveRecordSet ledger = new LiveRecordSet(RetentionPolicy.CONNECTION_SCOPED, 0, 0);
    private final BlankSegments blanks = new BlankSegments();
    /** The followed connections (live in the ledger, neither finished nor superseded), with what is not fed yet. */
    private final Map<FourTuple, Pending> followed = new HashMap<>();
    private long ledgerLsn;

    /**
     * Follows the connections live in a set being given up, from its snapshot. Its records of
     * them must decide their state as the whole stream would: under CONNECTION_SCOPED they are
     * all there. Under CHECKPOINTED, below the latest applied checkpoint (the snapshot's first
     * CHECKPOINT when {@code checkpointApplied}) a connection keeps only its CONNECT and some
     * SEGMENT records (rule C3); its entry in that checkpoint says the rest: every client byte
     * below the entry's read offset arrived (the application read it), so blank bytes stand
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
                for (FourTuple t : closedAtCheckpoint) {
                    if (followed.containsKey(t)) offer(t, new Close(t, Close.How.CLOSE));
                }
            }
            Record record = given.get(i).record();
            FourTuple t = namedConnection(record);
            if (t == null) continue;
            if (record instanceof Connect c) {
                followed.put(t, new Pending(c.clientIsn(), c.serverIsn()));
                feed(t, c);
                Checkpoint.Entry e = i < checkpointAt ? entries.get(t) : null;
                if (e != null) {
                    Pending p = followed.get(t);
                    if (e.readOffset() > 0) p.addBytes(c.clientIsn() + 1, e.readOffset(), this, t);
                    p.absorbOutputEnd(e.outputOffset());
                    if (e.closed()) closedAtCheckpoint.add(t);
                }
            } else if (followed.containsKey(t)) {
                offer(t, record); // a record seen before (a fresh set's of a followed connection) changes nothing: all are idempotent
            }
        }
    }

    /** The next record of the stream (after the given-up set's last). */
    void add(Record record) {
        FourTuple t = namedConnection(record);
        if (t == null || !followed.containsKey(t)) return;
        if (record instanceof Connect) {
            // Superseded: the new incarnation is the fresh set's. (The old one stays, unfed, in the ledger until it is dropped.)
            followed.remove(t);
            return;
        }
        offer(t, record);
    }

    /** Followed connections neither finished nor superseded. */
    int live() {
        return followed.size();
    }

    /** Records the ledger holds (what following the connections costs). */
    long ledgerRecords() {
        return ledger.retainedRecords();
    }

    private void offer(FourTuple t, Record record) {
        Pending p = followed.get(t);
        if (!p.closed) {
            switch (record) {
                case Segment s when (s.flags() & ~PLAIN_FLAGS) == 0 -> {
                    p.absorb(s, this, t);
                    return;
                }
                case Write w -> {
                    if (w.count() > 0) p.absorbOutputEnd(w.offset() + w.count());
                    return;
                }
                default -> flush(t, p);
            }
            if (record instanceof Close c && (c.how() == Close.How.CLOSE || c.how() == Close.How.RESET)) p.closed = true;
        }
        feed(t, blanks.blank(record));
    }

    private void flush(FourTuple t, Pending p) {
        if (p.outputEnd > p.outputEndFed) {
            feed(t, new Write(t, p.outputEnd - 1, 1, 0));
            p.outputEndFed = p.outputEnd;
        }
        p.flushBytes(this, t);
        feedAck(t, p);
    }

    /** The pending acknowledgement, if any. */
    private void feedAck(FourTuple t, Pending p) {
        if (p.acked) {
            feed(t, new Segment(t, p.ackSeq, p.ack, FLAG_ACK, 0, 0, 0, EMPTY));
            p.acked = false;
            p.fedAckOffset = p.ackOffset;
        }
    }

    /** Blank client bytes {@code [seq, seq + length)}, fed as segments of powers of two (shared zero arrays). */
    private void feedBytes(FourTuple t, int seq, long length) {
        for (long done = 0; done < length; ) {
            int piece = (int) Math.min(CHUNK, Long.highestOneBit(length - done));
            feed(t, new Segment(t, seq + (int) done, 0, 0, 0, 0, 0, blanks.zeros(piece)));
            done += piece;
        }
    }

    private void feed(FourTuple t, Record record) {
        int before = ledger.liveConnections();
        ledger.add(++ledgerLsn, record);
        // Only a record naming t can finish t's incarnation (its CONNECT supersedes and adds one: no change).
        if (ledger.liveConnections() < before) followed.remove(t);
    }

    /**
     * What a followed connection sent and wrote, not fed yet: ranges of client bytes (offsets
     * from the client's ISN + 1, each read nearest what was fed, as the rules read them nearest
     * the contiguous end), the highest acknowledgement (and the sequence number it came with, which the rules
     * check against the client's SYN), and the output's end. While the application has not closed
     * the connection these cannot finish it: merging them changes only when their effect is fed,
     * and that is before any record that could. Whole chunks of the range continuing what was fed
     * go at once; bytes already fed are not fed again (their union is what counts).
     */
    private static final class Pending {
        /** Ranges kept apart at most: beyond, all are fed (much reordering, or garbage). */
        private static final int MAX_RANGES = 64;

        boolean closed;
        /** The client's ISN + 1: offset 0 of its stream. */
        private final int baseSeq;
        private boolean fedAny;
        /** Bytes {@code [fedFrom, fedUpTo)} were fed. */
        private long fedFrom;
        private long fedUpTo;
        private final TreeMap<Long, Long> ranges = new TreeMap<>();
        boolean acked;
        int ack;
        int ackSeq;
        /** The server's ISN + 1: offset 0 of our output, which the client acknowledges. */
        private final int outputBase;
        /** The pending acknowledgement's output offset, read nearest the previous one (as the rules read each). */
        long ackOffset;
        /**
         * The last fed acknowledgement's offset: the ledger reads the next one nearest it, so one
         * pending 2^30 or more past it is fed at once (a merged 2 GiB of acknowledgements would
         * read as going backwards, and the connection would never finish).
         */
        long fedAckOffset;
        long outputEnd;
        long outputEndFed;

        Pending(int clientIsn, int serverIsn) {
            baseSeq = clientIsn + 1;
            outputBase = serverIsn + 1;
        }

        /** Where {@code seq} lies in the client's stream: nearest what was fed (or is pending), as the rules read it nearest its contiguous end. */
        private long offsetOf(int seq) {
            long near = fedAny ? fedUpTo : ranges.isEmpty() ? 0 : ranges.firstKey();
            return near + (int) ((seq - baseSeq) - (int) near);
        }

        void absorb(Segment s, GivenUpConnections owner, FourTuple t) {
            if (offsetOf(s.seq()) < -1) return; // before the client's SYN: the rules ignore it, acknowledgement and all
            int length = s.payload() == null ? 0 : s.payload().length;
            if (length > 0) addBytes(s.seq(), length, owner, t);
            if ((s.flags() & FLAG_ACK) != 0) {
                long offset = ackOffset + (int) ((s.ack() - outputBase) - (int) ackOffset);
                if (offset > ackOffset) { // the ledger, as the rules, takes only acknowledgements that advance
                    acked = true;
                    ack = s.ack();
                    ackSeq = s.seq();
                    ackOffset = offset;
                }
                if (ackOffset - fedAckOffset >= ACK_FEED_DISTANCE) owner.feedAck(t, this);
            }
        }

        /** Client bytes {@code [seq, seq + length)}. */
        void addBytes(int seq, long length, GivenUpConnections owner, FourTuple t) {
            long start = offsetOf(seq);
            long end = start + length;
            if (fedAny && start >= fedFrom && start < fedUpTo) {
                if (end <= fedUpTo) return; // fed already
                start = fedUpTo;
            }
            Map.Entry<Long, Long> below = ranges.floorEntry(start);
            if (below != null && below.getValue() >= start) {
                start = below.getKey();
                end = Math.max(end, below.getValue());
                ranges.remove(below.getKey());
            }
            for (Map.Entry<Long, Long> e = ranges.ceilingEntry(start); e != null && e.getKey() <= end; e = ranges.ceilingEntry(start)) {
                end = Math.max(end, e.getValue());
                ranges.remove(e.getKey());
            }
            ranges.put(start, end);
            Long next = fedAny ? (ranges.containsKey(fedUpTo) ? fedUpTo : null) : ranges.firstKey();
            if (next != null) {
                long rangeEnd = ranges.get(next);
                long whole = (rangeEnd - next) - (rangeEnd - next) % CHUNK;
                if (whole > 0) {
                    owner.feedBytes(t, baseSeq + (int) (long) next, whole);
                    ranges.remove(next);
                    if (next + whole < rangeEnd) ranges.put(next + whole, rangeEnd);
                    fed(next, next + whole);
                }
            }
            if (ranges.size() > MAX_RANGES) flushBytes(owner, t);
        }

        void flushBytes(GivenUpConnections owner, FourTuple t) {
            for (Map.Entry<Long, Long> e : ranges.entrySet()) {
                owner.feedBytes(t, baseSeq + (int) (long) e.getKey(), e.getValue() - e.getKey());
                fed(e.getKey(), e.getValue());
            }
            ranges.clear();
        }

        private void fed(long from, long upTo) {
            if (!fedAny) {
                fedAny = true;
                fedFrom = from;
                fedUpTo = upTo;
            } else if (from >= fedFrom && from <= fedUpTo && upTo > fedUpTo) {
                fedUpTo = upTo;
            }
        }

        void absorbOutputEnd(long end) {
            outputEnd = Math.max(outputEnd, end);
        }
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
