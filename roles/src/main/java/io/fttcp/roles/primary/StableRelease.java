package io.fttcp.roles.primary;

import java.util.concurrent.locks.ReentrantLock;

/**
 * Releases what an acknowledgement made stable on the channel's reader thread when the host lock
 * is free at once, and otherwise leaves it to the pump (which releases the same under the lock on
 * its next turn). Waiting for the lock instead let the reader starve behind the application's
 * threads (100 concurrent downloads held it in turn): it read nothing meanwhile, and after a
 * second without reading, the primary took its live backup for dead.
 */
final class StableRelease {
    private final ReentrantLock hostLock;
    private final Runnable wakePump;

    StableRelease(ReentrantLock hostLock, Runnable wakePump) {
        this.hostLock = hostLock;
        this.wakePump = wakePump;
    }

    /**
     * Runs {@code release} under the host lock if it is free now; else wakes the pump.
     *
     * @return whether {@code release} ran here
     */
    boolean offer(Runnable release) {
        if (!hostLock.tryLock()) {
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
