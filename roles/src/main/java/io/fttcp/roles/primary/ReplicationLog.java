package io.fttcp.roles.primary;

import io.fttcp.replication.channel.PrimaryChannel;
import io.fttcp.replication.record.Record;
import io.fttcp.replication.stream.RecordStream;
import io.fttcp.wrappers.nsw.DeterminantLog;
import io.fttcp.wrappers.ssw.RecordSink;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The primary's one ordered record stream, as both wrappers see it: the south side's
 * {@link RecordSink} and the north side's {@link DeterminantLog}. Records go to the
 * {@link RecordStream} that the replication channel sends from; while no backup protects the
 * service they are numbered but not kept, and every LSN counts as stable.
 *
 * <p>Thread-safe: the host's threads (south side) and the application's (north side) append
 * concurrently; the stream's monitor orders them.
 */
final class ReplicationLog implements RecordSink, DeterminantLog {
    private final RecordStream stream;
    private volatile PrimaryChannel channel;
    private volatile Protection protection = Protection.AWAITING_BACKUP;
    /** LSNs handed out while unprotected continue the stream's numbering. */
    private final AtomicLong unprotectedLsn = new AtomicLong();
    private final AtomicLong recordsUnprotected = new AtomicLong();

    ReplicationLog(RecordStream stream) {
        this.stream = stream;
    }

    @Override
    public long append(Record record, long now) {
        return append(record);
    }

    @Override
    public long append(Record record) {
        if (protection == Protection.UNPROTECTED || protection == Protection.STEPPED_DOWN) {
            recordsUnprotected.incrementAndGet();
            return unprotectedLsn.incrementAndGet();
        }
        PrimaryChannel c = channel;
        if (c != null) return c.append(record);
        synchronized (stream) {
            return stream.append(record);
        }
    }

    @Override
    public long stableLsn() {
        if (protection == Protection.UNPROTECTED) return Long.MAX_VALUE;
        synchronized (stream) {
            return stream.stableLsn();
        }
    }

    Protection protection() {
        return protection;
    }

    /**
     * The backup's channel is up: records flow to it. Only from AWAITING_BACKUP (once unprotected
     * or stepped down, a primary stays so: re-protection is not built yet).
     *
     * @return false if the primary is no longer waiting for a backup (close the channel)
     */
    synchronized boolean protectedBy(PrimaryChannel channel) {
        if (protection != Protection.AWAITING_BACKUP) return false;
        this.channel = channel;
        this.protection = Protection.PROTECTED;
        return true;
    }

    /**
     * No backup any more: stop keeping records; every LSN is stable from now on. From PROTECTED
     * by {@code lost} (the channel that was lost, still the current one), or, with null, from
     * AWAITING_BACKUP (no backup came).
     *
     * @return whether the primary is now unprotected because of this call
     */
    synchronized boolean unprotected(PrimaryChannel lost) {
        if (lost == null ? protection != Protection.AWAITING_BACKUP : protection != Protection.PROTECTED || channel != lost) return false;
        synchronized (stream) {
            unprotectedLsn.set(Math.max(unprotectedLsn.get(), stream.lastLsn()));
            protection = Protection.UNPROTECTED;
        }
        channel = null;
        return true;
    }

    /** The channel failed before the backup ever acknowledged us: wait for the next backup (if {@code lost} is still the current one). */
    synchronized boolean awaiting(PrimaryChannel lost) {
        if (protection != Protection.PROTECTED && protection != Protection.AWAITING_BACKUP) return false;
        if (lost != null && channel != lost) return false;
        channel = null;
        protection = Protection.AWAITING_BACKUP;
        return true;
    }

    /** Terminal: this primary emits nothing more. */
    synchronized void steppedDown() {
        protection = Protection.STEPPED_DOWN;
        channel = null;
    }

    PrimaryChannel channel() {
        return channel;
    }

    /** Records appended while unprotected (numbered, not kept). */
    long recordsUnprotected() {
        return recordsUnprotected.get();
    }

    long lastLsn() {
        synchronized (stream) {
            return Math.max(stream.lastLsn(), unprotectedLsn.get());
        }
    }
}
