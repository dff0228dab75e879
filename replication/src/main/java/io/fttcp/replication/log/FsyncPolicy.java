package io.fttcp.replication.log;

/** When the log forces appended records to stable storage, and so when it may acknowledge them. */
public enum FsyncPolicy {
    /** Every commit writes and forces; a record is durable (acknowledgeable) only once forced. */
    ALWAYS,
    /**
     * Group commit: a commit writes at once but forces at most once per batch window (or when the
     * batch buffer fills, or at a segment roll); a record is durable once forced.
     */
    BATCH,
    /** Write, never force: the OS decides. A record is "durable" once written (survives the logger process, not the host). */
    NEVER
}
