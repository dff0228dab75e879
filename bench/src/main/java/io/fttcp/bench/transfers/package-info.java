/**
 * {@code ./fttcp bench transfers}: a diagnostic for the cost of protection, not a target. One
 * service (unprotected, with a backup, or with a logger) serves many curl transfers in a row, so
 * that the JIT's warm-up shows and then the steady state; it prints each transfer's throughput and
 * server CPU per GB, and, over the measured transfers, each server thread's CPU time and its time
 * waiting for a core ({@link io.fttcp.bench.transfers.ThreadSample} from {@code /proc}): on a
 * machine whose cores the client and the replicas share, those tell where the throughput goes.
 */
package io.fttcp.bench.transfers;
