package io.fttcp.replication.record;

import java.util.Objects;

/** A record with the LSN the primary's stream gave it: what retention keeps and catch-up resends. */
public record LoggedRecord(long lsn, Record record) {
    public LoggedRecord {
        if (lsn < 1) throw new IllegalArgumentException("LSNs start at 1: " + lsn);
        Objects.requireNonNull(record, "record");
    }
}
