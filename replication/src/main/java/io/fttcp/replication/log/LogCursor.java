package io.fttcp.replication.log;

import io.fttcp.replication.codec.CorruptRecordException;
import io.fttcp.replication.codec.FrameFormat;
import io.fttcp.replication.record.Record;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * Reads records of a log in LSN order, across segments, from a given LSN up to the last LSN the
 * log held when the cursor was made. Damage found on the way (the files changed since recovery)
 * is a {@link CorruptLogException} naming the file and offset.
 *
 * <pre>{@code
 * try (LogCursor cursor = log.read(from)) {
 *     while (cursor.next()) {
 *         replay(cursor.lsn(), cursor.record());
 *     }
 * }
 * }</pre>
 *
 * Not thread-safe. Records of segments deleted by {@link RecordLog#truncateBefore} after the
 * cursor was made may no longer be readable.
 */
public final class LogCursor implements AutoCloseable {
    private final List<LogSegment> segments;
    private final long fromLsn;
    private final long toLsn;
    private final int maxBodyLength;
    private final ByteBuffer buffer;
    private int segmentIndex;
    private SegmentReader reader;
    private long expectedLsn;
    private long lsn;
    private Record record;

    /** @param segments the log's segments from the one holding {@code fromLsn} (a copy) */
    LogCursor(List<LogSegment> segments, long fromLsn, long toLsn, int maxBodyLength) {
        this.segments = segments;
        this.fromLsn = fromLsn;
        this.toLsn = toLsn;
        this.maxBodyLength = maxBodyLength;
        this.buffer = fromLsn > toLsn ? null : ByteBuffer.allocateDirect(FrameFormat.OVERHEAD + maxBodyLength);
        this.segmentIndex = -1;
    }

    /** Moves to the next record; false after {@code toLsn} (or when the range was empty). */
    public boolean next() throws IOException {
        long want = lsn == 0 ? fromLsn : lsn + 1;
        if (want > toLsn) {
            close();
            return false;
        }
        while (true) {
            if (reader == null) {
                openNextSegment(want);
            }
            boolean read;
            try {
                read = reader.next();
            } catch (CorruptRecordException e) {
                throw new CorruptLogException(segments.get(segmentIndex).file(), e.streamOffset(), e.getMessage());
            }
            if (!read) {
                reader.close();
                reader = null;
                continue;
            }
            if (reader.lsn() != expectedLsn) {
                throw new CorruptLogException(segments.get(segmentIndex).file(), reader.frameOffset(),
                        "a record with LSN " + reader.lsn() + " where " + expectedLsn + " was expected");
            }
            expectedLsn++;
            if (reader.lsn() >= want) {
                lsn = reader.lsn();
                record = reader.record();
                return true;
            }
        }
    }

    private void openNextSegment(long want) throws IOException {
        segmentIndex++;
        if (segmentIndex >= segments.size()) {
            LogSegment last = segments.getLast();
            throw new CorruptLogException(last.file(), -1, "the log ends before LSN " + want
                    + ", which it held when this cursor was made (a file was changed or removed)");
        }
        LogSegment segment = segments.get(segmentIndex);
        if (segmentIndex > 0 && segment.firstLsn() != expectedLsn) {
            throw new CorruptLogException(segment.file(), 0, "the segment starts at LSN " + segment.firstLsn() + " where "
                    + expectedLsn + " was expected");
        }
        expectedLsn = segment.firstLsn();
        reader = new SegmentReader(segment.file(), buffer, maxBodyLength);
    }

    /** LSN of the current record. */
    public long lsn() {
        return lsn;
    }

    /** The current record. */
    public Record record() {
        return record;
    }

    @Override
    public void close() throws IOException {
        if (reader != null) {
            reader.close();
            reader = null;
        }
    }
}
