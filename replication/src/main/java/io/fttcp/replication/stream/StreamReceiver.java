package io.fttcp.replication.stream;

import io.fttcp.replication.record.Record;

/**
 * The backup's side of the replication stream, sans I/O: accepts records strictly in LSN order,
 * hands them to a consumer, and says what to acknowledge.
 *
 * <p>Acknowledgement policy: acknowledge after every batch, at once. The primary's clients wait
 * on stability (held SYN-ACKs, clamped ACKs, held output), so any delay here is their latency;
 * an acknowledgement costs one small frame per batch. The I/O edge decodes what one read
 * returned, then asks {@link #ackDue()} and sends {@link #takeAck()}.
 *
 * <p>A record counts as held once the consumer has returned: a hot backup holds it in memory,
 * which is what the primary waits for. Not thread-safe.
 */
public final class StreamReceiver {
    private final RecordConsumer consumer;
    private long lastLsn;
    private long ackedLsn;

    /** @param lastHeldLsn the last LSN this backup already holds (0 when new); the next expected is one more */
    public StreamReceiver(long lastHeldLsn, RecordConsumer consumer) {
        if (lastHeldLsn < 0) {
            throw new IllegalArgumentException("negative LSN " + lastHeldLsn);
        }
        this.lastLsn = lastHeldLsn;
        this.ackedLsn = lastHeldLsn;
        this.consumer = consumer;
    }

    /** @throws OutOfOrderRecordException {@code lsn} is not {@link #lastLsn()} + 1; the record is not consumed */
    public void receive(long lsn, Record record) throws OutOfOrderRecordException {
        if (lsn != lastLsn + 1) {
            throw new OutOfOrderRecordException(lastLsn + 1, lsn);
        }
        consumer.accept(lsn, record);
        lastLsn = lsn;
    }

    /** The last LSN received, in order (0 or the initial LSN before any). */
    public long lastLsn() {
        return lastLsn;
    }

    /** Records were received since the last acknowledgement. */
    public boolean ackDue() {
        return lastLsn > ackedLsn;
    }

    /** The cumulative LSN to acknowledge now; marks it acknowledged. */
    public long takeAck() {
        ackedLsn = lastLsn;
        return lastLsn;
    }
}
