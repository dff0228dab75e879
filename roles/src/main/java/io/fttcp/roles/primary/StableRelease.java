package io.fttcp.roles.primary;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Releases what an acknowledgement made stable on the channel's reader thread when the host lock
 * comes within a short patience ({@link #PATIENCE_NANOS} in production), and otherwise leaves it to the pump (which releases the
 * same under the lock on its next turn). Waiting for the lock without a bound let the reader
 * starve behind the application's threads (100 concurrent downloads held it in turn): it read
 * nothing meanwhile, and after a second without reading, the primary took its live backup for
 * dead. Not waiting at all cost a download a tenth of its throughput: its writer holds the lock
 * most of the time, and every release then waited for the pump's wake-up.
 */
final class StableRelease {
    /** Far below any detection timeout; far above the lock's usual hold times (microseconds). */
    static final long PATIENCE_NANOS = 2_000_000;

    private final ReentrantLock hostLock;
    private final long patienceNanos;
    private final Runnable wakePump;

    StableRelease(ReentrantLock hostLock, long patienceNanos, Runnable wakePump) {
        this.hostLock = hostLock;
        this.patienceNanos = patienceNanos;
        this.wakePump = wakePump;
    }

    /**
     * Runs {@code release} under the host lock if it gets the lock within the patience; else wakes
     * the pump.
     *
     * @return whether {@code release} ran here
     */
    boolean offer(Runnable release) {
        boolean locked;
        try {
            locked = hostLock.tryLock(patienceNanos, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // a closing channel's reader: the pump releases
            locked = false;
        }
        if (!locked) {
            wakePump.run();
            return false;
        }
        try {
            release.run();
        } finally {
            hostLock.unlock();
        }
        return true;
    }
}
