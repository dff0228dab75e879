package io.fttcp.wrappers.nsw;

import io.fttcp.replication.record.Record;

/** Where the primary's north-side wrapper sends its records: the replication stream. */
public interface DeterminantLog {

    /**
     * Appends {@code record} to the one ordered stream and returns its LSN (from 1, increasing
     * in append order across all writers). Thread-safe.
     */
    long append(Record record);

    /**
     * As {@link #append}, for a record nothing waits to become stable (no output, ACK or
     * handshake depends on it): it may wait to be sent with the next record something waits
     * for, saving the replication a round trip of its own.
     */
    default long appendUnawaited(Record record) {
        return append(record);
    }
}
