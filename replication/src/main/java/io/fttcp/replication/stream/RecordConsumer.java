package io.fttcp.replication.stream;

import io.fttcp.replication.record.Record;

/** Takes the backup's records, in LSN order, each once. */
@FunctionalInterface
public interface RecordConsumer {
    void accept(long lsn, Record record);
}
