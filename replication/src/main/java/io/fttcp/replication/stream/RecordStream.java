package io.fttcp.replication.stream;

import io.fttcp.replication.codec.FrameEncoder;
import io.fttcp.replication.codec.ReplicationProtocolException;
import io.fttcp.replication.codec.RosterEntry;
import io.fttcp.replication.record.Connect;
import io.fttcp.replication.record.LoggedRecord;
import io.fttcp.replication.record.Record;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;

/**
 * The primary's side of the replication stream, sans I/O: assigns LSNs (1, 2, ...), keeps every
 * record until the backup acknowledges it, hands out frames to send in batches, and tracks the
 * stable LSN (highest acknowledged, cumulative), running what waits on stability when it
 * advances.
 *
 * <p>Records move: appended → unsent → (written by {@link #writeBatch}) → in flight →
 * (acknowledged) → dropped. On a new connection {@link #restartFrom} moves the in-flight ones
 * the backup lacks back to unsent.
 *
 * <p>A peer that holds nothing while records were already dropped as stable gets a catch-up
 * instead ({@link #restartWithCatchUp}): the retained records it needs (kept elsewhere, with
 * their LSNs; gaps allowed), then a CAUGHT_UP frame at the stable LSN, then the stream as usual.
 * Catch-up frames count in {@link #inFlightBytes} until acknowledged, so a sender's window holds
 * them back like records.
 *
 * <p>Not thread-safe: the owner serializes calls. Stability callbacks run inside
 * {@link #acknowledge}, so they must be quick and must not block; they may append and register.
 */
public final class RecordStream {
    public static final int DEFAULT_MAX_BATCH_BYTES = 64 * 1024;
    public static final int DEFAULT_MAX_BATCH_RECORDS = 1024;

    private final FrameEncoder encoder;
    private final int maxBatchBytes;
    private final int maxBatchRecords;
    private final ArrayDeque<Record> inFlight = new ArrayDeque<>();
    private final ArrayDeque<Record> unsent = new ArrayDeque<>();
    private final List<StabilityListener> listeners = new ArrayList<>();
    private final PriorityQueue<Waiter> waiters = new PriorityQueue<>();
    /** Catch-up records not yet written, then those written and not yet acknowledged. */
    private final ArrayDeque<LoggedRecord> catchUp = new ArrayDeque<>();
    private final ArrayDeque<LoggedRecord> catchUpInFlight = new ArrayDeque<>();
    /** Where further catch-up records come from as they are written, or null. */
    private CatchUpSource catchUpSource;
    /** The last LSN taken from {@link #catchUpSource}. */
    private long catchUpTaken;
    /** The LSN of the INCOMPLETE frame still to write (a catch-up of incomplete records), or -1 when none is. */
    private long incompleteDue = -1;
    /** The catch-up's roster (the connections it covers) and how many of it are written. */
    private List<RosterEntry> roster = List.of();
    private int rosterWritten;
    /** The LSN of the CAUGHT_UP frame still to write, or -1 when none is. */
    private long caughtUpDue = -1;
    private long lastLsn;
    /** The newest LSN appended with {@link #append} (something waits for it); kept across restarts. */
    private long awaitedLsn;
    private long sentLsn;
    private long stableLsn;
    private long unacknowledgedBytes;
    private long inFlightBytes;
    private long waiterOrder;

    private record Waiter(long lsn, long order, Runnable action) implements Comparable<Waiter> {
        @Override
        public int compareTo(Waiter o) {
            int byLsn = Long.compare(lsn, o.lsn);
            return byLsn != 0 ? byLsn : Long.compare(order, o.order);
        }
    }

    public RecordStream() {
        this(new FrameEncoder(), DEFAULT_MAX_BATCH_BYTES, DEFAULT_MAX_BATCH_RECORDS);
    }

