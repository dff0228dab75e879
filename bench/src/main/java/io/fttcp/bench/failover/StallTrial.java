package io.fttcp.bench.failover;

/**
 * One trial of (a): a download across a failure.
 *
 * @param failure       what was injected
 * @param failureNanos  when (System.nanoTime, just before injecting it)
 * @param stallNanos    the client-visible stall: the longest gap between reads after the failure; -1 if no data came after it
 * @param gapBeforeNanos the longest gap between reads before the failure (the noise of a healthy transfer)
 * @param intact        every byte arrived, equal to the generated stream
 * @param takeoverNanos from the failure until the backup said it took over (as read from its output)
 * @param timeline      the client's reads
 */
public record StallTrial(Failure failure, long failureNanos, long stallNanos, long gapBeforeNanos, boolean intact,
                         long takeoverNanos, ReadTimeline timeline) {

    public double stallMillis() {
        return stallNanos / 1e6;
    }
}
