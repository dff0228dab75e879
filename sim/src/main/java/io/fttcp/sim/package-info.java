/**
 * Deterministic simulation: everything of a distributed test (clients, servers, network) runs
 * in one thread on virtual time, driven by one seed, so any run can be replayed exactly.
 *
 * <pre>{@code
 * var sim = new Simulation(seed);
 * var client = sim.addHost("client", LinkConditions.lossy(0.02).withDelay(Duration.ofMillis(5)));
 * var server = sim.addHost("server");
 * server.start(life -> {                      // runs now, and again after every restart()
 *     var iface = new SomeInterface(life.link(), life.mac(), life.newRandom());
 *     var timer = life.timer(iface);          // one event at iface.nextDeadline(), re-armed
 *     life.link().setReceiver(timer.wrap(iface::receive));
 * });
 * sim.scheduler().after(2_000_000_000L, server::crash);   // power loss at t = 2 s
 * sim.runUntil(() -> done, Duration.ofSeconds(60));       // at most 60 s of virtual time
 * }</pre>
 *
 * <ul>
 *   <li>{@link io.fttcp.sim.Simulation}: the seed, its random streams ({@code newRandom()}, split
 *       in creation order), the scheduler, the default network, the hosts.</li>
 *   <li>{@link io.fttcp.sim.Scheduler}: events at (time, insertion order); {@code schedule},
 *       {@code after}, cancellable {@link io.fttcp.sim.ScheduledEvent}s; {@code runUntil(predicate
 *       [, deadline])}, {@code runUntilTime}, {@code runFor}, {@code runUntilIdle}.</li>
 *   <li>{@link io.fttcp.sim.net.SimulatedNetwork}: a learning switch whose
 *       {@link io.fttcp.sim.net.SimPort}s implement {@link io.fttcp.link.FrameLink}; per-direction
 *       {@link io.fttcp.sim.net.LinkConditions} (delay, jitter, loss, duplication, reordering,
 *       bandwidth with a tail-drop queue, MTU), partitions, per-port
 *       {@link io.fttcp.sim.net.PortStats}, {@link io.fttcp.sim.net.NetworkObserver}s: a
 *       {@link io.fttcp.sim.net.TraceDigest} (hash of everything delivered and dropped, to check
 *       replays) and a {@link io.fttcp.sim.net.PcapWriter} (open a failing seed in Wireshark).</li>
 *   <li>{@link io.fttcp.sim.SimHost} / {@link io.fttcp.sim.HostIncarnation}: crash (the port goes
 *       silent, the incarnation's events are cancelled and it becomes inert) and restart (a new
 *       incarnation on the same port and MAC).</li>
 *   <li>{@link io.fttcp.stack.runtime.TimerDriven} / {@link io.fttcp.sim.DeadlineTimer}: drive a sans-I/O
 *       component's timers; re-arm after every call into the component.</li>
 *   <li>{@link io.fttcp.sim.SimulationSeeds}: run a test over many seeds
 *       ({@code -Dfttcp.sim.seeds=N}) and replay one ({@code -Dfttcp.sim.seed=S}); failures name
 *       their seed.</li>
 * </ul>
 *
 * <p>No threads, no wall clock: time passes only between events, and every component is given
 * {@code now}. A long burst of events at one instant is reported as a livelock rather than
 * hanging. {@code StopAndWaitScenarioTest} in this module's tests is a complete small example.
 */
package io.fttcp.sim;
