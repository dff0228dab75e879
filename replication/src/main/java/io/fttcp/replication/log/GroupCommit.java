package io.fttcp.replication.log;

/**
 * The fsync policy as a state machine, sans I/O: told what was appended, written, and when
 * forces were asked for and completed, it says what the log must do next and which LSN is
 * durable. Time is passed in, in nanoseconds of a monotonic clock.
 */
final class GroupCommit {
    /** What the log's edge must do with its append buffer. */
    enum Step { NOTHING, WRITE, WRITE_AND_FORCE }

    private final FsyncPolicy policy;
    private final long windowNanos;
    private long appendedLsn;
    private long writtenLsn;
    private long requestedLsn;
    private long forcedLsn;
    private boolean everForced;
    private long lastForceAt;

    /** @param lastLsn the highest LSN already on disk (recovered and forced), 0 for none */
    GroupCommit(FsyncPolicy policy, long windowNanos, long lastLsn) {
        this.policy = policy;
        this.windowNanos = windowNanos;
        restartAt(lastLsn);
    }

    /** A log that starts over at another LSN (an empty log's first append names its start). */
    void restartAt(long lastLsn) {
        appendedLsn = writtenLsn = requestedLsn = forcedLsn = lastLsn;
    }

    void appended(long lsn) {
        appendedLsn = lsn;
    }

    void written() {
        writtenLsn = appendedLsn;
    }

    /** A force of everything written so far was asked for at {@code now}. */
    void forceStarted(long now) {
        requestedLsn = writtenLsn;
        everForced = true;
        lastForceAt = now;
    }

    /** Forces up to {@code lsn} completed. */
    void forceCompleted(long lsn) {
        forcedLsn = Math.max(forcedLsn, lsn);
    }

    /** The caller has appended what it had for now (the end of a burst), or a deadline passed. */
    Step onCommit(long now) {
        return switch (policy) {
            case ALWAYS -> appendedLsn > requestedLsn ? Step.WRITE_AND_FORCE : Step.NOTHING;
            case NEVER -> appendedLsn > writtenLsn ? Step.WRITE : Step.NOTHING;
            case BATCH -> {
                if (appendedLsn == requestedLsn) {
                    yield Step.NOTHING;
                }
                if (forceDue(now)) {
                    yield Step.WRITE_AND_FORCE;
                }
                // Written now so that a crash of the logger process alone loses nothing; forced later.
                yield appendedLsn > writtenLsn ? Step.WRITE : Step.NOTHING;
            }
        };
    }

    /** The append buffer is full: write it, and unless the OS decides, force it (a batch on demand). */
    Step onBufferFull() {
        if (policy == FsyncPolicy.NEVER) {
            return appendedLsn > writtenLsn ? Step.WRITE : Step.NOTHING;
        }
        return appendedLsn > requestedLsn ? Step.WRITE_AND_FORCE : Step.NOTHING;
    }

    /** At a segment roll, after the buffer is written: must the old segment be forced before the next is started? */
    boolean forceAtRoll() {
        return policy != FsyncPolicy.NEVER && writtenLsn > requestedLsn;
    }

    private boolean forceDue(long now) {
        return !everForced || now - lastForceAt >= windowNanos;
    }

    /**
     * When {@link #onCommit} must next be called for the log to keep its policy: a time (BATCH
     * waiting for its window), {@link Long#MIN_VALUE} (now), or {@link Long#MAX_VALUE} (nothing
     * waits for a commit; a force in progress reports its completion by itself).
     */
    long deadline() {
        return switch (policy) {
            case ALWAYS -> appendedLsn > requestedLsn ? Long.MIN_VALUE : Long.MAX_VALUE;
            case NEVER -> appendedLsn > writtenLsn ? Long.MIN_VALUE : Long.MAX_VALUE;
            case BATCH -> appendedLsn == requestedLsn ? Long.MAX_VALUE : everForced ? lastForceAt + windowNanos : Long.MIN_VALUE;
        };
    }

    /** Highest LSN stored as the policy says: forced, or for NEVER written. */
    long durableLsn() {
        return policy == FsyncPolicy.NEVER ? writtenLsn : forcedLsn;
    }

    long appendedLsn() {
        return appendedLsn;
    }

    long writtenLsn() {
        return writtenLsn;
    }

    long requestedLsn() {
        return requestedLsn;
    }
}
