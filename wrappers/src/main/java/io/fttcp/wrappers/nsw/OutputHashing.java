package io.fttcp.wrappers.nsw;

/** Whether the primary logs a hash of each write's bytes, so the backup can detect divergence. */
public enum OutputHashing {
    /** WRITE records carry hash 0; the backup cannot detect divergent output. */
    OFF,
    /** WRITE records carry {@link OutputHash} of the bytes written; the backup compares. */
    HASH
}
