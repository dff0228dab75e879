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

    /** The backup's channel is up: records flow to it. */
    void protectedBy(PrimaryChannel channel) {
        this.channel = channel;
        this.protection = Protection.PROTECTED;
    }

    /** No backup any more: stop keeping records; every LSN is stable from now on. */
    void unprotected() {
        synchronized (stream) {
            unprotectedLsn.set(Math.max(unprotectedLsn.get(), stream.lastLsn()));
            protection = Protection.UNPROTECTED;
        }
        channel = null;
    }

    /** The channel failed before its handshake: wait for the next backup. */
    void awaiting() {
        channel = null;
        protection = Protection.AWAITING_BACKUP;
    }

    void steppedDown() {
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
