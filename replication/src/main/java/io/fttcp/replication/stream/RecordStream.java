package io.fttcp.replication.stream;

import io.fttcp.replication.codec.FrameEncoder;
import io.fttcp.replication.codec.ReplicationProtocolException;
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
    private long lastLsn;
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
     * Adds a record to the stream.
     *
     * @return its LSN
     * @throws IllegalArgumentException the record cannot be framed (over the maximum body length)
     */
    public long append(Record record) {
        encoder.checkEncodable(record);
        unsent.addLast(record);
        unacknowledgedBytes += FrameEncoder.frameLength(record);
        return ++lastLsn;
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

    public boolean hasUnsent() {
        return !unsent.isEmpty();
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
     * Frame bytes written and not yet acknowledged: a sender keeps this under a window so that
     * what it writes next (heartbeats too) does not queue behind megabytes in socket buffers.
     */
    public long inFlightBytes() {
        return inFlightBytes;
    }

    /**
     * Encodes the next batch of unsent records at {@code out}'s position: as many as fit in
     * {@code out} and in the batch limits.
     *
     * @return the number of records written (0 when none is unsent)
     * @throws IllegalArgumentException {@code out} cannot hold even the next frame alone
     */
    public int writeBatch(ByteBuffer out) {
        int start = out.position();
        int count = 0;
        while (count < maxBatchRecords && !unsent.isEmpty()) {
            Record next = unsent.peekFirst();
            if (count > 0 && out.position() - start + FrameEncoder.frameLength(next) > maxBatchBytes) {
                break;
            }
            if (!encoder.encode(sentLsn + 1, next, out)) {
                if (count == 0) {
                    throw new IllegalArgumentException("a buffer of " + out.remaining() + " bytes cannot hold the "
                            + FrameEncoder.frameLength(next) + "-byte frame of LSN " + (sentLsn + 1));
                }
                break;
            }
            inFlightBytes += FrameEncoder.frameLength(next);
            inFlight.addLast(unsent.removeFirst());
            sentLsn++;
            count++;
        }
        return count;
    }

    /**
     * The backup holds every record up to {@code lsn}. Older acknowledgements are ignored.
     *
     * @throws ReplicationProtocolException {@code lsn} was never sent on this connection
     */
    public void acknowledge(long lsn) throws ReplicationProtocolException {
        if (lsn > sentLsn) {
            throw new ReplicationProtocolException("backup acknowledged LSN " + lsn + " but only " + sentLsn + " were sent");
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
     * @throws ReplicationProtocolException the backup holds records never sent, or lacks records
     *                                      already dropped as stable (it needs a full catch-up, not this stream)
     */
    public void restartFrom(long peerHeldLsn) throws ReplicationProtocolException {
        if (peerHeldLsn < stableLsn) {
            throw new ReplicationProtocolException("backup holds records up to LSN " + peerHeldLsn + " but this stream dropped"
                    + " every record up to " + stableLsn + " as stable; the backup needs a full catch-up");
        }
        acknowledge(peerHeldLsn);
        while (!inFlight.isEmpty()) {
            unsent.addFirst(inFlight.removeLast());
        }
        sentLsn = stableLsn;
        inFlightBytes = 0;
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
