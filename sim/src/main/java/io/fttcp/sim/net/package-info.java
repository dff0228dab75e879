/**
 * The simulated Ethernet: a learning switch, ports that implement
 * {@link io.fttcp.link.FrameLink}, a per-direction fault model, partitions and counters. A frame
 * from A to B crosses A's uplink, the switch and B's downlink and is delivered with
 * {@code now} = its arrival time; every random choice comes from the port direction's own
 * seeded stream.
 */
package io.fttcp.sim.net;
