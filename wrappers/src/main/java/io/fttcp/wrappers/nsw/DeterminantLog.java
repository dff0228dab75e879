package io.fttcp.wrappers.nsw;

import io.fttcp.replication.record.Record;

/** Where the primary's north-side wrapper sends its records: the replication stream. */
public interface DeterminantLog {

    /**
     * Appends {@code record} to the one ordered stream and returns its LSN (from 1, increasing
     * in append order across all writers). Thread-safe.
     *
     * @param awaited whether something waits for the record to become stable (output, an ACK, a
     *                handshake); one nothing waits for may wait to be sent with the next one
     *                something waits for, saving the replication a round trip of its own
     */
    long append(Record record, boolean awaited);

    /** Appends a record something waits for. */
    default long append(Record record) {
        return append(record, true);
    }

    /** Appends a record nothing waits to become stable. */
    default long appendUnawaited(Record record) {
        return append(record, false);
    }
}
