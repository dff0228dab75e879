package io.fttcp.replication.stream;

/** Told each time the stable LSN advances (cumulatively: every LSN up to {@code stableLsn} is stable). */
@FunctionalInterface
public interface StabilityListener {
    void onStable(long stableLsn);
}
