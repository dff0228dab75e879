package io.fttcp.wrappers.nsw;

import io.fttcp.api.AppRuntime;
import io.fttcp.replication.record.Clock;
import io.fttcp.replication.record.Seed;
import io.fttcp.stack.tcp.FourTuple;

import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The backup's runtime: the logged CLOCK and SEED values, queued per context (the connection the
 * primary's calling thread worked on, {@link ThreadConnections}); a call takes the next value of
 * its own thread's context, waiting for its record, so each connection's thread gets exactly its
 * own values in its own order whatever the other threads do. After takeover, once its context's
 * logged values are used up, a call gets real values, with the monotonic clock shifted so it
 * continues from the primary's last value instead of jumping; when the takeover's network logs
 * ({@link LoggingNetwork}), those real values are logged as CLOCK and SEED records as on any
 * primary. Guarded by the replay network's lock.
 */
final class ReplayRuntime implements AppRuntime {

    /** One context's logged values, oldest first. */
    private static final class Values {
        final ArrayDeque<Long> nanos = new ArrayDeque<>();
        final ArrayDeque<Long> millis = new ArrayDeque<>();
        final ArrayDeque<Long> seeds = new ArrayDeque<>();

        int size() {
            return nanos.size() + millis.size() + seeds.size();
        }
    }

    private final ReplayNetwork network;
    private final Condition changed;
    private final Map<FourTuple, Values> byContext = new HashMap<>();
    private int pending;
    private long lastLoggedNanos = Long.MIN_VALUE;
    private long lastNanos = Long.MIN_VALUE;
    private long lastMillis = Long.MIN_VALUE;
    private long nanosShift;
    private boolean live;

    ReplayRuntime(ReplayNetwork network) {
        this.network = network;
        this.changed = network.lock().newCondition();
    }

    void add(Clock c) {
        Values v = values(c.context());
        if (c.source() == Clock.Source.MONOTONIC_NANOS) {
            v.nanos.add(c.value());
            lastLoggedNanos = c.value();
        } else {
            v.millis.add(c.value());
        }
        pending++;
        changed.signalAll();
    }

    void add(Seed s) {
        values(s.context()).seeds.add(s.value());
        pending++;
        changed.signalAll();
    }

    /** Logged values not yet handed out (lock held). */
    int pending() {
        return pending;
    }

    /** Takeover (lock held): values logged so far are still handed out first. */
    void goLive() {
        live = true;
        nanosShift = lastLoggedNanos == Long.MIN_VALUE ? 0 : lastLoggedNanos - System.nanoTime();
        changed.signalAll();
    }

    @Override
    public long nanoTime() {
        ReentrantLock lock = network.lock();
        lock.lock();
        try {
            FourTuple context = network.threads().current();
            if (awaitValue(context, Kind.NANOS)) {
                lastNanos = take(context, Kind.NANOS);
            } else {
                lastNanos = Math.max(lastNanos, System.nanoTime() + nanosShift);
                LoggingRuntime log = network.liveLog();
                if (log != null) {
                    log.logged(Clock.Source.MONOTONIC_NANOS, lastNanos);
                }
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
            FourTuple context = network.threads().current();
            if (awaitValue(context, Kind.MILLIS)) {
                lastMillis = take(context, Kind.MILLIS);
            } else {
                lastMillis = Math.max(lastMillis, System.currentTimeMillis());
                LoggingRuntime log = network.liveLog();
                if (log != null) {
                    log.logged(Clock.Source.WALL_MILLIS, lastMillis);
                }
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
            FourTuple context = network.threads().current();
            if (awaitValue(context, Kind.SEEDS)) {
                return take(context, Kind.SEEDS);
            }
            long seed = AppRuntime.system().randomSeed();
            LoggingRuntime log = network.liveLog();
            return log == null ? seed : log.loggedSeed(seed);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean restore(io.fttcp.api.Checkpointable application) throws java.io.IOException {
        return network.restore(application);
    }

    @Override
    public boolean checkpoint(byte[] state) {
        return network.replayCheckpoint(state);
    }

    private enum Kind { NANOS, MILLIS, SEEDS }

    private Values values(FourTuple context) {
        return byContext.computeIfAbsent(context, c -> new Values());
    }

    private static ArrayDeque<Long> queue(Values v, Kind kind) {
        return switch (kind) {
            case NANOS -> v.nanos;
            case MILLIS -> v.millis;
            case SEEDS -> v.seeds;
        };
    }

    /** Waits for a logged value of {@code context}; false once live with none left (lock held). */
    private boolean awaitValue(FourTuple context, Kind kind) {
        while (true) {
            Values v = byContext.get(context);
            if (v != null && !queue(v, kind).isEmpty()) {
                return true;
            }
            if (live) {
                return false;
            }
            try {
                changed.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new UncheckedIOException(new InterruptedIOException("interrupted while waiting for a logged runtime value of " + context));
            }
        }
    }

    /** Takes the value {@link #awaitValue} found, forgetting a context with nothing left (lock held). */
    private long take(FourTuple context, Kind kind) {
        Values v = byContext.get(context);
        long value = queue(v, kind).poll();
        pending--;
        if (v.size() == 0) {
            byContext.remove(context);
        }
        return value;
    }
}
