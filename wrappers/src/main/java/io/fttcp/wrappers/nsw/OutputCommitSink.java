package io.fttcp.wrappers.nsw;

import io.fttcp.stack.tcp.FourTuple;

/**
 * Output commit (DESIGN.md §3 rule 3), told by the north-side wrapper to the south-side one:
 * the application's bytes at stream offsets {@code [streamOffsetStart, streamOffsetEnd)} of
 * {@code connection} may leave the primary only once {@code lsn} is stable.
 *
 * <p>Offset 0 is the first byte after our SYN; a FIN counts as the byte at the stream's final
 * offset. {@code lsn} 0 means "nothing to wait for". The wrapper calls this before it hands the
 * bytes to the stack, so the south side always knows the requirement before the bytes exist.
 * Ranges may overlap an earlier call's (a partial write is retried with the rest of its bytes,
 * possibly under a higher LSN); the bytes are the same, so the lowest LSN given for a byte
 * suffices. Thread-safe; must not block.
 */
public interface OutputCommitSink {

    void requireStable(FourTuple connection, long streamOffsetStart, long streamOffsetEnd, long lsn);

    /** For unprotected runs and tests that do not care. */
    OutputCommitSink NONE = (connection, start, end, lsn) -> { };
}
