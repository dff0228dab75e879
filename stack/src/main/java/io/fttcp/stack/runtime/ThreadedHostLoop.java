package io.fttcp.stack.runtime;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The real-time host loop: the monotonic clock, and one daemon thread that runs the timers of a
 * {@link TimerDriven} (the host, and what wraps it) when they are due. The thread sleeps on a
 * condition of the host lock until the earliest deadline, and is signalled when a call arms an
 * earlier one.
 */
public final class ThreadedHostLoop implements HostLoop, AutoCloseable {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition timerChanged = lock.newCondition();
    private final Thread thread;
    private volatile TimerDriven timed;
    private long sleepingUntil = Long.MAX_VALUE;
    private boolean running = true;
    private long timerFailures;

    /** Timer runs that threw (a bug somewhere; the first is logged). */
    public long timerFailures() {
        lock.lock();
        try {
            return timerFailures;
        } finally {
            lock.unlock();
        }
    }

    public ThreadedHostLoop(String name) {
        thread = Thread.ofPlatform().daemon().name(name + "-timers").unstarted(this::run);
    }

    /** Starts running {@code timed}'s timers. */
    public void start(TimerDriven timed) {
        this.timed = timed;
        thread.start();
    }

    @Override
    public ReentrantLock lock() {
        return lock;
    }

    @Override
    public long now() {
        return System.nanoTime();
    }

    @Override
    public void timersChanged() {
        TimerDriven t = timed;
        if (t != null && t.nextDeadline() < sleepingUntil) timerChanged.signal();
    }

    @Override
    public boolean blockingAllowed() {
        return true;
    }

    private void run() {
        lock.lock();
        try {
            while (running) {
                long now = System.nanoTime();
                TimerDriven t = timed;
                if (t.nextDeadline() <= now) {
                    try {
                        t.onTimer(now);
                    } catch (RuntimeException e) {
                        // A bug in one component must not stop every timer of the host
                        // (retransmissions, timeouts, ARP): report it and keep running.
                        timerFailures++;
                        if (timerFailures == 1) {
                            System.getLogger(ThreadedHostLoop.class.getName()).log(System.Logger.Level.ERROR, "timer failed; the host keeps running", e);
                        }
                    }
                }
                long deadline = t.nextDeadline();
                sleepingUntil = deadline;
                long wait = deadline == Long.MAX_VALUE ? TimeUnit.SECONDS.toNanos(1) : Math.max(0, deadline - System.nanoTime());
                if (wait > 0) timerChanged.awaitNanos(Math.min(wait, TimeUnit.SECONDS.toNanos(1)));
                sleepingUntil = Long.MAX_VALUE;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            running = false;
            timerChanged.signal();
        } finally {
            lock.unlock();
        }
    }
}
