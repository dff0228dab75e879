package io.fttcp.roles.primary;

import org.junit.jupiter.api.Test;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StableReleaseTest {
    @Test
    void aFreeLockReleasesOnTheCallersThreadWithoutWakingThePump() {
        ReentrantLock lock = new ReentrantLock();
        AtomicInteger pumpWakes = new AtomicInteger();
        StableRelease release = new StableRelease(lock, pumpWakes::incrementAndGet);
        boolean[] heldLock = {false};
        assertTrue(release.offer(() -> heldLock[0] = lock.isHeldByCurrentThread()));
        assertTrue(heldLock[0], "released under the host lock");
        assertEquals(0, pumpWakes.get());
        assertFalse(lock.isLocked());
    }

    /** The channel's reader must not wait behind the application's threads: it goes back to reading, the pump releases later. */
    @Test
    void aTakenLockWakesThePumpAndReturnsAtOnce() throws Exception {
        ReentrantLock lock = new ReentrantLock();
        AtomicInteger pumpWakes = new AtomicInteger();
        StableRelease release = new StableRelease(lock, pumpWakes::incrementAndGet);
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(1);
        Thread holder = Thread.ofPlatform().start(() -> {
            lock.lock();
            try {
                held.countDown();
                done.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                lock.unlock();
            }
        });
        try {
            assertTrue(held.await(30, TimeUnit.SECONDS));
            AtomicInteger released = new AtomicInteger();
            assertFalse(release.offer(released::incrementAndGet), "the lock is another thread's");
            assertEquals(0, released.get(), "nothing released without the lock");
            assertEquals(1, pumpWakes.get(), "the pump was woken to release it");
        } finally {
            done.countDown();
            holder.join();
        }
    }
}