    /**
     * @param encoder         encodes frames (its maximum body length is the peer's)
     * @param maxBatchBytes   a batch stops before this many bytes (a single larger frame still goes alone)
     * @param maxBatchRecords a batch holds at most this many records
     */
    public RecordStream(FrameEncoder encoder, int maxBatchBytes, int maxBatchRecords) {
        if (maxBatchBytes < 1 || maxBatchRecords < 1) {
            throw new IllegalArgumentException("batch limits must be positive: " + maxBatchBytes + " bytes, " + maxBatchRecords + " records");
        }
        this.encoder = encoder;
        this.maxBatchBytes = maxBatchBytes;
        this.maxBatchRecords = maxBatchRecords;
    }

    /**
     * Adds a record to the stream, one something waits for to become stable (see {@link #awaitedUnsent}).
     *
     * @return its LSN
     * @throws IllegalArgumentException the record cannot be framed (over the maximum body length)
     */
    public long append(Record record) {
        return append(record, true);
    }

    /**
     * Adds a record nothing waits to become stable (see {@link #awaitedUnsent}).
     *
     * @return its LSN
     * @throws IllegalArgumentException the record cannot be framed (over the maximum body length)
     */
    public long appendUnawaited(Record record) {
        return append(record, false);
    }

    /** {@link #append} or {@link #appendUnawaited}, as {@code awaited} says. */
    public long append(Record record, boolean awaited) {
        encoder.checkEncodable(record);
        unsent.addLast(record);
        unacknowledgedBytes += FrameEncoder.frameLength(record);
        lastLsn++;
        if (awaited) {
            awaitedLsn = lastLsn;
        }
        return lastLsn;
    }

    /**
     * Whether a record something waits for is unsent on the current connection (a restart makes
     * what was in flight unsent again): a sender should write now rather than at its next turn.
     */
    public boolean awaitedUnsent() {
        return awaitedLsn > sentLsn && !unsent.isEmpty();
    }

    /** Highest LSN appended (0 before the first). */
    public long lastLsn() {
        return lastLsn;
    }

    /** Highest LSN handed to {@link #writeBatch} on the current connection. */
    public long sentLsn() {
        return sentLsn;
    }

    /** Highest LSN acknowledged; every LSN up to it is stable. */
    public long stableLsn() {
        return stableLsn;
    }

    public boolean isStable(long lsn) {
        return lsn <= stableLsn;
    }

    /** Whether {@link #writeBatch} has anything to write (records, or a catch-up in progress). */
    public boolean hasUnsent() {
        return !unsent.isEmpty() || caughtUpDue >= 0;
    }

    /** A catch-up is being written: its records or its CAUGHT_UP frame are not all written yet. */
    public boolean catchingUp() {
        return caughtUpDue >= 0;
    }

    /** Records appended and not yet acknowledged (sent or not): the backup's lag, for back-pressure. */
    public int unacknowledgedRecords() {
        return (int) (lastLsn - stableLsn);
    }

    /** Frame bytes of the records not yet acknowledged. */
    public long unacknowledgedBytes() {
        return unacknowledgedBytes;
    }

    /**
     * Frame bytes written and not yet acknowledged, catch-up frames included: a sender keeps this
     * under a window so that what it writes next (heartbeats too) does not queue behind megabytes
     * in socket buffers.
     */
    public long inFlightBytes() {
        return inFlightBytes;
    }

