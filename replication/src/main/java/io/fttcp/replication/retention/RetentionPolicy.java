package io.fttcp.replication.retention;

/** Which records a {@link LiveRecordSet} keeps for catch-up. */
public enum RetentionPolicy {
    /**
     * The application's state lives in its connections (file, web, streaming servers): the
     * records of finished connections are dropped (see the package documentation).
     */
    CONNECTION_SCOPED,
    /** The application's state spans connections: every record is kept. */
    EVERYTHING,
    /**
     * The application's state spans connections and it takes checkpoints: every record is kept
     * from the latest checkpoint that matches the records on, and before it only what the
     * connections live at the checkpoint still need (see the package documentation).
     */
    CHECKPOINTED
}
