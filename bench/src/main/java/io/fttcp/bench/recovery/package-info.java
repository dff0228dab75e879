/**
 * {@code ./fttcp bench recovery}: message-logging FT-TCP's recovery and cost, with
 * {@link io.fttcp.bench.recovery.RecoveryClient} on the kernel's TCP in its own namespace and one
 * shared {@code fttcp logger} (each trial its own cluster):
 * <ul>
 *   <li>(a) {@link io.fttcp.bench.recovery.LogSizeTrial}: recovery time against the client bytes
 *       logged for one live echo connection (exchanged, checked, before the kill), recovered by a
 *       standby on a spare host, and once by the primary restarted in place. The connection goes
 *       on echoing a short line every millisecond ({@link io.fttcp.bench.recovery.EchoFlow});
 *       recovery is the SIGKILL to the first echo after it (both instants CLOCK_MONOTONIC), and
 *       {@link io.fttcp.bench.recovery.RecoveryBreakdown} splits it with the recovering server's log
 *       lines: the logger's wait for the old primary's lease, the fetch, the takeover, the rest.</li>
 *   <li>(b) {@link io.fttcp.bench.recovery.ConnectionCountTrial}: 1 to 1,000 live connections, a
 *       probe line on each after the kill. A probe sent into a dead server comes back when the
 *       client's own retransmission timer fires after the takeover (200 ms and more, doubling): the
 *       takeover's duplicate ACKs do not make a client in loss recovery retransmit.</li>
 *   <li>(c) the HTTP service protected by the logger (fsync never, batch, always) against the same
 *       service unprotected on the stack; (d) one logger serving four primaries at once.</li>
 * </ul>
 * It ends with a {@link io.fttcp.bench.recovery.RecoveryResultLine} and a
 * {@link io.fttcp.bench.recovery.RecoveryPlot} of (a).
 */
package io.fttcp.bench.recovery;