    /**
     * Encodes the next batch at {@code out}'s position, as many frames as fit in {@code out} and
     * in the batch limits: during a catch-up its roster, its records, then CAUGHT_UP; then unsent records.
     *
     * @return the number of frames written (0 when nothing is unsent)
     * @throws IllegalArgumentException {@code out} cannot hold even the next frame alone
     */
    public int writeBatch(ByteBuffer out) {
        int start = out.position();
        int count = 0;
        if (incompleteDue >= 0) {
            if (!encoder.encodeIncomplete(incompleteDue, out)) {
                throw new IllegalArgumentException("a buffer of " + out.remaining() + " bytes cannot hold an INCOMPLETE frame");
            }
            incompleteDue = -1;
            count++;
        }
        while (count < maxBatchRecords && rosterWritten < roster.size()) {
            // Within the batch's bytes; the batch's first frame holds one entry at least if the buffer has room.
            int limit = out.limit();
            int n;
            try {
                out.limit(Math.max(out.position(), Math.min(limit, count == 0 ? Math.max(start + maxBatchBytes, start + FrameEncoder.rosterFrameLength(1))
                        : start + maxBatchBytes)));
                n = encoder.encodeRoster(caughtUpDue, roster, rosterWritten, out);
            } finally {
                out.limit(limit);
            }
            if (n == 0) {
                if (count == 0) {
                    throw new IllegalArgumentException("a buffer of " + out.remaining() + " bytes cannot hold a ROSTER frame");
                }
                return count;
            }
            rosterWritten += n;
            count++;
            if (rosterWritten == roster.size()) {
                return count; // a batch of its own: it reaches the joiner ahead of the records' bytes
            }
        }
        while (count < maxBatchRecords && (!catchUp.isEmpty() || takeFromSource())) {
            LoggedRecord next = catchUp.peekFirst();
            if (!fits(out, start, count, next.lsn(), next.record())) {
                return count;
            }
            inFlightBytes += FrameEncoder.frameLength(next.record());
            catchUpInFlight.addLast(catchUp.removeFirst());
            count++;
        }
        if (caughtUpDue >= 0) {
            if (count == maxBatchRecords) {
                return count;
            }
            if (!encoder.encodeCaughtUp(caughtUpDue, out)) {
                if (count == 0) {
                    throw new IllegalArgumentException("a buffer of " + out.remaining() + " bytes cannot hold a CAUGHT_UP frame");
                }
                return count;
            }
            caughtUpDue = -1;
            count++;
        }
        while (count < maxBatchRecords && !unsent.isEmpty()) {
            Record next = unsent.peekFirst();
            if (!fits(out, start, count, sentLsn + 1, next)) {
                break;
            }
            inFlightBytes += FrameEncoder.frameLength(next);
            inFlight.addLast(unsent.removeFirst());
            sentLsn++;
            count++;
        }
        return count;
    }

    /** Takes the source's next record into the catch-up, checked; false when it has no more. */
    private boolean takeFromSource() {
        if (catchUpSource == null) {
            return false;
        }
        LoggedRecord r = catchUpSource.next();
        if (r == null) {
            catchUpSource.close();
            catchUpSource = null;
            return false;
        }
        if (r.lsn() <= catchUpTaken || r.lsn() > stableLsn) {
            throw new IllegalStateException("catch-up record LSN " + r.lsn() + " after " + catchUpTaken
                    + ": catch-up LSNs must increase and not pass the stable LSN " + stableLsn);
        }
        encoder.checkEncodable(r.record());
        catchUpTaken = r.lsn();
        catchUp.addLast(r);
        return true;
    }

    /** Encodes one record frame if the batch has room for it (the first frame of a batch always does, or fails). */
    private boolean fits(ByteBuffer out, int start, int count, long lsn, Record record) {
        if (count > 0 && out.position() - start + FrameEncoder.frameLength(record) > maxBatchBytes) {
            return false;
        }
        if (!encoder.encode(lsn, record, out)) {
            if (count == 0) {
                throw new IllegalArgumentException("a buffer of " + out.remaining() + " bytes cannot hold the "
                        + FrameEncoder.frameLength(record) + "-byte frame of LSN " + lsn);
            }
            return false;
        }
        return true;
    }

