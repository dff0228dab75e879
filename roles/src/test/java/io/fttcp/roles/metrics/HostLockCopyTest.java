package io.fttcp.roles.metrics;

import org.junit.jupiter.api.Test;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.locks.ReentrantLock;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HostLockCopyTest {
    @Test
    void copiesUnderAFreeLock() {
        ReentrantLock lock = new ReentrantLock();
        boolean[] held = {false};
        assertTrue(HostLockCopy.tryCopy(lock, () -> held[0] = lock.isHeldByCurrentThread()));
        assertTrue(held[0], "the copy ran under the lock");
        assertFalse(lock.isLocked(), "and released it");
    }

    /** A wedged stack (its lock never released) costs a scrape the patience, not the scrape. */
    @Test
    void givesUpOnALockHeldElsewhere() throws Exception {
        ReentrantLock lock = new ReentrantLock();
        CountDownLatch taken = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(1);
        Thread wedged = Thread.ofPlatform().start(() -> {
            lock.lock();
            taken.countDown();
            try {
                done.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                lock.unlock();
            }
        });
        taken.await();
        boolean[] ran = {false};
        long start = System.nanoTime();
        assertFalse(HostLockCopy.tryCopy(lock, () -> ran[0] = true));
        long waitedMillis = (System.nanoTime() - start) / 1_000_000;
        assertFalse(ran[0]);
        assertTrue(waitedMillis >= HostLockCopy.PATIENCE_MILLIS - 5, "it waited the patience: " + waitedMillis + " ms");
        done.countDown();
        wedged.join();
    }
}
