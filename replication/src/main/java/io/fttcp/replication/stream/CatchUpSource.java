package io.fttcp.replication.stream;

import io.fttcp.replication.record.LoggedRecord;

/**
 * Catch-up records handed to a {@link RecordStream} as it writes them, rather than all at once
 * ({@link RecordStream#restartWithCatchUp(CatchUpSource)}): a logger reads a recovery's records
 * back from its log while the first ones are already on their way. LSNs increase, each at most
 * the stream's stable LSN (the stream checks each as it takes it). Called by the thread that
 * writes the stream's batches, with the stream's monitor held.
 */
public interface CatchUpSource extends AutoCloseable {
    /**
     * The next record, or null when there are no more.
     *
     * @throws java.io.UncheckedIOException it cannot be read (the stream's writer then fails)
     */
    LoggedRecord next();

    /** Releases what it reads from (it is not asked for more); also called when the stream is rewound. */
    @Override
    void close();
}
