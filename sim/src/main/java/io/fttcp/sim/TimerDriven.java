package io.fttcp.sim;

import java.util.function.LongConsumer;
import java.util.function.LongSupplier;

/**
 * A sans-I/O component with timers (a TCP connection, an Ethernet interface): it says when it
 * next wants {@link #onTimer} called, and a {@link DeadlineTimer} keeps one event at that time.
 */
public interface TimerDriven {
    /** {@link #nextDeadline()} value meaning no timer is armed. */
    long NO_DEADLINE = Long.MAX_VALUE;

    /** When {@link #onTimer} must next be called (virtual ns), or {@link #NO_DEADLINE}. */
    long nextDeadline();

    /** Runs the timers that are due at {@code now}. Being called early must be harmless. */
    void onTimer(long now);

    /** Adapts a component that has the two methods without implementing this interface, e.g. {@code of(conn::nextDeadline, conn::onTimer)}. */
    static TimerDriven of(LongSupplier nextDeadline, LongConsumer onTimer) {
        return new TimerDriven() {
            @Override
            public long nextDeadline() {
                return nextDeadline.getAsLong();
            }

            @Override
            public void onTimer(long now) {
                onTimer.accept(now);
            }
        };
    }
}
