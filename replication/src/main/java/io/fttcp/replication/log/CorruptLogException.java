package io.fttcp.replication.log;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A log cannot be recovered or read as it is: a corrupt record that is not a torn tail (good
 * records follow it, or it is in a segment before the last), or records whose LSNs have a gap or
 * a duplicate. Nothing was skipped or cut. Recovering past it loses every record after it: an
 * operator can keep a copy of the directory and truncate the named file at the named offset (and
 * delete the later segments) if that is acceptable, or restore the log from elsewhere.
 */
public final class CorruptLogException extends IOException {
    private final Path file;
    private final long offset;

    public CorruptLogException(Path file, long offset, String what) {
        super("corrupt log segment " + file + " at byte offset " + offset + ": " + what
                + " (recovery stopped; nothing was skipped or cut)");
        this.file = file;
        this.offset = offset;
    }

    /** The segment file where the log stops being valid. */
    public Path file() {
        return file;
    }

    /** Byte offset in {@link #file()} of the first record that is not valid (or of the file's end, for a gap). */
    public long offset() {
        return offset;
    }
}
