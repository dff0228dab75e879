package io.fttcp.replication.log;

import io.fttcp.replication.codec.FrameEncoder;
import io.fttcp.replication.record.Record;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Helpers for log tests: where each record's frame lies, and reading a log back. */
final class LogTesting {
    /** A record's frame on disk: file, byte offset, length. */
    record Placement(long lsn, Path file, long offset, long length) {
        long end() {
            return offset + length;
        }
    }

    private LogTesting() {
    }

    /** Where the records of a closed log lie, from its segment names and the records' frame lengths. */
    static List<Placement> placements(Path dir, long firstLsn, List<Record> records) throws IOException {
        List<LogSegment> segments = LogRecovery.list(dir);
        List<Placement> out = new ArrayList<>();
        int segment = -1;
        long offset = 0;
        for (int i = 0; i < records.size(); i++) {
            long lsn = firstLsn + i;
            if (segment + 1 < segments.size() && segments.get(segment + 1).firstLsn() == lsn) {
                segment++;
                offset = 0;
            }
            long length = FrameEncoder.frameLength(records.get(i));
            out.add(new Placement(lsn, segments.get(segment).file(), offset, length));
            offset += length;
        }
        for (LogSegment s : segments) {
            long size = Files.size(s.file());
            long placed = out.stream().filter(p -> p.file().equals(s.file())).mapToLong(Placement::length).sum();
            assertEquals(size, placed, "placements do not account for every byte of " + s.file());
        }
        return out;
    }

    /** Writes {@code records} (LSN 1 on) into a new log in {@code dir} and closes it. */
    static void write(Path dir, LogConfig config, List<Record> records) throws IOException {
        try (RecordLog log = RecordLog.open(dir, config)) {
            for (Record r : records) {
                log.append(r, 0);
            }
            log.commit(0);
        }
    }

    /** Every record of the log from {@code from}, checked against {@code expected} (whose first has LSN {@code firstLsn}). */
    static void assertReads(RecordLog log, long from, List<Record> expected, long firstLsn, String context) throws IOException {
        long count = 0;
        try (LogCursor cursor = log.read(from)) {
            while (cursor.next()) {
                long lsn = cursor.lsn();
                assertEquals(from + count, lsn, context + ": LSN out of order");
                int index = (int) (lsn - firstLsn);
                if (index >= expected.size()) {
                    throw new AssertionError(context + ": read LSN " + lsn + ", which was never written");
                }
                assertEquals(expected.get(index), cursor.record(), context + ": wrong record at LSN " + lsn);
                count++;
            }
        }
        assertEquals(firstLsn + expected.size() - from, count, context + ": records read from LSN " + from);
    }
}
