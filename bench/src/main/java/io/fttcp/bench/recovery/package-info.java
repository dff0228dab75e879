/**
 * {@code ./fttcp bench recovery}: message-logging FT-TCP's recovery time against the log size
 * ({@link io.fttcp.bench.recovery.LogSizeTrial}) and the number of live connections
 * ({@link io.fttcp.bench.recovery.ConnectionCountTrial}), measured by
 * {@link io.fttcp.bench.recovery.RecoveryClient} on the kernel's TCP; the cost of protection by
 * fsync policy; one logger serving four primaries. {@link io.fttcp.bench.recovery.RecoveryBench}
 * runs it all and ends with a {@link io.fttcp.bench.recovery.RecoveryResultLine} and a
 * {@link io.fttcp.bench.recovery.RecoveryPlot}.
 */
package io.fttcp.bench.recovery;
