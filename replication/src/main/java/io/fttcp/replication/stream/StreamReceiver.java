package io.fttcp.replication.stream;

import io.fttcp.replication.codec.ReplicationProtocolException;
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
 * <p>Catch-up: a receiver that holds nothing, told by the sender's handshake that the stream
 * continues from an LSN above 1 ({@link #expectCatchUp}), first accepts records with strictly
 * increasing LSNs below it (gaps allowed: only the live connections' records are resent), until
 * {@link #caughtUp} at the LSN just below it; from there on, strict order again.
 *
 * <p>A record counts as held once the consumer has returned: a hot backup holds it in memory,
 * which is what the primary waits for. Not thread-safe.
 */
public final class StreamReceiver {
    private final RecordConsumer consumer;
    private long lastLsn;
    private long ackedLsn;
    /** The LSN from which the stream is contiguous again, during a catch-up; 0 otherwise. */
    private long catchUpEnd;
    private boolean ackForced;

    /** @param lastHeldLsn the last LSN this backup already holds (0 when new); the next expected is one more */
    public StreamReceiver(long lastHeldLsn, RecordConsumer consumer) {
        if (lastHeldLsn < 0) {
            throw new IllegalArgumentException("negative LSN " + lastHeldLsn);
        }
        this.lastLsn = lastHeldLsn;
        this.ackedLsn = lastHeldLsn;
        this.consumer = consumer;
    }

    /**
     * The sender will continue contiguously from {@code nextLsn} and first sends a catch-up of
     * records below it, ended by CAUGHT_UP at {@code nextLsn - 1}.
     *
     * @throws IllegalStateException    this receiver holds records, or already expects a catch-up
     * @throws IllegalArgumentException {@code nextLsn} is not above 1 (nothing to catch up)
     */
    public void expectCatchUp(long nextLsn) {
        if (lastLsn != 0 || catchUpEnd != 0) {
            throw new IllegalStateException("only an empty receiver takes a catch-up (holds up to " + lastLsn + ")");
        }
        if (nextLsn <= 1) {
            throw new IllegalArgumentException("a stream continuing from LSN " + nextLsn + " has nothing to catch up");
        }
        catchUpEnd = nextLsn;
    }

    /** A catch-up was announced and its CAUGHT_UP has not arrived yet. */
    public boolean catchingUp() {
        return catchUpEnd != 0;
    }

    /**
     * @throws OutOfOrderRecordException {@code lsn} is not {@link #lastLsn()} + 1 (during a
     *                                   catch-up: not above the last, or not below where the stream
     *                                   continues); the record is not consumed
     */
    public void receive(long lsn, Record record) throws OutOfOrderRecordException {
        if (catchUpEnd != 0) {
            if (lsn <= lastLsn || lsn >= catchUpEnd) {
                throw new OutOfOrderRecordException(lastLsn + 1, lsn, catchUpEnd);
            }
        } else if (lsn != lastLsn + 1) {
            throw new OutOfOrderRecordException(lastLsn + 1, lsn);
        }
        consumer.accept(lsn, record);
        lastLsn = lsn;
    }

    /**
     * The catch-up ended at {@code lsn} (the CAUGHT_UP frame): this receiver now holds what it
     * needs up to it, and is acknowledged like a record.
     *
     * @throws ReplicationProtocolException no catch-up was announced, or it was announced to end elsewhere
     */
    public void caughtUp(long lsn) throws ReplicationProtocolException {
        if (catchUpEnd == 0) {
            throw new ReplicationProtocolException("CAUGHT_UP at LSN " + lsn + " but no catch-up was announced");
        }
        if (lsn != catchUpEnd - 1) {
            throw new ReplicationProtocolException("CAUGHT_UP at LSN " + lsn + " but the handshake announced the stream continues from "
                    + catchUpEnd + " (expected CAUGHT_UP at " + (catchUpEnd - 1) + ")");
        }
        catchUpEnd = 0;
        lastLsn = lsn;
        ackForced = true;
    }

    /** The last LSN received, in order (0 or the initial LSN before any). */
    public long lastLsn() {
        return lastLsn;
    }

    /** Records (or a CAUGHT_UP) were received since the last acknowledgement. */
    public boolean ackDue() {
        return lastLsn > ackedLsn || ackForced;
    }

    /** The cumulative LSN to acknowledge now; marks it acknowledged. */
    public long takeAck() {
        ackedLsn = lastLsn;
        ackForced = false;
        return lastLsn;
    }
}
