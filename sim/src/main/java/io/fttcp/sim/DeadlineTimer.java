package io.fttcp.sim;

import io.fttcp.stack.runtime.TimerDriven;

import io.fttcp.link.FrameReceiver;

import java.util.function.BooleanSupplier;

/**
 * Keeps exactly one scheduled event at a {@link TimerDriven} component's next deadline. Any
 * call into the component can move its deadline, so call {@link #rearm()} after every
 * interaction, or make the interaction through {@link #run(Runnable)} or a receiver from
 * {@link #wrap(FrameReceiver)}, which re-arm by themselves. After the timer fires it re-arms too.
 *
 * <p>A component that keeps asking for a deadline at or before now after being run is a bug
 * (it would spin forever at one instant); after {@value #MAX_FIRINGS_AT_ONE_TIME} such firings
 * in a row the timer throws.
 */
public final class DeadlineTimer {
    static final int MAX_FIRINGS_AT_ONE_TIME = 10_000;

    private final Scheduler scheduler;
    private final TimerDriven component;
    private final Object owner;
    private final BooleanSupplier alive;
    private final Runnable fire = this::fire;
    private ScheduledEvent event;
    private long armedDeadline = TimerDriven.NO_DEADLINE;
    private boolean stopped;
    private long lastFiringTime = -1;
    private int firingsAtLastTime;

    DeadlineTimer(Scheduler scheduler, TimerDriven component, Object owner, BooleanSupplier alive) {
        this.scheduler = scheduler;
        this.component = component;
        this.owner = owner;
        this.alive = alive;
    }

    /** A timer for {@code component} on {@code scheduler}, armed at once. */
    public static DeadlineTimer on(Scheduler scheduler, TimerDriven component) {
        DeadlineTimer timer = new DeadlineTimer(scheduler, component, null, () -> true);
        timer.rearm();
        return timer;
    }

    /** Re-reads the component's deadline and moves the scheduled event if it changed. */
    public void rearm() {
        if (stopped || !alive.getAsBoolean()) {
            disarm();
            return;
        }
        long deadline = component.nextDeadline();
        if (event != null && event.isPending() && deadline == armedDeadline) {
            return;
        }
        disarm();
        if (deadline == TimerDriven.NO_DEADLINE) {
            return;
        }
        armedDeadline = deadline;
        event = scheduler.schedule(Math.max(deadline, scheduler.now()), fire, owner);
    }

    /** Runs {@code interaction} (a call into the component), then re-arms. */
    public void run(Runnable interaction) {
        try {
            interaction.run();
        } finally {
            rearm();
        }
    }

    /** A receiver that passes frames to {@code receiver} and then re-arms. */
    public FrameReceiver wrap(FrameReceiver receiver) {
        return (frame, now) -> {
            try {
                receiver.receive(frame, now);
            } finally {
                rearm();
            }
        };
    }

    /** When the timer will fire, or {@link TimerDriven#NO_DEADLINE} if it is not armed. */
    public long scheduledAt() {
        return event != null && event.isPending() ? event.time() : TimerDriven.NO_DEADLINE;
    }

    /** Cancels the timer for good (the component is closed). */
    public void stop() {
        stopped = true;
        disarm();
    }

    private void disarm() {
        if (event != null) {
            event.cancel();
            event = null;
        }
        armedDeadline = TimerDriven.NO_DEADLINE;
    }

    private void fire() {
        event = null;
        armedDeadline = TimerDriven.NO_DEADLINE;
        if (stopped || !alive.getAsBoolean()) {
            return;
        }
        long now = scheduler.now();
        if (now == lastFiringTime) {
            if (++firingsAtLastTime > MAX_FIRINGS_AT_ONE_TIME) {
                throw new IllegalStateException("timer of " + component + " fired " + MAX_FIRINGS_AT_ONE_TIME
                        + " times at t=" + now + "ns: its nextDeadline() stays at or before now after onTimer(now)");
            }
        } else {
            lastFiringTime = now;
            firingsAtLastTime = 1;
        }
        try {
            component.onTimer(now);
        } finally {
            rearm();
        }
    }
}
