package io.fttcp.bench.recovery;

import java.util.Optional;

/**
 * One recovery of (b): {@code connections} live connections, each with a small logged exchange,
 * the primary killed, a standby recovering them; each connection then sends a probe line.
 *
 * @param connections     live connections at the kill
 * @param firstNanos      from the kill to the first byte of any answer
 * @param p50Nanos        from the kill to the median connection's complete answer
 * @param maxNanos        from the kill to the last connection's complete answer
 * @param answered        connections whose answer came back intact
 * @param server          what the standby logged, if it did
 */
record ConnectionCountTrial(int connections, long firstNanos, long p50Nanos, long maxNanos, int answered, Optional<RecoveryLog> server) {
}
