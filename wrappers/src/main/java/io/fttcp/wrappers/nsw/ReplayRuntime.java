package io.fttcp.wrappers.nsw;

import io.fttcp.api.AppRuntime;
import io.fttcp.replication.record.Clock;
import io.fttcp.replication.record.Seed;

import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The backup's runtime: the logged CLOCK and SEED values in log order (a call waits for its
 * record); after takeover and once the logged values are used up, real values, with the
 * monotonic clock shifted so it continues from the primary's last value instead of jumping.
 * Guarded by the replay network's lock.
 */
final class ReplayRuntime implements AppRuntime {

    private final ReplayNetwork network;
    private final Condition changed;
    private final ArrayDeque<Long> nanos = new ArrayDeque<>();
    private final ArrayDeque<Long> millis = new ArrayDeque<>();
    private final ArrayDeque<Long> seeds = new ArrayDeque<>();
    private long lastNanos = Long.MIN_VALUE;
    private long lastMillis = Long.MIN_VALUE;
    private long nanosShift;
    private boolean live;

    ReplayRuntime(ReplayNetwork network) {
        this.network = network;
        this.changed = network.lock().newCondition();
    }

    void add(Clock c) {
        (c.source() == Clock.Source.MONOTONIC_NANOS ? nanos : millis).add(c.value());
        changed.signalAll();
    }

    void add(Seed s) {
        seeds.add(s.value());
        changed.signalAll();
    }

    /** Logged values not yet handed out (lock held). */
    int pending() {
        return nanos.size() + millis.size() + seeds.size();
    }

    /** Takeover (lock held): values logged so far are still handed out first. */
    void goLive() {
        live = true;
        long lastLogged = nanos.isEmpty() ? lastNanos : nanos.peekLast();
        nanosShift = lastLogged == Long.MIN_VALUE ? 0 : lastLogged - System.nanoTime();
        changed.signalAll();
    }

    @Override
    public long nanoTime() {
        ReentrantLock lock = network.lock();
        lock.lock();
        try {
            if (awaitValue(nanos)) {
                lastNanos = nanos.poll();
            } else {
                lastNanos = Math.max(lastNanos, System.nanoTime() + nanosShift);
            }
            return lastNanos;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public long currentTimeMillis() {
        ReentrantLock lock = network.lock();
        lock.lock();
        try {
            if (awaitValue(millis)) {
                lastMillis = millis.poll();
            } else {
                lastMillis = Math.max(lastMillis, System.currentTimeMillis());
            }
            return lastMillis;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public long randomSeed() {
        ReentrantLock lock = network.lock();
        lock.lock();
        try {
            return awaitValue(seeds) ? seeds.poll() : AppRuntime.system().randomSeed();
        } finally {
            lock.unlock();
        }
    }

    /** Waits for a logged value; false once live with none left (lock held). */
    private boolean awaitValue(ArrayDeque<Long> queue) {
        while (queue.isEmpty()) {
            if (live) {
                return false;
            }
            try {
                changed.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new UncheckedIOException(new java.io.InterruptedIOException("interrupted while waiting for a logged clock value"));
            }
        }
        return true;
    }
}
