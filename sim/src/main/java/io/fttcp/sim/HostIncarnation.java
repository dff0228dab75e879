package io.fttcp.sim;

import io.fttcp.stack.runtime.TimerDriven;

import io.fttcp.link.FrameLink;
import io.fttcp.link.FrameReceiver;

import java.nio.ByteBuffer;
import java.util.SplittableRandom;

/**
 * One life of a {@link SimHost}, from boot to crash: what the host's software gets to run with.
 * Everything scheduled through it is cancelled when the host crashes, and after the crash it is
 * inert: its link sends and receives nothing, and scheduling through it does nothing. So code
 * of a crashed instance can never act again, even if something still holds a reference to it.
 */
public final class HostIncarnation {
    private final SimHost host;
    private final int number;
    private final Scheduler scheduler;
    private final FrameLink link = new GuardedLink();
    private boolean alive = true;

    HostIncarnation(SimHost host, int number, Scheduler scheduler) {
        this.host = host;
        this.number = number;
        this.scheduler = scheduler;
    }

    public SimHost host() {
        return host;
    }

    /** 0 for the first boot, then 1, 2, ... after each restart. */
    public int number() {
        return number;
    }

    public boolean isAlive() {
        return alive;
    }

    public long now() {
        return scheduler.now();
    }

    /** The host's port, as seen by this incarnation: silent once it has crashed. */
    public FrameLink link() {
        return link;
    }

    /** The MAC of the host's port. */
    public long mac() {
        return host.port().mac();
    }

    public byte[] macBytes() {
        return host.port().macBytes();
    }

    /** A random stream for a component of this incarnation. */
    public SplittableRandom newRandom() {
        return host.simulation().newRandom();
    }

    /** Runs {@code action} at {@code atTime} unless the host crashes first. */
    public ScheduledEvent schedule(long atTime, Runnable action) {
        if (!alive) {
            return new ScheduledEvent(scheduler, atTime, -1, action, this);
        }
        return scheduler.schedule(atTime, action, this);
    }

    /** Runs {@code action} after {@code delay} ns unless the host crashes first. */
    public ScheduledEvent after(long delay, Runnable action) {
        if (!alive) {
            return new ScheduledEvent(scheduler, scheduler.now(), -1, action, this);
        }
        return scheduler.after(delay, action, this);
    }

    /** A timer for a component of this incarnation, armed at once; cancelled by a crash. */
    public DeadlineTimer timer(TimerDriven component) {
        DeadlineTimer timer = new DeadlineTimer(scheduler, component, this, this::isAlive);
        timer.rearm();
        return timer;
    }

    void die() {
        alive = false;
        scheduler.cancelAll(this);
    }

    @Override
    public String toString() {
        return host.name() + "#" + number + (alive ? "" : "(crashed)");
    }

    private final class GuardedLink implements FrameLink {
        @Override
        public void send(ByteBuffer frame) {
            if (alive) {
                host.port().send(frame);
            }
        }

        @Override
        public int mtu() {
            return host.port().mtu();
        }

        @Override
        public void setReceiver(FrameReceiver receiver) {
            if (alive) {
                host.port().setReceiver(receiver);
            }
        }
    }
}
