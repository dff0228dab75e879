package io.fttcp.sim.net;

import java.util.SplittableRandom;

/**
 * One direction of a port's link (host to switch, or switch to host): decides each frame's fate
 * under its {@link LinkConditions}. Every frame draws the same number of random values whatever
 * the conditions, so changing one parameter (say, loss) does not reshuffle the others' choices.
 */
final class LinkDirection {
    private final SplittableRandom random;
    private final PortStats stats;
    private LinkConditions conditions;

    // Transmit queue: end-of-serialization times and sizes of frames not yet fully sent (a ring).
    private long[] queueEnds = new long[64];
    private int[] queueSizes = new int[64];
    private int queueHead;
    private int queueCount;
    private long queuedBytes;
    private long busyUntil;
    /** Arrival time of the last in-order frame: jitter never lets a later frame arrive earlier. */
    private long lastInOrderArrival;

    // Results of the last admit() call.
    private long transmitEnd;
    private long arrival;
    private long duplicateArrival;

    LinkDirection(LinkConditions conditions, SplittableRandom random, PortStats stats) {
        this.conditions = conditions;
        this.random = random;
        this.stats = stats;
    }

    LinkConditions conditions() {
        return conditions;
    }

    void setConditions(LinkConditions conditions) {
        this.conditions = conditions;
    }

    /**
     * Decides the fate of a {@code length}-byte frame entering this direction at {@code now}.
     * Returns null if it goes through (then see {@link #transmitEnd()}, {@link #arrival()},
     * {@link #duplicateArrival()}), else why it was dropped.
     */
    DropCause admit(int length, long now) {
        double lossDraw = random.nextDouble();
        double duplicateDraw = random.nextDouble();
        double reorderDraw = random.nextDouble();
        double jitterDraw = random.nextDouble();
        double extraDraw = random.nextDouble();
        double duplicateJitterDraw = random.nextDouble();
        LinkConditions c = conditions;

        if (length > c.mtu() + LinkConditions.ETHERNET_HEADER) {
            return DropCause.OVERSIZE;
        }
        long end = now;
        if (c.bitsPerSecond() > 0) {
            drainQueue(now);
            if (queueCount > 0 && queuedBytes + length > c.queueLimitBytes()) {
                return DropCause.QUEUE_FULL;
            }
            end = Math.max(now, busyUntil) + c.serializationNanos(length);
            busyUntil = end;
            enqueue(end, length);
        }
        transmitEnd = end;
        // A lost frame still used the wire's bandwidth.
        if (lossDraw < c.lossProbability()) {
            return DropCause.LOSS;
        }
        long propagated = end + c.delayNanos() + (long) (jitterDraw * c.jitterNanos());
        if (reorderDraw < c.reorderProbability()) {
            arrival = propagated + 1 + (long) (extraDraw * c.reorderDelayNanos());
            stats.reordered++;
        } else {
            arrival = Math.max(propagated, lastInOrderArrival);
            lastInOrderArrival = arrival;
        }
        if (duplicateDraw < c.duplicateProbability()) {
            duplicateArrival = arrival + (long) (duplicateJitterDraw * c.jitterNanos());
            stats.duplicated++;
        } else {
            duplicateArrival = -1;
        }
        return null;
    }

    /** When the last admitted frame finished serialization. */
    long transmitEnd() {
        return transmitEnd;
    }

    /** When the last admitted frame arrives at the far end. */
    long arrival() {
        return arrival;
    }

    /** When the duplicate of the last admitted frame arrives, or -1 if it was not duplicated. */
    long duplicateArrival() {
        return duplicateArrival;
    }

    /** Bytes waiting or being serialized at {@code now}. */
    long queuedBytes(long now) {
        drainQueue(now);
        return queuedBytes;
    }

    /** Forgets queued frames (the host behind this direction lost power at {@code now}). */
    void resetQueue(long now) {
        queueHead = 0;
        queueCount = 0;
        queuedBytes = 0;
        busyUntil = now;
        // Frames already on the wire may still arrive; jitter could now reorder new ones past them.
        lastInOrderArrival = now;
    }

    private void drainQueue(long now) {
        while (queueCount > 0 && queueEnds[queueHead] <= now) {
            queuedBytes -= queueSizes[queueHead];
            queueHead = (queueHead + 1) % queueEnds.length;
            queueCount--;
        }
    }

    private void enqueue(long end, int length) {
        if (queueCount == queueEnds.length) {
            long[] ends = new long[queueEnds.length * 2];
            int[] sizes = new int[ends.length];
            for (int i = 0; i < queueCount; i++) {
                int from = (queueHead + i) % queueEnds.length;
                ends[i] = queueEnds[from];
                sizes[i] = queueSizes[from];
            }
            queueEnds = ends;
            queueSizes = sizes;
            queueHead = 0;
        }
        int tail = (queueHead + queueCount) % queueEnds.length;
        queueEnds[tail] = end;
        queueSizes[tail] = length;
        queueCount++;
        queuedBytes += length;
    }

    @Override
    public String toString() {
        return "LinkDirection[" + conditions + "]";
    }
}
