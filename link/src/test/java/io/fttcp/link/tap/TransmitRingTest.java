package io.fttcp.link.tap;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.*;

class TransmitRingTest {
    private static final long TIMEOUT_MILLIS = 10_000;

    @Test
    void framesLeaveInOrderWithTheirLengthsAndDeadlinesWhileSendersWaitForRoom() throws Exception {
        long seed = new SplittableRandom().nextLong();
        try (Arena arena = Arena.ofShared()) {
            AtomicLong waits = new AtomicLong();
            TransmitRing ring = new TransmitRing(arena, 4, 64, waits);
            int frames = 20_000;
            List<String> seen = new ArrayList<>();
            Thread writer = Thread.ofPlatform().start(() -> {
                SplittableRandom slow = new SplittableRandom(seed ^ 1);
                try {
                    long s;
                    while ((s = ring.awaitFilled()) >= 0) {
                        int first = ring.segment((int) (s % 4)).get(ValueLayout.JAVA_INT, 0);
                        seen.add(first + ":" + ring.length(s) + ":" + ring.deadline(s));
                        if (slow.nextInt(64) == 0) Thread.yield(); // let the sender fill the ring now and then
                        ring.release(s);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            SplittableRandom r = new SplittableRandom(seed);
            List<String> sent = new ArrayList<>();
            try {
                for (int i = 0; i < frames; i++) {
                    int slot = ring.awaitFree();
                    assertTrue(slot >= 0, "seed " + seed);
                    int length = 4 + r.nextInt(60);
                    long deadline = r.nextBoolean() ? Long.MAX_VALUE : r.nextLong();
                    ring.segment(slot).set(ValueLayout.JAVA_INT, 0, i);
                    assertTrue(ring.publish(length, deadline), "seed " + seed);
                    sent.add(i + ":" + length + ":" + deadline);
                }
            } finally {
                ring.close(); // the writer must not outlive the arena
                writer.join(TIMEOUT_MILLIS);
            }
            assertFalse(writer.isAlive(), "the writer stops once closed and drained; seed " + seed);
            assertEquals(sent, seen, "seed " + seed);
            assertTrue(waits.get() > 0, "with 4 slots and 20,000 frames the sender must have waited for room; seed " + seed);
        }
    }

    @Test
    void closingWakesASenderWaitingForRoomAndTheWriterAfterTheQueuedFrames() throws Exception {
        try (Arena arena = Arena.ofShared()) {
            TransmitRing ring = new TransmitRing(arena, 1, 16, new AtomicLong());
            assertEquals(0, ring.awaitFree());
            ring.publish(8, Long.MAX_VALUE);
            int[] got = {99};
            Thread sender = Thread.ofPlatform().start(() -> got[0] = ring.awaitFree());
            awaitWaiting(sender);
            ring.close();
            sender.join(TIMEOUT_MILLIS);
            assertEquals(-1, got[0], "a sender waiting when the ring closes gets nothing");
            assertEquals(0, ring.awaitFilled(), "the frame queued before close is still written");
            ring.release(0);
            assertEquals(-1, ring.awaitFilled());
            assertEquals(-1, ring.awaitFree());
        }
    }

    /**
     * The point of the deadline: a frame queued while its lease held, taken by the writer after
     * the lease ran out, is dropped, not written; one taken in time is written; a frame published
     * after close is refused.
     */
    @Test
    void aFrameWhoseDeadlinePassesWhileQueuedIsNotWritten() throws Exception {
        try (Arena arena = Arena.ofShared()) {
            TransmitRing ring = new TransmitRing(arena, 4, 16, new AtomicLong());
            long[] clock = {1_000};
            List<Integer> written = new ArrayList<>();
            TransmitRing.SlotWriter writer = (slot, length) -> written.add(length);
            ring.awaitFree();
            assertTrue(ring.publish(1, 2_000)); // queued at 1,000 with its lease until 2,000
            ring.awaitFree();
            assertTrue(ring.publish(2, 5_000));
            ring.awaitFree();
            assertTrue(ring.publish(3, Long.MAX_VALUE));
            clock[0] = 3_000; // the writer comes to them late
            assertEquals(TransmitRing.Outcome.PAST_DEADLINE, ring.writeNext(() -> clock[0], writer));
            assertEquals(TransmitRing.Outcome.WRITTEN, ring.writeNext(() -> clock[0], writer));
            assertEquals(TransmitRing.Outcome.WRITTEN, ring.writeNext(() -> clock[0], writer));
            assertEquals(List.of(2, 3), written);
            assertEquals(0, ring.queued());
            ring.awaitFree();
            assertTrue(ring.publish(4, Long.MAX_VALUE));
            assertEquals(TransmitRing.Outcome.WRITE_FAILED, ring.writeNext(() -> clock[0], (slot, length) -> false));
            int slot = ring.awaitFree();
            ring.close();
            assertFalse(ring.publish(5, Long.MAX_VALUE), "slot " + slot + " taken before close, published after: refused");
            assertEquals(TransmitRing.Outcome.CLOSED, ring.writeNext(() -> clock[0], writer));
        }
    }

    @Test
    void anInterruptDoesNotEndASendersWaitForRoom() throws Exception {
        try (Arena arena = Arena.ofShared()) {
            TransmitRing ring = new TransmitRing(arena, 1, 16, new AtomicLong());
            ring.awaitFree();
            ring.publish(8, Long.MAX_VALUE);
            int[] got = {99};
            boolean[] stillInterrupted = {false};
            Thread sender = Thread.ofPlatform().start(() -> {
                got[0] = ring.awaitFree();
                stillInterrupted[0] = Thread.currentThread().isInterrupted();
            });
            awaitWaiting(sender);
            sender.interrupt();
            Thread.sleep(50);
            awaitWaiting(sender); // back in its wait after the interrupt
            assertTrue(sender.isAlive(), "interrupted, the sender still waits for room");
            assertEquals(TransmitRing.Outcome.WRITTEN, ring.writeNext(System::nanoTime, (s, l) -> true));
            sender.join(TIMEOUT_MILLIS);
            assertEquals(0, got[0], "room came: the sender has its slot");
            assertTrue(stillInterrupted[0], "and its interrupt is kept");
            ring.close();
        }
    }

    /** Until {@code t} waits on a monitor (the ring's): the test then acts on a waiting thread, not a starting one. */
    private static void awaitWaiting(Thread t) throws InterruptedException {
        long until = System.nanoTime() + TIMEOUT_MILLIS * 1_000_000L;
        while (t.getState() != Thread.State.WAITING) {
            assertTrue(System.nanoTime() < until, "the thread never waited: " + t.getState());
            Thread.sleep(1);
        }
    }

    @Test
    void releasingOutOfOrderIsRefused() throws Exception {
        try (Arena arena = Arena.ofShared()) {
            TransmitRing ring = new TransmitRing(arena, 2, 16, new AtomicLong());
            ring.awaitFree();
            ring.publish(1, Long.MAX_VALUE);
            ring.awaitFree();
            ring.publish(1, Long.MAX_VALUE);
            assertThrows(IllegalStateException.class, () -> ring.release(1));
            assertEquals(2, ring.queued());
        }
    }

    @Test
    void aDeadlineIsMetStrictlyBeforeItAndNeverWithoutOne() {
        assertTrue(TransmitRing.inTime(1_000, 999));
        assertFalse(TransmitRing.inTime(1_000, 1_000));
        assertFalse(TransmitRing.inTime(1_000, 5_000));
        assertTrue(TransmitRing.inTime(Long.MAX_VALUE, Long.MAX_VALUE - 1));
        assertTrue(TransmitRing.inTime(Long.MAX_VALUE, Long.MIN_VALUE));
        assertTrue(TransmitRing.inTime(Long.MIN_VALUE + 10, Long.MAX_VALUE - 10), "nanoTime differences wrap: just before");
    }
}
