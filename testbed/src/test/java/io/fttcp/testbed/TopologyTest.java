package io.fttcp.testbed;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Builds real namespaces; runs only as root (skipped otherwise). */
class TopologyTest {
    @BeforeAll
    static void needsRoot() {
        assumeTrue(Topology.unavailableReason().isEmpty(), () -> "skipped: " + Topology.unavailableReason().orElse(""));
        assertTrue(CommandRunner.run(List.of("sh", "-c", "command -v ping"), Duration.ofSeconds(10)).succeeded(),
                "ping is missing: apt-get install iputils-ping");
    }

    private static ExecResult ping(Topology t, Host from, String to) {
        return t.exec(from, Duration.ofSeconds(30), "ping", "-c", "2", "-i", "0.2", "-W", "2", to);
    }

    @Test
    void clientPingsServerKernelAddressAndTeardownLeavesNothing() {
        String prefix;
        try (Topology t = Topology.builder().client("client").server("primary").build()) {
            prefix = t.namespacePrefix();
            Host client = t.host("client");
            Host primary = t.host("primary");
            assertEquals("198.18.0.10", client.kernelAddress());
            assertEquals("198.18.0.1", primary.kernelAddress());
            assertEquals("br0", primary.kernelInterface());
            assertEquals("tap0", primary.tapDevice());
            assertEquals(3, t.existingNamespaces().size(), t.existingNamespaces().toString());

            ExecResult r = ping(t, client, primary.kernelAddress());
            assertTrue(r.succeeded(), r.output());
            assertTrue(r.output().contains("2 received"), r.output());

            // No route out: only the on-link /24, nothing else.
            String routes = t.exec(client, "ip", "-4", "route").requireSuccess().output();
            assertEquals(1, routes.strip().lines().count(), routes);
            assertTrue(routes.startsWith("198.18.0.0/24 dev eth0"), routes);

            String tap = t.exec(primary, "ip", "-d", "link", "show", "tap0").requireSuccess().output();
            assertTrue(tap.contains("master br0") && tap.contains("tun type tap"), tap);
        }
        List<String> left = CommandRunner.run(List.of("ip", "netns", "list"), Duration.ofSeconds(10)).output().lines()
                .filter(l -> l.startsWith(prefix)).toList();
        assertEquals(List.of(), left);
    }

    @Test
    void aWatchedProcessTellsItsResidentMemoryWhileItLives() throws InterruptedException {
        try (Topology t = Topology.builder().client("client").server("primary").build();
             // Touches 64 MiB (dd's block buffer), then sleeps holding it.
             WatchedProcess p = WatchedProcess.start(t, t.host("primary"), "dd",
                     "sh", "-c", "echo ready; exec dd if=/dev/zero of=/dev/null bs=64M count=1000000 status=none")) {
            p.awaitLine(l -> l.equals("ready"), "ready", Duration.ofSeconds(10));
            long resident = 0;
            for (int i = 0; i < 50 && resident < 64L << 20; i++) {
                resident = p.residentBytes().orElse(0);
                Thread.sleep(20);
            }
            assertTrue(resident >= 64L << 20, "resident " + resident);
            p.signal("KILL");
            p.awaitExit(Duration.ofSeconds(5));
            assertTrue(p.residentBytes().isEmpty(), "an exited process has no resident memory");
        }
    }

    @Test
    void linkDownCutsAHostOffAndLinkUpReconnects() {
        try (Topology t = Topology.builder().client("client").server("primary").server("backup").build()) {
            Host client = t.host("client");
            Host backup = t.host("backup");
            assertEquals("198.18.0.2", backup.kernelAddress());
            assertTrue(ping(t, client, backup.kernelAddress()).succeeded());
            t.linkDown(backup);
            ExecResult cut = t.exec(client, Duration.ofSeconds(30), "ping", "-c", "1", "-W", "1", backup.kernelAddress());
            assertFalse(cut.succeeded(), cut.output());
            assertTrue(ping(t, client, t.host("primary").kernelAddress()).succeeded(), "the others stay connected");
            t.linkUp(backup);
            ExecResult back = t.exec(client, Duration.ofSeconds(30), "ping", "-c", "1", "-w", "10", backup.kernelAddress());
            assertTrue(back.succeeded(), back.output());
        }
    }

    @Test
    void startedProcessesAreKilledAtClose() throws Exception {
        Process p;
        try (Topology t = Topology.builder().client("client").build()) {
            p = t.start(t.host("client"), "sleep", "600");
            assertTrue(p.isAlive());
        }
        assertFalse(p.isAlive());
    }

    @Test
    void cleanupStaleRemovesNamespacesOfDeadRunsOnly() throws Exception {
        Process dead = new ProcessBuilder("true").start();
        dead.waitFor();
        String stale = "ft" + dead.pid() + "-1-client";
        String live = "ft" + ProcessHandle.current().pid() + "-999-client";
        CommandRunner.run(List.of("ip", "netns", "add", stale), Duration.ofSeconds(10)).requireSuccess();
        CommandRunner.run(List.of("ip", "netns", "add", live), Duration.ofSeconds(10)).requireSuccess();
        try {
            List<String> deleted = Topology.cleanupStale();
            assertTrue(deleted.contains(stale), deleted.toString());
            assertFalse(deleted.contains(live), deleted.toString());
        } finally {
            CommandRunner.run(List.of("ip", "netns", "del", stale), Duration.ofSeconds(10));
            CommandRunner.run(List.of("ip", "netns", "del", live), Duration.ofSeconds(10));
        }
    }

    @Test
    void commandFailuresSayWhatFailed() {
        try (Topology t = Topology.builder().client("client").build()) {
            ExecResult r = t.exec(t.host("client"), "ip", "link", "show", "nosuchdev");
            assertFalse(r.succeeded());
            TopologyException e = assertThrows(TopologyException.class, r::requireSuccess);
            assertTrue(e.getMessage().contains("nosuchdev"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> t.host("nobody"));
        }
        assertThrows(IllegalArgumentException.class, () -> Topology.builder().client("Bad_Name"));
        assertThrows(IllegalArgumentException.class, () -> Topology.builder().client("a").server("a"));
    }
}
