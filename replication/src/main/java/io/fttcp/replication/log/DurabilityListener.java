package io.fttcp.replication.log;

/** Told each time the durable LSN advances (cumulatively: every LSN up to {@code durableLsn} is stored as the policy says). */
@FunctionalInterface
public interface DurabilityListener {
    void onDurable(long durableLsn);
}
