package io.fttcp.wrappers.nsw;

import io.fttcp.api.AppRuntime;
import io.fttcp.replication.record.Clock;
import io.fttcp.replication.record.Seed;

/**
 * The primary's runtime: real clocks and seeds, each value logged before the application sees
 * it, with the calling thread's connection as its context ({@link ThreadConnections}).
 */
final class LoggingRuntime implements AppRuntime {

    private final LoggingNetwork network;

    LoggingRuntime(LoggingNetwork network) {
        this.network = network;
    }

    @Override
    public long nanoTime() {
        long value = System.nanoTime();
        network.log(new Clock(network.threads().current(), Clock.Source.MONOTONIC_NANOS, value));
        return value;
    }

    @Override
    public long currentTimeMillis() {
        long value = System.currentTimeMillis();
        network.log(new Clock(network.threads().current(), Clock.Source.WALL_MILLIS, value));
        return value;
    }

    @Override
    public long randomSeed() {
        long value = AppRuntime.system().randomSeed();
        network.log(new Seed(network.threads().current(), value));
        return value;
    }
}
