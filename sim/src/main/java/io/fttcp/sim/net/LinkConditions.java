package io.fttcp.sim.net;

import java.time.Duration;

/**
 * The fault model of one direction of a simulated link. Immutable; build one from
 * {@link #ideal()} or {@link #lossy(double)} with the {@code with...} methods, e.g.
 * {@code LinkConditions.ideal().withDelay(Duration.ofMillis(5)).withLoss(0.01)}.
 *
 * <p>A frame on a direction: is dropped if larger than {@code mtu} + the 14-byte Ethernet
 * header; waits in a FIFO transmit queue of {@code queueLimitBytes} and is serialized at
 * {@code bitsPerSecond} (0: unlimited, no queue), or is tail-dropped when the queue is full; is
 * lost with {@code lossProbability}; then propagates for {@code delay} plus a uniform jitter in
 * [0, {@code jitter}]. Jitter alone never reorders: frames keep their order unless picked for
 * reordering (probability {@code reorderProbability}), which adds an extra uniform delay in
 * (0, {@code reorderDelay}] so that later frames overtake it. A frame is duplicated with
 * {@code duplicateProbability}; the copy arrives with its own jitter.
 *
 * @param delayNanos           propagation delay
 * @param jitterNanos          maximum extra random delay (order preserving)
 * @param lossProbability      probability a frame is lost
 * @param duplicateProbability probability a frame is delivered twice
 * @param reorderProbability   probability a frame is held back so later frames overtake it
 * @param reorderDelayNanos    maximum extra delay of a held-back frame
 * @param bitsPerSecond        bandwidth; 0 means unlimited (no serialization delay, no queue)
 * @param queueLimitBytes      transmit queue capacity, including the frame being serialized
 * @param mtu                  largest IP packet carried (frame limit is mtu + 14)
 */
public record LinkConditions(long delayNanos, long jitterNanos, double lossProbability, double duplicateProbability,
                             double reorderProbability, long reorderDelayNanos, long bitsPerSecond, int queueLimitBytes,
                             int mtu) {

    /** Ethernet II header length; frames may be up to mtu + this long. */
    public static final int ETHERNET_HEADER = 14;

    private static final LinkConditions IDEAL = new LinkConditions(0, 0, 0, 0, 0, 0, 0, 256 * 1024, 1500);

    public LinkConditions {
        requireNonNegative("delayNanos", delayNanos);
        requireNonNegative("jitterNanos", jitterNanos);
        requireNonNegative("reorderDelayNanos", reorderDelayNanos);
        requireNonNegative("bitsPerSecond", bitsPerSecond);
        requireProbability("lossProbability", lossProbability);
        requireProbability("duplicateProbability", duplicateProbability);
        requireProbability("reorderProbability", reorderProbability);
        if (reorderProbability > 0 && reorderDelayNanos == 0) {
            throw new IllegalArgumentException("reorderProbability > 0 needs reorderDelayNanos > 0 (the extra delay that lets later frames overtake)");
        }
        if (queueLimitBytes < 0) {
            throw new IllegalArgumentException("queueLimitBytes must be >= 0, got " + queueLimitBytes);
        }
        if (mtu < 68 || mtu > 65535) {
            throw new IllegalArgumentException("mtu must be in [68, 65535], got " + mtu);
        }
    }

    /** No delay, no faults, unlimited bandwidth, MTU 1500. */
    public static LinkConditions ideal() {
        return IDEAL;
    }

    /** Ideal except that frames are lost with probability {@code p}. */
    public static LinkConditions lossy(double p) {
        return IDEAL.withLoss(p);
    }

    public LinkConditions withDelay(long nanos) {
        return new LinkConditions(nanos, jitterNanos, lossProbability, duplicateProbability, reorderProbability, reorderDelayNanos, bitsPerSecond, queueLimitBytes, mtu);
    }

    public LinkConditions withDelay(Duration delay) {
        return withDelay(delay.toNanos());
    }

    public LinkConditions withJitter(long nanos) {
        return new LinkConditions(delayNanos, nanos, lossProbability, duplicateProbability, reorderProbability, reorderDelayNanos, bitsPerSecond, queueLimitBytes, mtu);
    }

    public LinkConditions withJitter(Duration jitter) {
        return withJitter(jitter.toNanos());
    }

    public LinkConditions withLoss(double probability) {
        return new LinkConditions(delayNanos, jitterNanos, probability, duplicateProbability, reorderProbability, reorderDelayNanos, bitsPerSecond, queueLimitBytes, mtu);
    }

    public LinkConditions withDuplication(double probability) {
        return new LinkConditions(delayNanos, jitterNanos, lossProbability, probability, reorderProbability, reorderDelayNanos, bitsPerSecond, queueLimitBytes, mtu);
    }

    /** Holds back a frame with {@code probability} by up to {@code extraDelayNanos} so that later frames overtake it. */
    public LinkConditions withReordering(double probability, long extraDelayNanos) {
        return new LinkConditions(delayNanos, jitterNanos, lossProbability, duplicateProbability, probability, extraDelayNanos, bitsPerSecond, queueLimitBytes, mtu);
    }

    public LinkConditions withReordering(double probability, Duration extraDelay) {
        return withReordering(probability, extraDelay.toNanos());
    }

    /** Limits bandwidth to {@code bitsPerSecond} with a transmit queue of {@code queueLimitBytes}. */
    public LinkConditions withBandwidth(long bitsPerSecond, int queueLimitBytes) {
        return new LinkConditions(delayNanos, jitterNanos, lossProbability, duplicateProbability, reorderProbability, reorderDelayNanos, bitsPerSecond, queueLimitBytes, mtu);
    }

    public LinkConditions withMtu(int mtu) {
        return new LinkConditions(delayNanos, jitterNanos, lossProbability, duplicateProbability, reorderProbability, reorderDelayNanos, bitsPerSecond, queueLimitBytes, mtu);
    }

    /** Time to serialize {@code bytes} at this bandwidth (0 if unlimited), rounded up. */
    public long serializationNanos(int bytes) {
        if (bitsPerSecond == 0) {
            return 0;
        }
        return (bytes * 8_000_000_000L + bitsPerSecond - 1) / bitsPerSecond;
    }

    private static void requireNonNegative(String name, long value) {
        if (value < 0) {
            throw new IllegalArgumentException(name + " must be >= 0, got " + value);
        }
    }

    private static void requireProbability(String name, double p) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException(name + " must be a probability in [0, 1], got " + p);
        }
    }
}