    /**
     * The backup holds every record up to {@code lsn}. Older acknowledgements are ignored (but
     * free the window of the catch-up frames they cover).
     *
     * @throws ReplicationProtocolException {@code lsn} was never sent on this connection
     */
    public void acknowledge(long lsn) throws ReplicationProtocolException {
        if (lsn > sentLsn) {
            throw new ReplicationProtocolException("backup acknowledged LSN " + lsn + " but only " + sentLsn + " were sent");
        }
        while (!catchUpInFlight.isEmpty() && catchUpInFlight.peekFirst().lsn() <= lsn) {
            inFlightBytes -= FrameEncoder.frameLength(catchUpInFlight.removeFirst().record());
        }
        if (lsn <= stableLsn) {
            return;
        }
        while (stableLsn < lsn) {
            long length = FrameEncoder.frameLength(inFlight.removeFirst());
            unacknowledgedBytes -= length;
            inFlightBytes -= length;
            stableLsn++;
        }
        for (int i = 0; i < listeners.size(); i++) {
            listeners.get(i).onStable(stableLsn);
        }
        while (!waiters.isEmpty() && waiters.peek().lsn <= stableLsn) {
            waiters.poll().action.run();
        }
    }

    /**
     * A new connection to a backup that holds every record up to {@code peerHeldLsn} (from its
     * handshake): those count as acknowledged, and the rest will be sent again from there.
     *
     * @throws ReplicationProtocolException the backup holds records never appended, or lacks
     *                                      records already dropped as stable (an empty one needs a
     *                                      catch-up, {@link #restartWithCatchUp}; any other cannot be helped)
     */
    public void restartFrom(long peerHeldLsn) throws ReplicationProtocolException {
        if (peerHeldLsn > lastLsn) {
            throw new ReplicationProtocolException("peer holds records up to LSN " + peerHeldLsn + " but this stream appended only "
                    + lastLsn + ": it holds another primary's history");
        }
        if (peerHeldLsn < stableLsn) {
            throw new ReplicationProtocolException("peer holds records up to LSN " + peerHeldLsn + " but this stream dropped"
                    + " every record up to " + stableLsn + " as stable; "
                    + (peerHeldLsn == 0 ? "the peer needs a full catch-up from the retained records"
                    : "a peer that holds some records but not these must start empty, for a full catch-up"));
        }
        acknowledge(peerHeldLsn);
        rewind();
    }

    /**
     * A new connection to a peer that holds nothing, while this stream already dropped the records
     * up to {@link #stableLsn()}: {@link #writeBatch} first writes the roster of the connections
     * whose CONNECT is among {@code retained} (the latest of each four-tuple; a recovering server
     * fetching from a logger ignores it), then {@code retained} (each with its own LSN), then
     * a CAUGHT_UP frame at the stable LSN, then the stream from stable + 1 (what was in flight is
     * sent again).
     *
     * @param retained the records the peer needs (the live connections'), LSNs increasing, each
     *                 at most the stable LSN; gaps allowed; empty allowed
     * @throws IllegalStateException    nothing was dropped (stable LSN 0: use {@code restartFrom(0)})
     * @throws IllegalArgumentException a retained LSN is out of order or above the stable LSN, or a
     *                                  record cannot be framed; the stream is then unchanged
     */
    public void restartWithCatchUp(List<LoggedRecord> retained) {
        if (stableLsn == 0) {
            throw new IllegalStateException("nothing was dropped as stable: the peer needs no catch-up (use restartFrom(0))");
        }
        long previous = 0;
        for (LoggedRecord r : retained) {
            if (r.lsn() <= previous || r.lsn() > stableLsn) {
                throw new IllegalArgumentException("retained record LSN " + r.lsn() + " after " + previous
                        + ": catch-up LSNs must increase and not pass the stable LSN " + stableLsn);
            }
            encoder.checkEncodable(r.record());
            previous = r.lsn();
        }
        rewind();
        catchUp.addAll(retained);
        // One entry per four-tuple, its latest connection's (retention may keep an earlier one's records too).
        List<RosterEntry> named = new ArrayList<>();
        for (LoggedRecord r : retained) {
            if (r.record() instanceof Connect c) named.add(RosterEntry.of(c));
        }
        roster = RosterEntry.latestOfEachFourTuple(named);
        caughtUpDue = stableLsn;
    }

