/**
 * The primary half of primary/backup in the deterministic simulation (test code).
 *
 * <ul>
 *   <li>{@link io.fttcp.roles.sim.SimPrimaryHost}: Ethernet interface, south-side wrapper and our
 *       stack on a simulated host, answering for the service address.</li>
 *   <li>{@link io.fttcp.roles.sim.LoggedSockets}: a stand-in for the north-side wrapper: the
 *       applications' socket calls, logging ACCEPT/READ/WRITE/CLOSE and asking for output commit
 *       ({@code requireStable} before each write, {@code requireFinStable} before a shutdown).
 *       {@link io.fttcp.roles.sim.BulkService} and {@link io.fttcp.roles.sim.EchoService} run on it,
 *       accepted by {@link io.fttcp.roles.sim.ServiceAcceptor}.</li>
 *   <li>{@link io.fttcp.roles.sim.SimReplicationLink}: the wrapper's record sink backed by a
 *       RecordStream, frames to a simulated backup (FrameDecoder, StreamReceiver) with seeded delay
 *       and jitter, acknowledgements back after a random delay (a lagging backup: up to 200 ms),
 *       pausable; {@link io.fttcp.roles.sim.BackupImage} rebuilds each client stream from the
 *       records, once as received by the backup and once as stable on the primary.</li>
 *   <li>{@link io.fttcp.roles.sim.PromiseChecker}: the promise's rules checked on every frame
 *       toward the clients, at send and at delivery.</li>
 *   <li>{@link io.fttcp.roles.sim.PrimaryWorld} and {@link io.fttcp.roles.sim.Transfers}: a test's
 *       world (primary, clients on ordinary stacks) and its connections' plans and end checks.</li>
 *   <li>The full failover ({@link io.fttcp.roles.sim.FailoverSimulationTest} on
 *       {@link io.fttcp.roles.sim.FailoverWorld}): a backup host whose
 *       {@link io.fttcp.roles.sim.BackupApplication} (one {@link io.fttcp.roles.sim.BackupService}
 *       per connection, on the backup's north-side wrapper, {@code ReplayNetwork}) follows every
 *       record it receives; the primary crashes at a random event; the backup waits out the lease,
 *       consumes every determinant, goes live through {@link io.fttcp.roles.sim.SimLiveBinding}
 *       (never-blocking {@link io.fttcp.roles.sim.SimStreamSocket} and
 *       {@link io.fttcp.roles.sim.SimListeningSocket} over its stack), takes the service address
 *       (gratuitous ARP) and resumes, resetting the clients of connections it does not restore
 *       with the real {@link io.fttcp.roles.takeover.ClientResets}. {@link io.fttcp.roles.sim.TimestampClocks}
 *       and {@link io.fttcp.roles.sim.WarmNeighbours} are the takeover's stand-ins where the main
 *       code falls short (see their comments). Seeds: {@code -Dfttcp.failover.seeds=N},
 *       {@code -Dfttcp.failover.seed=S}; census: {@code -Dfttcp.failover.stats=true}; frames of
 *       one client port: {@code -Dfttcp.failover.tracePort=P}.</li>
 *   <li>Message logging (issue 4, {@link io.fttcp.roles.sim.LoggerRecoverySimulationTest} on
 *       {@link io.fttcp.roles.sim.LoggerWorld}): the same world with a cold start. The link's far
 *       side plays a logger ({@link io.fttcp.roles.sim.LoggerLog}: what it acknowledged is durable);
 *       the backup host follows nothing, and when the primary is found dead it recovers
 *       ({@link io.fttcp.roles.sim.LogRecovery}): the logger's durable records through a
 *       {@code LiveRecordSet}, its snapshot replayed into a fresh application, then the takeover
 *       above. The logger can crash (the link drops; a torn tail of unacknowledged records is
 *       lost) and restart, the primary stalling meanwhile and resending what it lacks
 *       ({@code RecordStream.restartFrom}). Seeds: {@code -Dfttcp.logger.seeds=N},
 *       {@code -Dfttcp.logger.seed=S}; census: {@code -Dfttcp.logger.stats=true}. Finished
 *       connections linger in retention so that the recovered server answers a client still
 *       waiting for the ACK of its FIN ({@link io.fttcp.roles.sim.FinishedConnectionRecoveryTest}).</li>
 *   <li>False takeovers ({@link io.fttcp.roles.sim.FalseTakeoverSimulationTest} on
 *       {@link io.fttcp.roles.sim.FalseTakeoverWorld}): the primary stays alive. The replication
 *       link renews a real lease (the backup echoes each batch's send time at once; the wrapper
 *       is fenced from the echoed time plus the lease on); each side gives up after the detection
 *       timeout of silence and decides as the roles do (the real {@code BackupLoss} and
 *       {@code PrimaryLoss}); the old primary steps down when it hears the service address
 *       announced. Faults at a random event: the link cut (both ways or one, for good or a
 *       while: {@code SimReplicationLink.cut}/{@code heal}), or the primary's host frozen
 *       ({@code Scheduler.freeze}: its events, timers and arriving frames wait for the thaw).
 *       Seeds: {@code -Dfttcp.falsetakeover.seeds=N}, {@code -Dfttcp.falsetakeover.seed=S};
 *       census: {@code -Dfttcp.falsetakeover.stats=true}. It found a split brain in
 *       {@code BackupLoss}, now closed ({@link io.fttcp.roles.sim.FalseTakeoverRegressionTest}).</li>
 * </ul>
 *
 * <p>Replaying a failing seed: {@code -Dfttcp.sim.seed=S}; tracing one connection of it:
 * {@code -Dtest=SeedTrace#trace -Dfttcp.trace.seed=S -Dfttcp.trace.port=<client port>}
 * ({@code -Dfttcp.trace.test=stall} for the stall test); a failure census over N seeds:
 * {@code -Dtest=SeedTrace#census -Dfttcp.census=N}.
 */
package io.fttcp.roles.sim;
