package io.fttcp.sim;

/**
 * An action scheduled on a {@link Scheduler}; the handle a caller keeps to cancel it. Events run
 * in (time, sequence) order, where the sequence is the order in which they were scheduled, so
 * events at the same virtual time run in insertion order.
 */
public final class ScheduledEvent {
    long time; // moved later only by Scheduler.freeze
    long sequence;
    final Runnable action;
    /** Identity of whoever owns the event (a host incarnation), for bulk cancellation; may be null. */
    final Object owner;
    /** Position in the scheduler's heap, or -1 once run or cancelled. */
    int heapIndex = -1;
    private final Scheduler scheduler;

    ScheduledEvent(Scheduler scheduler, long time, long sequence, Runnable action, Object owner) {
        this.scheduler = scheduler;
        this.time = time;
        this.sequence = sequence;
        this.action = action;
        this.owner = owner;
    }

    /** Virtual time (ns) at which the event runs. */
    public long time() {
        return time;
    }

    /** True until the event has run or been cancelled. */
    public boolean isPending() {
        return heapIndex >= 0;
    }

    /** Cancels the event; returns false if it had already run or been cancelled. */
    public boolean cancel() {
        return scheduler.cancel(this);
    }

    boolean runsBefore(ScheduledEvent other) {
        return time < other.time || (time == other.time && sequence < other.sequence);
    }

    @Override
    public String toString() {
        return "ScheduledEvent[time=" + time + ", seq=" + sequence + (isPending() ? ", pending]" : ", done]");
    }
}
