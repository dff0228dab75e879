package io.fttcp.wrappers.ssw;

import io.fttcp.replication.record.Record;

import java.util.ArrayList;
import java.util.List;

/** A record sink in memory: LSNs count from 1; the test decides what is stable. */
final class FakeLog implements RecordSink {
    final List<Record> records = new ArrayList<>();
    long stable;

    @Override
    public long append(Record record, long now) {
        records.add(record);
        return records.size();
    }

    @Override
    public long stableLsn() {
        return stable;
    }

    long lastLsn() {
        return records.size();
    }
}