    /**
     * As {@link #restartWithCatchUp(List)}, with the records taken from {@code source} only as
     * {@link #writeBatch} writes them (within the sender's window, so that a large catch-up is
     * never all in memory), and no roster (a logger serving a recovery: a recovering server takes
     * over only from a whole catch-up); each is checked as it is taken (an out-of-order or unframable one
     * fails the write). The source is closed once it has no more, or when the stream is rewound.
     *
     * @throws IllegalStateException nothing was dropped (stable LSN 0)
     */
    public void restartWithCatchUp(CatchUpSource source) {
        restartWithCatchUp(source, List.of(), 0);
    }

    /**
     * As {@link #restartWithCatchUp(CatchUpSource)}, first saying that the records through
     * {@code incompleteThrough} are incomplete (0: they are not; see
     * {@link io.fttcp.replication.codec.FrameKind#INCOMPLETE}), then naming {@code roster}: a logger
     * serving a recovery from a log that a primary, back from running without it, left stale.
     */
    public void restartWithCatchUp(CatchUpSource source, List<RosterEntry> roster, long incompleteThrough) {
        if (stableLsn == 0) {
            throw new IllegalStateException("nothing was dropped as stable: the peer needs no catch-up (use restartFrom(0))");
        }
        if (incompleteThrough < 0 || incompleteThrough > stableLsn) {
            throw new IllegalArgumentException("incomplete through LSN " + incompleteThrough + " outside the catch-up, 0.." + stableLsn);
        }
        rewind();
        this.roster = List.copyOf(roster);
        this.incompleteDue = incompleteThrough > 0 ? incompleteThrough : -1;
        catchUpSource = source;
        catchUpTaken = 0;
        caughtUpDue = stableLsn;
    }

    /**
     * An empty stream (nothing unsent or in flight) continues its numbering after {@code lsn}:
     * a primary that ran unprotected, or a backup that took over and now streams as a primary.
     * Stability listeners hear the advance.
     *
     * @throws IllegalStateException    records are unsent or in flight
     * @throws IllegalArgumentException {@code lsn} is below the last LSN (numbers would repeat)
     */
    public void resetTo(long lsn) {
        if (!unsent.isEmpty() || !inFlight.isEmpty()) {
            throw new IllegalStateException("stream is not empty: LSNs " + (stableLsn + 1) + ".." + lastLsn + " are not yet stable");
        }
        if (lsn < lastLsn) {
            throw new IllegalArgumentException("cannot reset to LSN " + lsn + " below the last LSN " + lastLsn + ": numbers would repeat");
        }
        rewind();
        boolean advanced = lsn > stableLsn;
        lastLsn = lsn;
        sentLsn = lsn;
        stableLsn = lsn;
        if (advanced) {
            for (int i = 0; i < listeners.size(); i++) {
                listeners.get(i).onStable(stableLsn);
            }
        }
    }

    /** A new connection: whatever the old one had in flight (records or a catch-up) is unsent or gone. */
    private void rewind() {
        while (!inFlight.isEmpty()) {
            unsent.addFirst(inFlight.removeLast());
        }
        sentLsn = stableLsn;
        inFlightBytes = 0;
        catchUp.clear();
        catchUpInFlight.clear();
        roster = List.of();
        rosterWritten = 0;
        incompleteDue = -1;
        caughtUpDue = -1;
        if (catchUpSource != null) {
            catchUpSource.close();
            catchUpSource = null;
        }
    }

    /** Calls {@code listener} on every advance of the stable LSN, in registration order. */
    public void addStabilityListener(StabilityListener listener) {
        listeners.add(listener);
    }

    public void removeStabilityListener(StabilityListener listener) {
        listeners.remove(listener);
    }

    /**
     * Runs {@code action} once {@code lsn} is stable: now if it is, else inside the
     * {@link #acknowledge} that makes it so. Actions run in LSN order, then registration order.
     */
    public void whenStable(long lsn, Runnable action) {
        if (lsn > lastLsn) {
            throw new IllegalArgumentException("LSN " + lsn + " is not appended yet (last " + lastLsn + ")");
        }
        if (lsn <= stableLsn) {
            action.run();
        } else {
            waiters.add(new Waiter(lsn, waiterOrder++, action));
        }
    }
}
