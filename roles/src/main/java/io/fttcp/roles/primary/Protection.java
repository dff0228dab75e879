package io.fttcp.roles.primary;

/** Where a primary stands with its backup; see {@link ReplicationLog}. */
public enum Protection {
    /** Starting: no backup yet. Records are kept for it and nothing is stable, so clients wait. */
    AWAITING_BACKUP,
    /** A backup holds the records: output leaves only once what it depends on is stable. */
    PROTECTED,
    /**
     * Shown, never held: PROTECTED, but a joiner (a new backup, or a logger re-joined) has not yet
     * acknowledged the catch-up of the connections served unprotected before it, so a crash now
     * would still lose those (see {@link ReplicationLog#reported}).
     */
    CATCHING_UP,
    /** No backup (it failed, or never came): everything is stable at once; a crash now loses the connections. */
    UNPROTECTED,
    /** The backup may have taken over: this primary emits nothing more, ever. */
    STEPPED_DOWN
}
