package io.fttcp.sim;

import io.fttcp.sim.net.SimPort;

import java.util.function.Consumer;

/**
 * A simulated machine with one port on a network, whose software can crash and restart.
 * {@link #start} boots it: the boot function builds the host's software on a fresh
 * {@link HostIncarnation} (its link, its timers). {@link #crash} is a power loss: the port goes
 * silent at once (frames in flight to it and still queued in it are lost), every event of the
 * incarnation is cancelled and the incarnation becomes inert. {@link #restart} boots a new
 * incarnation on the same port and MAC with the same boot function.
 */
public final class SimHost {
    private final Simulation simulation;
    private final SimPort port;
    private Consumer<HostIncarnation> boot;
    private HostIncarnation current;
    private int boots;

    SimHost(Simulation simulation, SimPort port) {
        this.simulation = simulation;
        this.port = port;
    }

    public String name() {
        return port.name();
    }

    public SimPort port() {
        return port;
    }

    public Simulation simulation() {
        return simulation;
    }

    /** Boots the host now with {@code boot}, which is also used by every {@link #restart}. */
    public HostIncarnation start(Consumer<HostIncarnation> boot) {
        if (this.boot != null) {
            throw new IllegalStateException("host " + name() + " was already started; use restart() after crash()");
        }
        this.boot = boot;
        return bootNew();
    }

    /** Power loss, now. Does nothing if the host is already down. */
    public void crash() {
        if (current == null || !current.isAlive()) {
            return;
        }
        current.die();
        port.setReceiver(null);
        port.linkDown();
    }

    /** Boots a new incarnation on the same port after a crash. */
    public HostIncarnation restart() {
        if (boot == null) {
            throw new IllegalStateException("host " + name() + " was never started");
        }
        if (isUp()) {
            throw new IllegalStateException("host " + name() + " is running; crash() it first");
        }
        port.linkUp();
        return bootNew();
    }

    public boolean isUp() {
        return current != null && current.isAlive();
    }

    /** The running incarnation, or the last one if crashed; null before start. */
    public HostIncarnation incarnation() {
        return current;
    }

    /** How many times the host has booted. */
    public int boots() {
        return boots;
    }

    private HostIncarnation bootNew() {
        current = new HostIncarnation(this, boots++, simulation.scheduler());
        boot.accept(current);
        return current;
    }

    @Override
    public String toString() {
        return "SimHost[" + name() + (isUp() ? ", up" : ", down") + ", boots=" + boots + "]";
    }
}
