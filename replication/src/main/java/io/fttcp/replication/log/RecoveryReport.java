package io.fttcp.replication.log;

import java.nio.file.Path;

/**
 * What opening a log found.
 *
 * @param directory the log's directory
 * @param segments  segment files in the log after recovery
 * @param firstLsn  LSN of the first record kept (or of the next record, when the log is empty)
 * @param lastLsn   LSN of the last record kept ({@code firstLsn - 1} when the log is empty)
 * @param bytesCut  bytes cut from the end of the last segment (0 when its tail was whole)
 * @param cutFile   the segment that was cut, or null
 * @param cutOffset where it was cut (its new length), or -1
 * @param cutReason why: the corruption found at {@code cutOffset}, or null
 * @param emptySegmentRemoved the log's only segment, which held no record (a crash before its first
 *                  record was written), removed so that the log holds nothing as a fresh one; or null
 */
public record RecoveryReport(Path directory, int segments, long firstLsn, long lastLsn, long bytesCut, Path cutFile,
                             long cutOffset, String cutReason, Path emptySegmentRemoved) {
    /** Records in the log after recovery. */
    public long records() {
        return lastLsn - firstLsn + 1;
    }

    /** True when a torn or corrupt tail was cut. */
    public boolean cut() {
        return cutFile != null;
    }

    @Override
    public String toString() {
        String kept = "log " + directory + ": " + records() + " records (LSN " + firstLsn + " to " + lastLsn + ") in "
                + segments + " segments";
        String tail = cut() ? "; cut a torn tail of " + bytesCut + " bytes from " + cutFile.getFileName() + " at offset "
                + cutOffset + ": " + cutReason : "; tail intact";
        return kept + tail + (emptySegmentRemoved == null ? ""
                : "; removed " + emptySegmentRemoved.getFileName() + ", the only segment, which held no record");
    }
}
