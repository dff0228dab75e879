/**
 * {@code ./fttcp bench failover}: the stall a client on the kernel's TCP sees across a primary's
 * SIGKILL or link-down ({@link io.fttcp.bench.failover.TimedDownload} timestamps its reads into a
 * {@link io.fttcp.bench.failover.ReadTimeline}), and the cost of protection (primary plus backup
 * against the unprotected stack), ending with a {@link io.fttcp.bench.failover.FailoverResultLine}
 * and a {@link io.fttcp.bench.failover.ThroughputPlot} of one failover.
 */
package io.fttcp.bench.failover;
