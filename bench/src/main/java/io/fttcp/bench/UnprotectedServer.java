package io.fttcp.bench;

import io.fttcp.testbed.Host;
import io.fttcp.testbed.Topology;
import io.fttcp.testbed.WatchedProcess;

import java.time.Duration;

/** The baseline of the protection benchmarks: the HTTP server on the stack, unprotected ({@code fttcp serve --network stack}). */
public final class UnprotectedServer {
    private UnprotectedServer() {
    }

    /** Starts it on {@code host}'s TAP device at the service address and waits until it listens; stopped if it does not. */
    public static WatchedProcess start(Topology topology, Host host, int port, Duration timeout) throws InterruptedException {
        WatchedProcess serve = WatchedProcess.start(topology, host, "fttcp serve", Topology.javaCommand("io.fttcp.cli.Main",
                "serve", "--network", "stack", "--app", "http", "--listen", Topology.SERVICE_ADDRESS + ":" + port, "--tap", host.tapDevice()));
        try {
            serve.awaitLine(l -> l.startsWith("fttcp: ") && l.contains("listening on"), "that it listens", timeout);
        } catch (RuntimeException | InterruptedException e) {
            serve.close();
            throw e;
        }
        return serve;
    }
}
