package io.fttcp.bench.failover;

import io.fttcp.testbed.ReplicaPair;
import io.fttcp.testbed.Topology;

/** The failures the benchmark injects into a primary in the middle of a download. */
public enum Failure {
    /** The primary's JVM is SIGKILLed: the backup notices at once (its replication connection is reset). */
    KILL("kill", "primary SIGKILLed"),
    /** The primary's switch port goes down: the backup notices only by missing heartbeats (the detection timeout). */
    LINK_DOWN("linkdown", "primary's link down");

    private final String label;
    private final String description;

    Failure(String label, String description) {
        this.label = label;
        this.description = description;
    }

    public String label() {
        return label;
    }

    public String description() {
        return description;
    }

    /** Injects the failure into the pair's primary. */
    public void inject(Topology topology, ReplicaPair pair) {
        switch (this) {
            case KILL -> pair.primary().signal("KILL");
            case LINK_DOWN -> topology.linkDown(pair.primaryHost());
        }
    }

    /** Undoes what the failure left behind once the trial is over (the primary itself is gone with its pair). */
    public void repair(Topology topology, ReplicaPair pair) {
        if (this == LINK_DOWN) {
            topology.linkUp(pair.primaryHost());
        }
    }
}
