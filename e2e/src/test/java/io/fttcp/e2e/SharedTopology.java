package io.fttcp.e2e;

import io.fttcp.cli.demo.ServeProcess;
import io.fttcp.testbed.ExecResult;
import io.fttcp.testbed.Host;
import io.fttcp.testbed.LoggedService;
import io.fttcp.testbed.ReplicaPair;
import io.fttcp.testbed.Topology;
import io.fttcp.testbed.WatchedProcess;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * One namespace topology for a whole test class (register it as a static
 * {@code @RegisterExtension} field): skipped with the reason when namespaces are unavailable
 * (not root), built before the class's {@code @BeforeAll}, torn down after all its tests, and
 * on a failed test prints what helps: the servers' and the current test's replicas' output,
 * {@code ip -s link} and {@code ss -tin} of every host.
 */
final class SharedTopology implements BeforeAllCallback, BeforeEachCallback, AfterAllCallback, TestWatcher {
    static final Duration SERVER_START = Duration.ofSeconds(30);
    private static final int SERVER_LINES_SHOWN = 80;

    private final UnaryOperator<Topology.Builder> hosts;
    private final List<ServeProcess> servers = new ArrayList<>();
    /** The current test's replica pairs: shown if it fails, closed before the next test. */
    private final List<ReplicaPair> pairs = new ArrayList<>();
    /** The current test's logged services: shown if it fails, closed before the next test. */
    private final List<LoggedService> logged = new ArrayList<>();
    private Topology topology;

    SharedTopology(UnaryOperator<Topology.Builder> hosts) {
        this.hosts = hosts;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        var unavailable = Topology.unavailableReason();
        assumeTrue(unavailable.isEmpty(), () -> "end-to-end tests need network namespaces: " + unavailable.orElse(""));
        Topology.cleanupStale();
        topology = hosts.apply(Topology.builder()).build();
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        closePairs();
    }

    private void closePairs() {
        for (ReplicaPair pair : pairs) {
            pair.close();
        }
        pairs.clear();
        logged.forEach(LoggedService::close);
        logged.clear();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        closePairs();
        for (ServeProcess server : servers) {
            server.close();
        }
        servers.clear();
        if (topology != null) {
            topology.close();
            topology = null;
        }
    }

    Topology topology() {
        return topology;
    }

    Host host(String name) {
        return topology.host(name);
    }

    /** Starts {@code fttcp serve <args>} in {@code host} and waits until it listens; stopped in afterAll. */
    ServeProcess serve(String hostName, String... args) throws InterruptedException {
        ServeProcess server = ServeProcess.start(topology, host(hostName), args);
        servers.add(server);
        server.awaitReady(SERVER_START);
        return server;
    }

    /**
     * Starts {@code fttcp primary} in {@code primaryHost} and {@code fttcp backup} in {@code backupHost}
     * ({@link ReplicaPair#start}); the test should close the pair; if it fails, the pair's output is shown.
     */
    ReplicaPair replicas(String primaryHost, String backupHost, String app, String... extraConfig) throws InterruptedException {
        return replicas(primaryHost, backupHost, app, List.of(), extraConfig);
    }

    /** As {@link #replicas(String, String, String, String...)}, each replica's command also given {@code options} ({@code HOST}: its own address). */
    ReplicaPair replicas(String primaryHost, String backupHost, String app, List<String> options, String... extraConfig) throws InterruptedException {
        ReplicaPair pair = ReplicaPair.start(topology, host(primaryHost), host(backupHost), app, options, extraConfig);
        pairs.add(pair);
        return pair;
    }

    /**
     * Starts a service protected by message logging ({@link LoggedService#start}): the logger in
     * {@code loggerHost}, the primary in {@code primaryHost}; closed before the next test, shown if it fails.
     */
    LoggedService logged(String loggerHost, String primaryHost, String app, List<String> loggerOptions, String... extraConfig)
            throws InterruptedException {
        LoggedService service = LoggedService.start(topology, host(loggerHost), host(primaryHost), app, loggerOptions, extraConfig);
        logged.add(service);
        return service;
    }

    /** Runs a bash script in {@code hostName}'s namespace (60 s limit unless given). */
    ExecResult bash(String hostName, Duration timeout, String script) {
        return topology.exec(host(hostName), timeout, "bash", "-c", script);
    }

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        if (topology == null) {
            return;
        }
        StringBuilder report = new StringBuilder("\n===== diagnostics for failed " + context.getDisplayName() + " =====\n");
        for (ServeProcess server : servers) {
            report.append("--- ").append(server.description()).append(server.isAlive() ? " (running)" : " (EXITED)").append(", last output:\n");
            report.append(lastLines(server.output(), SERVER_LINES_SHOWN));
        }
        List<WatchedProcess> shown = new ArrayList<>();
        for (ReplicaPair pair : pairs) {
            shown.add(pair.primary());
            shown.add(pair.backup());
            shown.addAll(pair.laterBackups());
        }
        logged.forEach(l -> shown.addAll(l.processes()));
        for (WatchedProcess p : shown) {
            report.append("--- ").append(p.description()).append(p.isAlive() ? " (running)" : " (EXITED)").append(", last output:\n");
            report.append(lastLines(p.output(), SERVER_LINES_SHOWN));
        }
        for (Host h : topology.hosts()) {
            for (String[] command : new String[][]{{"ip", "-s", "link"}, {"ss", "-tin"}}) {
                try {
                    ExecResult r = topology.exec(h, Duration.ofSeconds(10), command);
                    report.append("--- ").append(h.name()).append(": ").append(String.join(" ", command)).append('\n').append(r.output());
                } catch (RuntimeException e) {
                    report.append("--- ").append(h.name()).append(": ").append(String.join(" ", command)).append(" failed: ").append(e.getMessage()).append('\n');
                }
            }
        }
        report.append("--- switch: bridge fdb show (which port each MAC is forwarded to)\n").append(switchForwardingTable());
        System.err.println(report);
    }

    /** The last {@code n} lines of a process's output, each indented with "  | " and ended by a newline. */
    static String lastLines(String output, int n) {
        List<String> lines = output.lines().toList();
        StringBuilder b = new StringBuilder();
        lines.subList(Math.max(0, lines.size() - n), lines.size()).forEach(l -> b.append("  | ").append(l).append('\n'));
        return b.toString();
    }

    private String switchForwardingTable() {
        try {
            Process p = new ProcessBuilder("ip", "netns", "exec", topology.switchNamespace(), "bridge", "fdb", "show", "br", Topology.SWITCH_BRIDGE)
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
            return out.lines().filter(l -> !l.contains("permanent")).map(l -> l + "\n").reduce("", String::concat);
        } catch (java.io.IOException e) {
            return "(failed: " + e.getMessage() + ")\n";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "(interrupted)\n";
        }
    }
}
