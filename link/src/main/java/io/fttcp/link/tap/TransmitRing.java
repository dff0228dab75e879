package io.fttcp.link.tap;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Frames on their way to the TAP device's writer thread: a fixed ring of native slots, filled in
 * order by one sender at a time and written in order by one writer. Senders hand a frame over
 * and return, so the write(2) system call is no longer made under the host lock the sender
 * holds (measured: the reader waited for that lock 29 to 54% of the time).
 *
 * <p>Each slot carries a deadline: the writer drops a frame it takes after it (a protected
 * primary's frame queued while its lease held must not leave once the lease ran out, e.g. when
 * the process resumes from SIGSTOP with frames still queued).
 *
 * <p>Protocol: a sender calls {@link #awaitFree}, fills the returned slot, then
 * {@link #publish}es it; senders must be serialized by the caller. The writer calls
 * {@link #awaitFilled}, writes the slot, then {@link #release}s it.
 */
final class TransmitRing {
    private final MemorySegment[] slots;
    private final ByteBuffer[] views;
    private final int[] lengths;
    private final long[] deadlines;
    /** Guarded by this: slots [tail, head) are filled, in sequence order (taken modulo the size). */
    private long head;
    private long tail;
    private boolean closed;
    private boolean writerWaiting;
    private int sendersWaiting;
    private final AtomicLong fullWaits;

    /** {@code fullWaits} counts the sends that found every slot queued and had to wait. */
    TransmitRing(Arena arena, int slotCount, int slotBytes, AtomicLong fullWaits) {
        this.fullWaits = fullWaits;
        if (slotCount < 1) throw new IllegalArgumentException("a ring needs at least one slot, got " + slotCount);
        slots = new MemorySegment[slotCount];
        views = new ByteBuffer[slotCount];
        lengths = new int[slotCount];
        deadlines = new long[slotCount];
        for (int i = 0; i < slotCount; i++) {
            slots[i] = arena.allocate(slotBytes, 64);
            views[i] = slots[i].asByteBuffer();
        }
    }

    /**
     * The index of the next slot to fill, waiting while every slot is queued; -1 once closed.
     * Not ended by an interrupt (only by room or {@link #close}): a frame the stack counts as
     * sent must not be lost to one; the interrupt stays set for the caller. The caller owns the
     * slot until {@link #publish}.
     */
    synchronized int awaitFree() {
        boolean counted = false;
        boolean interrupted = false;
        while (!closed && head - tail == slots.length) {
            if (!counted) {
                fullWaits.incrementAndGet();
                counted = true;
            }
            sendersWaiting++;
            try {
                wait();
            } catch (InterruptedException e) {
                interrupted = true;
            } finally {
                sendersWaiting--;
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
        return closed ? -1 : index(head);
    }

    private int index(long sequence) {
        return (int) (sequence % slots.length);
    }

    /** Slot {@code index} as native memory (what write(2) takes). */
    MemorySegment segment(int index) {
        return slots[index];
    }

    /** Slot {@code index} as a buffer (absolute puts only: it is shared with the next use). */
    ByteBuffer view(int index) {
        return views[index];
    }

    /**
     * Queues the slot {@link #awaitFree} returned, holding {@code length} bytes, to be written
     * only until {@code deadline} (System.nanoTime(); Long.MAX_VALUE: no deadline).
     *
     * @return false if the ring closed meanwhile: the frame is not queued (the writer may be gone)
     */
    synchronized boolean publish(int length, long deadline) {
        if (closed) return false;
        int i = index(head);
        lengths[i] = length;
        deadlines[i] = deadline;
        head++;
        if (writerWaiting) notifyAll();
        return true;
    }

    /**
     * The sequence number of the oldest queued slot, waiting while none is; -1 once closed and
     * every slot queued before was taken.
     */
    synchronized long awaitFilled() throws InterruptedException {
        while (head == tail) {
            if (closed) return -1;
            writerWaiting = true;
            try {
                wait();
            } finally {
                writerWaiting = false;
            }
        }
        return tail;
    }

    /** Read by the writer between {@link #awaitFilled} and {@link #release}: the publish happened before, under the monitor. */
    int length(long sequence) {
        return lengths[index(sequence)];
    }

    long deadline(long sequence) {
        return deadlines[index(sequence)];
    }

    /** The writer is done with the oldest slot: a sender may fill it again. */
    synchronized void release(long sequence) {
        if (sequence != tail) throw new IllegalStateException("released slot " + sequence + " out of order; the oldest is " + tail);
        tail++;
        if (sendersWaiting > 0) notifyAll();
    }

    /** No more frames: waiting senders get -1; the writer takes what was queued, then -1. */
    synchronized void close() {
        closed = true;
        notifyAll();
    }

    /** Frames queued and not yet written. */
    synchronized int queued() {
        return (int) (head - tail);
    }

    /** What the writer does with a queued slot's bytes. */
    @FunctionalInterface
    interface SlotWriter {
        /** Writes {@code length} bytes of {@code slot}; false if the write failed. */
        boolean write(MemorySegment slot, int length);
    }

    /** What became of one queued frame. */
    enum Outcome { WRITTEN, WRITE_FAILED, PAST_DEADLINE, CLOSED }

    /**
     * The writer's step: waits for the oldest queued frame, writes it with {@code writer} if
     * {@code clock} (read just before) says its deadline has not come, and frees its slot.
     * {@link Outcome#CLOSED} once closed and drained.
     */
    Outcome writeNext(java.util.function.LongSupplier clock, SlotWriter writer) throws InterruptedException {
        long sequence = awaitFilled();
        if (sequence < 0) return Outcome.CLOSED;
        try {
            if (!inTime(deadline(sequence), clock.getAsLong())) return Outcome.PAST_DEADLINE;
            return writer.write(slots[index(sequence)], length(sequence)) ? Outcome.WRITTEN : Outcome.WRITE_FAILED;
        } finally {
            release(sequence);
        }
    }

    /** Whether a frame with {@code deadline} may still be written at {@code now}. */
    static boolean inTime(long deadline, long now) {
        return deadline == Long.MAX_VALUE || now - deadline < 0;
    }
}
