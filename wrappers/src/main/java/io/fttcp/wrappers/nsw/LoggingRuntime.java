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
        return logged(Clock.Source.MONOTONIC_NANOS, System.nanoTime());
    }

    @Override
    public long currentTimeMillis() {
        return logged(Clock.Source.WALL_MILLIS, System.currentTimeMillis());
    }

    @Override
    public long randomSeed() {
        return loggedSeed(AppRuntime.system().randomSeed());
    }

    @Override
    public boolean checkpoint(byte[] state) {
        return network.checkpoint(state);
    }

    /** Logs a clock value the application is about to see (also a replayed runtime's, after takeover). */
    long logged(Clock.Source source, long value) {
        network.log(new Clock(network.threads().current(), source, value));
        return value;
    }

    long loggedSeed(long value) {
        network.log(new Seed(network.threads().current(), value));
        return value;
    }
}
