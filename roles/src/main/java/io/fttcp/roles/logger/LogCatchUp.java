package io.fttcp.roles.logger;

import io.fttcp.replication.log.LogCursor;
import io.fttcp.replication.record.LoggedRecord;
import io.fttcp.replication.record.Segment;
import io.fttcp.replication.stream.CatchUpSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A recovery's records as they are sent: the retention's snapshot, in which each SEGMENT stands
 * without its payload ({@link RetainedIndex}), with the SEGMENTs read back from the log by one
 * cursor in LSN order. The cursor was made while the log was at hand (the cluster's lock held);
 * it reads the segment files themselves, which stay while a recovery is served (the log is
 * truncated only below the oldest retained LSN, and no primary appends meanwhile).
 */
final class LogCatchUp implements CatchUpSource {
    private final List<LoggedRecord> plan;
    private final Path logDirectory;
    private LogCursor cursor;
    private int next;

    /** @param cursor reads the log from the first SEGMENT of {@code plan} on (null if it has none) */
    LogCatchUp(List<LoggedRecord> plan, LogCursor cursor, Path logDirectory) {
        this.plan = plan;
        this.cursor = cursor;
        this.logDirectory = logDirectory;
    }

    /** Records in all. */
    int size() {
        return plan.size();
    }

    @Override
    public LoggedRecord next() {
        if (next == plan.size()) {
            close();
            return null;
        }
        LoggedRecord r = plan.get(next++);
        if (!(r.record() instanceof Segment blank) || blank.payload().length == 0) return r;
        try {
            long lsn = r.lsn();
            if (cursor == null) throw new IOException("closed");
            while (cursor.lsn() < lsn) {
                if (!cursor.next()) throw new IOException("the log ends before retained LSN " + lsn);
            }
            if (!(cursor.record() instanceof Segment s) || !RetainedIndex.sameButPayload(s, blank)) {
                throw new IOException("the log holds " + cursor.record() + " at LSN " + lsn + " where retention kept " + blank);
            }
            return new LoggedRecord(lsn, s);
        } catch (IOException e) {
            close();
            throw new UncheckedIOException("reading a recovery's records from the log of " + logDirectory + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        if (cursor == null) return;
        try {
            cursor.close();
        } catch (IOException ignored) {
            // only read from
        }
        cursor = null;
    }
}
