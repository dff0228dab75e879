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
    /** Generous, so that a loaded machine's scheduling cannot make the holder late. */
    private static final long LONG_PATIENCE = TimeUnit.SECONDS.toNanos(20);
    private static final long SHORT_PATIENCE = TimeUnit.MILLISECONDS.toNanos(50);

    /** The host lock, and how often the pump was woken (each test has its own). */
    private final ReentrantLock lock = new ReentrantLock();
    private final AtomicInteger pumpWakes = new AtomicInteger();

    private StableRelease release(long patienceNanos) {
        return new StableRelease(lock, patienceNanos, pumpWakes::incrementAndGet);
    }

    /** A thread that holds {@code lock} (taken before this returns) until {@code release} counts down. */
    private static Thread holdUntil(ReentrantLock lock, CountDownLatch release) throws InterruptedException {
        CountDownLatch held = new CountDownLatch(1);
        Thread holder = Thread.ofPlatform().start(() -> {
            lock.lock();
            try {
                held.countDown();
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                lock.unlock();
            }
        });
        assertTrue(held.await(30, TimeUnit.SECONDS), "the holder took the lock");
        return holder;
    }

    @Test
    void aLockFreedWithinThePatienceReleasesHere() throws Exception {
        StableRelease release = release(LONG_PATIENCE);
        CountDownLatch go = new CountDownLatch(1);
        Thread holder = holdUntil(lock, go);
        AtomicInteger released = new AtomicInteger();
        Thread reader = Thread.ofPlatform().start(() -> release.offer(released::incrementAndGet));
        // Let the reader queue on the lock, then free it well within the patience.
        while (!lock.hasQueuedThread(reader)) Thread.onSpinWait();
        go.countDown();
        reader.join();
        holder.join();
        assertEquals(1, released.get(), "released by the reader once the lock came");
        assertEquals(0, pumpWakes.get());
    }

    @Test
    void aFreeLockReleasesOnTheCallersThreadWithoutWakingThePump() {
        StableRelease release = release(SHORT_PATIENCE);
        boolean[] heldLock = {false};
        assertTrue(release.offer(() -> heldLock[0] = lock.isHeldByCurrentThread()));
        assertTrue(heldLock[0], "released under the host lock");
        assertEquals(0, pumpWakes.get());
        assertFalse(lock.isLocked());
    }

    /** The channel's reader must not wait long behind the application's threads: it goes back to reading, the pump releases later. */
    @Test
    void aLockHeldPastThePatienceWakesThePumpAndReturns() throws Exception {
        StableRelease release = release(SHORT_PATIENCE);
        CountDownLatch done = new CountDownLatch(1);
        Thread holder = holdUntil(lock, done);
        try {
            AtomicInteger released = new AtomicInteger();
            long t0 = System.nanoTime();
            assertFalse(release.offer(released::incrementAndGet), "the lock is another thread's");
            long waited = System.nanoTime() - t0;
            assertTrue(waited >= SHORT_PATIENCE && waited < LONG_PATIENCE, "waited " + waited + " ns");
            assertEquals(0, released.get(), "nothing released without the lock");
            assertEquals(1, pumpWakes.get(), "the pump was woken to release it");
        } finally {
            done.countDown();
            holder.join();
        }
    }
}
