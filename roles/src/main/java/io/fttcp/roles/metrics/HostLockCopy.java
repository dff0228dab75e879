package io.fttcp.roles.metrics;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A scrape's copy of numbers the stack keeps under its host lock, made only if the lock comes
 * within a bound: a wedged stack must not hang the metrics endpoint, whose readings matter most
 * then. What could not be copied is left out of that scrape (and {@code fttcp_host_lock_busy}
 * says so).
 */
public final class HostLockCopy {
    /** Far above the lock's usual hold times (microseconds), far below a scraper's timeout. */
    public static final long PATIENCE_MILLIS = 250;

    private HostLockCopy() {
    }

    /** Runs {@code copy} under {@code lock} if it gets the lock within the patience; false if it did not run. */
    public static boolean tryCopy(ReentrantLock lock, Runnable copy) {
        boolean locked;
        try {
            locked = lock.tryLock(PATIENCE_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        if (!locked) return false;
        try {
            copy.run();
            return true;
        } finally {
            lock.unlock();
        }
    }
}
