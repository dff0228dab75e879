package io.fttcp.bench;

import io.fttcp.testbed.Topology;

import java.io.PrintWriter;
import java.util.Optional;

/** What every namespace benchmark checks first: that it can build its topology here (root, Linux, iproute2). */
public final class NamespacesRequired {
    /** A benchmark's exit code when it cannot run here. */
    public static final int UNAVAILABLE = 2;

    private NamespacesRequired() {}

    /** True, after saying why on {@code err}, when namespace topologies cannot be built here. */
    public static boolean missing(PrintWriter err) {
        Optional<String> unavailable = Topology.unavailableReason();
        unavailable.ifPresent(why -> err.println("fttcp bench: cannot build the namespace topology: " + why
                + ". Run as root on Linux with iproute2 installed."));
        return unavailable.isPresent();
    }
}
