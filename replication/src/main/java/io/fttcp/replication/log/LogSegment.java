package io.fttcp.replication.log;

import java.nio.file.Path;

/**
 * One segment file of a log, named by the LSN of its first record, zero-padded to 20 digits so
 * that names sort as LSNs do: {@code 00000000000000000001.seg}.
 */
record LogSegment(long firstLsn, Path file) {
    static final String SUFFIX = ".seg";
    private static final int DIGITS = 20;

    static LogSegment in(Path dir, long firstLsn) {
        return new LogSegment(firstLsn, dir.resolve(String.format("%0" + DIGITS + "d", firstLsn) + SUFFIX));
    }

    static boolean looksLikeSegment(Path file) {
        return file.getFileName().toString().endsWith(SUFFIX);
    }

    /** @return the segment, or null when the name is not a segment name (20 digits, an LSN >= 1, ".seg") */
    static LogSegment parse(Path file) {
        String name = file.getFileName().toString();
        if (name.length() != DIGITS + SUFFIX.length() || !name.endsWith(SUFFIX)) {
            return null;
        }
        long lsn = 0;
        for (int i = 0; i < DIGITS; i++) {
            char c = name.charAt(i);
            if (c < '0' || c > '9' || lsn > (Long.MAX_VALUE - 9) / 10) {
                return null;
            }
            lsn = lsn * 10 + (c - '0');
        }
        return lsn >= 1 ? new LogSegment(lsn, file) : null;
    }
}
