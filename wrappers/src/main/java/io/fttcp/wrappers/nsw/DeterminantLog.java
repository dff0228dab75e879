package io.fttcp.wrappers.nsw;

import io.fttcp.replication.record.Record;

/** Where the primary's north-side wrapper sends its records: the replication stream. */
public interface DeterminantLog {

    /**
     * Appends {@code record} to the one ordered stream and returns its LSN (from 1, increasing
     * in append order across all writers). Thread-safe.
     */
    long append(Record record);
}
