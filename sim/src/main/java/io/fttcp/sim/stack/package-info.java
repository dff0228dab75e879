/**
 * Our user-space TCP/IP stack on simulated hosts, and small event-driven applications to drive
 * it, for whole-system simulation tests (transfers under faults, crashes, takeover).
 *
 * <pre>{@code
 * var sim = new Simulation(seed);
 * var server = sim.addHost("server", conditions);
 * var client = sim.addHost("client", conditions);
 * var serverStack = new SimStackHost[1];
 * server.start(life -> {
 *     serverStack[0] = new SimStackHost(life, SERVER_IP);
 *     new Acceptor(serverStack[0], 80, 64, accepted -> new EchoEndpoint());
 * });
 * client.start(life -> {
 *     var stack = new SimStackHost(life, CLIENT_IP);
 *     var app = new RequestResponseClient(new Pattern(7), 100, 5000, 1);
 *     app.open(stack, SERVER_IP, 80);
 * });
 * sim.runUntil(app::isDone, Duration.ofMinutes(5));
 * }</pre>
 *
 * <ul>
 *   <li>{@link io.fttcp.sim.stack.SimStackHost}: EthernetInterface + IpHost on a
 *       {@link io.fttcp.sim.HostIncarnation}, one deadline timer for both; user calls re-arm it;
 *       {@code post} runs an application's reaction to a stack event at the same instant;
 *       {@code takeOver} adds an address and announces it; {@code restore} repairs a connection.</li>
 *   <li>{@link io.fttcp.sim.stack.ConnectionApp}: base of event-driven applications (one pump per
 *       event, outcome and first failure recorded). {@link io.fttcp.sim.stack.BulkEndpoint} (bulk
 *       transfer either or both ways), {@link io.fttcp.sim.stack.EchoEndpoint},
 *       {@link io.fttcp.sim.stack.RequestResponseClient}; {@link io.fttcp.sim.stack.Acceptor}
 *       gives each accepted connection its application.</li>
 *   <li>{@link io.fttcp.sim.stack.Pattern}: seeded bytes at any offset, for byte-exact checks.</li>
 * </ul>
 */
package io.fttcp.sim.stack;
