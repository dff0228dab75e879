package io.fttcp.sim;

import io.fttcp.sim.net.LinkConditions;
import io.fttcp.sim.net.SimulatedNetwork;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;

/**
 * One deterministic simulation: a {@link Scheduler} with virtual time, the randomness of the
 * run (all derived from one seed), a default {@link SimulatedNetwork}, and the {@link SimHost}s.
 *
 * <p>Every component takes its own random stream with {@link #newRandom()}: streams are split
 * from the root in creation order, so a run is reproducible from the seed, and a component's
 * choices do not depend on how many random numbers the others draw.
 */
public final class Simulation {
    private final long seed;
    private final SplittableRandom root;
    private final Scheduler scheduler = new Scheduler();
    private final List<SimHost> hosts = new ArrayList<>();
    private SimulatedNetwork network;

    public Simulation(long seed) {
        this.seed = seed;
        this.root = new SplittableRandom(seed);
    }

    public long seed() {
        return seed;
    }

    public Scheduler scheduler() {
        return scheduler;
    }

    /** Virtual time in nanoseconds. */
    public long now() {
        return scheduler.now();
    }

    /** A new random stream for one component, split from the simulation's root stream. */
    public SplittableRandom newRandom() {
        return root.split();
    }

    /** The default network segment, created on first use. */
    public SimulatedNetwork network() {
        if (network == null) {
            network = newNetwork();
        }
        return network;
    }

    /** An additional, separate network segment. */
    public SimulatedNetwork newNetwork() {
        return new SimulatedNetwork(scheduler, newRandom());
    }

    /** A host with one port on the default network, ideal link. Start it with {@link SimHost#start}. */
    public SimHost addHost(String name) {
        return addHost(name, LinkConditions.ideal());
    }

    /** A host with one port on the default network with {@code conditions} both ways. */
    public SimHost addHost(String name, LinkConditions conditions) {
        return addHost(name, conditions, conditions);
    }

    /** A host whose link has {@code uplink} conditions towards the switch and {@code downlink} back. */
    public SimHost addHost(String name, LinkConditions uplink, LinkConditions downlink) {
        SimHost host = new SimHost(this, network().attach(name, uplink, downlink));
        hosts.add(host);
        return host;
    }

    /** The host named {@code name}. */
    public SimHost host(String name) {
        for (SimHost host : hosts) {
            if (host.name().equals(name)) {
                return host;
            }
        }
        throw new IllegalArgumentException("no host named '" + name + "'; hosts: " + hosts);
    }

    /** Hosts in creation order. */
    public List<SimHost> hosts() {
        return List.copyOf(hosts);
    }

    /** See {@link Scheduler#runUntil(BooleanSupplier)}. */
    public boolean runUntil(BooleanSupplier done) {
        return scheduler.runUntil(done);
    }

    /**
     * Runs until {@code done} holds or {@code timeout} of virtual time has passed (or nothing is
     * left to run); returns whether {@code done} holds.
     */
    public boolean runUntil(BooleanSupplier done, Duration timeout) {
        long deadline = scheduler.now() + timeout.toNanos();
        return scheduler.runUntil(done, deadline < scheduler.now() ? Long.MAX_VALUE : deadline);
    }

    /** Runs for {@code durationNanos} of virtual time. */
    public void runFor(long durationNanos) {
        scheduler.runFor(durationNanos);
    }

    public void runFor(Duration duration) {
        scheduler.runFor(duration.toNanos());
    }

    public void runUntilIdle() {
        scheduler.runUntilIdle();
    }

    @Override
    public String toString() {
        return "Simulation[seed=" + seed + ", now=" + scheduler.now() + "ns]";
    }
}
