/**
 * The edge where threads and clocks meet the sans-I/O cores: one lock per host serializes
 * everything that touches the host's state (packets from the link, socket calls, timers), and a
 * {@link io.fttcp.stack.runtime.HostLoop} supplies the time and runs timers — on a thread with
 * the real clock, or in the simulation with virtual time.
 */
package io.fttcp.stack.runtime;
