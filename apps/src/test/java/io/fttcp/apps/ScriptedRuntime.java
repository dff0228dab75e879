package io.fttcp.apps;

import io.fttcp.api.AppRuntime;

import java.util.concurrent.atomic.AtomicLong;

/** Clocks that are not the machine's: nanoTime advances {@code nanosPerCall} at each call, the wall clock stands still, seeds count up. */
public record ScriptedRuntime(long nanosPerCall, long wallClockMillis, AtomicLong nanos, AtomicLong seeds) implements AppRuntime {

    public ScriptedRuntime(long nanosPerCall, long wallClockMillis) {
        this(nanosPerCall, wallClockMillis, new AtomicLong(), new AtomicLong(1000));
    }

    @Override
    public long nanoTime() {
        return nanos.addAndGet(nanosPerCall);
    }

    @Override
    public long currentTimeMillis() {
        return wallClockMillis;
    }

    @Override
    public long randomSeed() {
        return seeds.incrementAndGet();
    }
}
