package io.fttcp.wrappers.ssw;

import io.fttcp.replication.record.Record;

/**
 * Where the south-side wrapper logs its records: the primary's replication stream. A record is
 * stable once its LSN is at most {@link #stableLsn()}. The replication module adapts its stream
 * to this; the wrapper needs nothing else from it.
 */
public interface RecordSink {
    /** Appends a record to the stream and returns its LSN (increasing by append order). */
    long append(Record record, long now);

    /** The highest LSN the backup (or logger) has acknowledged; every record at or below it is stable. */
    long stableLsn();
}
