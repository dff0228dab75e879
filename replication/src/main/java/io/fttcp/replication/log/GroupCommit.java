package io.fttcp.replication.log;

/**
 * The fsync policy as a state machine, sans I/O: told what was appended, written and forced (and
 * when), it says what the log must do next and which LSN is durable. Time is passed in, in
 * nanoseconds of a monotonic clock.
 */
final class GroupCommit {
    /** What the log's edge must do with its append buffer. */
    enum Step { NOTHING, WRITE, WRITE_AND_FORCE }

    private final FsyncPolicy policy;
    private final long windowNanos;
    private long appendedLsn;
    private long writtenLsn;
    private long forcedLsn;
    private boolean everForced;
    private long lastForceAt;

    /** @param lastLsn the highest LSN already on disk (recovered and forced), 0 for none */
    GroupCommit(FsyncPolicy policy, long windowNanos, long lastLsn) {
        this.policy = policy;
        this.windowNanos = windowNanos;
        this.appendedLsn = lastLsn;
        this.writtenLsn = lastLsn;
        this.forcedLsn = lastLsn;
    }

    /** A log that starts over at another LSN (an empty log's first append names its start). */
    void restartAt(long lastLsn) {
        appendedLsn = writtenLsn = forcedLsn = lastLsn;
    }

    void appended(long lsn) {
        appendedLsn = lsn;
    }

    void written() {
        writtenLsn = appendedLsn;
    }

    void forced(long now) {
        writtenLsn = forcedLsn = appendedLsn;
        everForced = true;
        lastForceAt = now;
    }

    /** The caller has appended what it had for now (the end of a burst), or a deadline passed. */
    Step onCommit(long now) {
        return switch (policy) {
            case ALWAYS -> appendedLsn > forcedLsn ? Step.WRITE_AND_FORCE : Step.NOTHING;
            case NEVER -> appendedLsn > writtenLsn ? Step.WRITE : Step.NOTHING;
            case BATCH -> {
                if (appendedLsn == forcedLsn) {
                    yield Step.NOTHING;
                }
                if (forceDue(now)) {
                    yield Step.WRITE_AND_FORCE;
                }
                // Written now so a crash of the logger process alone loses nothing; forced later.
                yield appendedLsn > writtenLsn ? Step.WRITE : Step.NOTHING;
            }
        };
    }

    /**
     * The append buffer is full, or the segment is about to roll: both must leave the buffer
     * written, and, unless the OS decides, forced (a full buffer is a batch on demand; a
     * segment must be whole on disk before a later one holds records, or a crash could leave a
     * hole in the middle of the log).
     */
    Step onBufferFullOrRoll() {
        if (appendedLsn == writtenLsn && (policy == FsyncPolicy.NEVER || appendedLsn == forcedLsn)) {
            return Step.NOTHING;
        }
        return policy == FsyncPolicy.NEVER ? Step.WRITE : Step.WRITE_AND_FORCE;
    }

    private boolean forceDue(long now) {
        return !everForced || now - lastForceAt >= windowNanos;
    }

    /**
     * When {@link #onCommit} must next be called for the log to keep its policy: a time (BATCH
     * waiting for its window), {@link Long#MIN_VALUE} (now), or {@link Long#MAX_VALUE} (never:
     * nothing is pending).
     */
    long deadline() {
        return switch (policy) {
            case ALWAYS -> appendedLsn > forcedLsn ? Long.MIN_VALUE : Long.MAX_VALUE;
            case NEVER -> appendedLsn > writtenLsn ? Long.MIN_VALUE : Long.MAX_VALUE;
            case BATCH -> appendedLsn == forcedLsn ? Long.MAX_VALUE : everForced ? lastForceAt + windowNanos : Long.MIN_VALUE;
        };
    }

    /** Highest LSN stored as the policy says: forced, or for NEVER written. */
    long durableLsn() {
        return policy == FsyncPolicy.NEVER ? writtenLsn : forcedLsn;
    }

    long appendedLsn() {
        return appendedLsn;
    }
}
