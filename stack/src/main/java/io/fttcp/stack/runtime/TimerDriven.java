package io.fttcp.stack.runtime;

import java.util.function.LongConsumer;
import java.util.function.LongSupplier;

/**
 * A sans-I/O component with timers (the IP host, a TCP connection, an Ethernet interface): it
 * says when it next needs {@link #onTimer}, and is called then — by a timer thread in real time,
 * by the scheduler in the simulation.
 */
public interface TimerDriven {
    /** {@link #nextDeadline()} value meaning no timer is armed. */
    long NO_DEADLINE = Long.MAX_VALUE;

    /** When {@link #onTimer} must next be called (ns), or {@link #NO_DEADLINE}. */
    long nextDeadline();

    /** Runs what is due at {@code now}. Calling it early is harmless. */
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

    /** Both components' timers as one. */
    static TimerDriven both(TimerDriven a, TimerDriven b) {
        return new TimerDriven() {
            @Override
            public long nextDeadline() {
                return Math.min(a.nextDeadline(), b.nextDeadline());
            }

            @Override
            public void onTimer(long now) {
                if (a.nextDeadline() <= now) a.onTimer(now);
                if (b.nextDeadline() <= now) b.onTimer(now);
            }
        };
    }
}
