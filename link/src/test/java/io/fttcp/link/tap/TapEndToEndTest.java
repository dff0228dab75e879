package io.fttcp.link.tap;

import io.fttcp.testbed.ExecResult;
import io.fttcp.testbed.Host;
import io.fttcp.testbed.Topology;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * TAP + ARP + namespaces end to end: a probe JVM inside a server host namespace opens tap0,
 * owns 198.18.0.100 with its own MAC and answers pings from the client namespace's kernel.
 * Runs only as root.
 */
class TapEndToEndTest {
    @BeforeAll
    static void needsRoot() {
        assumeTrue(Topology.unavailableReason().isEmpty(), () -> "skipped: " + Topology.unavailableReason().orElse(""));
        assumeTrue(Files.exists(Path.of("/dev/net/tun")), "skipped: no /dev/net/tun");
    }

    private static ExecResult ping(Topology t, Host from, int count) {
        return t.exec(from, Duration.ofSeconds(30), "ping", "-c", Integer.toString(count), "-i", "0.2", "-W", "3", Topology.SERVICE_ADDRESS);
    }

    private static String neighbour(Topology t, Host from) {
        return t.exec(from, "ip", "neigh", "show", Topology.SERVICE_ADDRESS).requireSuccess().output();
    }

    @ParameterizedTest(name = "offloads={0}")
    @ValueSource(booleans = {false, true})
    void clientPingsTheServiceAddressOwnedByTheTapProbe(boolean offloads) throws Exception {
        try (Topology t = Topology.builder().client("client").server("primary").build()) {
            Host client = t.host("client");
            Host primary = t.host("primary");
            ProbeProcess probe = ProbeProcess.start(t, primary, primary.stackMac(), Topology.SERVICE_ADDRESS, offloads);

            ExecResult ping = ping(t, client, 3);
            assertTrue(ping.succeeded() && ping.output().contains("3 received"), ping.output() + "\nprobe: " + probe.lines);
            String neigh = neighbour(t, client);
            assertTrue(neigh.contains(primary.stackMac()), "client learned the stack's MAC by ARP: " + neigh);

            ExecResult kernel = t.exec(client, Duration.ofSeconds(30), "ping", "-c", "1", "-W", "3", primary.kernelAddress());
            assertTrue(kernel.succeeded(), "the host kernel's own address still works beside the stack: " + kernel.output());

            if (!offloads) {
                ExecResult second = t.exec(primary, Duration.ofSeconds(60), Topology.javaCommand(TapProbe.class.getName(),
                        primary.tapDevice(), primary.stackMac(), Topology.SERVICE_ADDRESS, "24", "false", "1"));
                assertFalse(second.succeeded(), second.output());
                assertTrue(second.output().contains("cannot attach to TAP device tap0") && second.output().contains("another process holds it"),
                        "a second opener gets a clear error: " + second.output());
            } else {
                t.exec(client, "bash", "-c", "echo hello > /dev/udp/" + Topology.SERVICE_ADDRESS + "/9").requireSuccess();
            }
            String stats = probe.stop();
            System.out.println("offloads=" + offloads + " probe " + stats);
            assertTrue(stats.contains("echoes=3 "), stats);
            assertTrue(stats.contains("garp=3 "), stats);
            assertTrue(stats.contains("writeErrors=0 "), stats);
            if (offloads) {
                assertTrue(stats.contains("udp=1 udpTrusted=1 "), "UDP from the client arrives with a partial or verified checksum: " + stats);
                assertTrue(stats.contains("partialCsum=1 "), stats);
            }
        }
    }

    /**
     * Segmentation offload: the probe writes one 4000-byte TCP frame with GSO (MSS 1000) and a
     * partial checksum to a closed port on the client. With offloads off on the client's veth,
     * the kernel must cut it into 4 segments and complete each checksum in software; the client
     * kernel then verifies each and answers each with a RST. A wrong virtio-net header would be
     * refused (write error), a wrong checksum seed would be dropped silently (no RSTs).
     * Before it, the same frame handed over with a deadline already past: the writer thread
     * counts it and never writes it (otherwise 8 RSTs).
     */
    @org.junit.jupiter.api.Test
    void largeTcpFramesAreSegmentedByTheKernel() throws Exception {
        try (Topology t = Topology.builder().client("client").server("primary").build()) {
            Host client = t.host("client");
            Host primary = t.host("primary");
            t.disableOffloads(client);
            ProbeProcess probe = ProbeProcess.start(t, primary, primary.stackMac(), Topology.SERVICE_ADDRESS, true);
            assertTrue(ping(t, client, 1).succeeded(), "warm ARP both ways: " + probe.lines);
            probe.command("late " + client.kernelAddress() + " 9 4000 1000");
            probe.command("gso " + client.kernelAddress() + " 9 4000 1000");
            Thread.sleep(1000);
            String stats = probe.stop();
            System.out.println("gso probe " + stats);
            assertTrue(stats.contains("writeErrors=0 "), stats);
            assertTrue(stats.contains("closed=0 pastDeadline=1 "), "the late frame was dropped by the TAP's writer: " + stats);
            assertTrue(stats.contains("tcpResets=4 "), "one RST per segment, so the kernel cut 4 valid segments (of one frame only): " + stats);
        }
    }

    /**
     * The ARP half of takeover: the primary's stack dies, the backup's stack takes the service
     * address and announces it; the client reaches the backup at once, without waiting for its
     * ARP entry (or the switch's MAC table) to age out.
     */
    @ParameterizedTest(name = "sameVirtualMac={0}")
    @ValueSource(booleans = {true, false})
    void gratuitousArpMovesTheServiceAddressToTheBackup(boolean sameVirtualMac) throws Exception {
        try (Topology t = Topology.builder().client("client").server("primary").server("backup").build()) {
            Host client = t.host("client");
            Host primary = t.host("primary");
            Host backup = t.host("backup");
            String primaryMac = sameVirtualMac ? Topology.SERVICE_MAC : primary.stackMac();
            String backupMac = sameVirtualMac ? Topology.SERVICE_MAC : backup.stackMac();

            ProbeProcess first = ProbeProcess.start(t, primary, primaryMac, Topology.SERVICE_ADDRESS, false);
            ExecResult before = ping(t, client, 2);
            assertTrue(before.succeeded(), before.output() + "\nprobe: " + first.lines);
            assertTrue(neighbour(t, client).contains(primaryMac));
            first.kill();

            ProbeProcess second = ProbeProcess.start(t, backup, backupMac, Topology.SERVICE_ADDRESS, false);
            if (!sameVirtualMac) {
                String neigh = "";
                for (int i = 0; i < 40 && !neigh.contains(backupMac); i++) {
                    Thread.sleep(50);
                    neigh = neighbour(t, client);
                }
                assertTrue(neigh.contains(backupMac), "the announcement updated the client's ARP entry: " + neigh);
            }
            ExecResult after = t.exec(client, Duration.ofSeconds(30), "ping", "-c", "3", "-i", "0.2", "-W", "1", Topology.SERVICE_ADDRESS);
            assertTrue(after.succeeded() && after.output().contains("3 received"), after.output() + "\nbackup probe: " + second.lines);
            String stats = second.stop();
            assertTrue(stats.contains("echoes=3 "), stats);
        }
    }
}
