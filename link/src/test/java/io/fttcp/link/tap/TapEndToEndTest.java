package io.fttcp.link.tap;

import io.fttcp.testbed.ExecResult;
import io.fttcp.testbed.Host;
import io.fttcp.testbed.Topology;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * TAP + ARP + namespaces end to end: a probe JVM inside the server host namespace opens tap0,
 * owns 198.18.0.100 with its own MAC and answers pings from the client namespace's kernel.
 * Runs only as root.
 */
class TapEndToEndTest {
    @BeforeAll
    static void needsRoot() {
        assumeTrue(Topology.unavailableReason().isEmpty(), () -> "skipped: " + Topology.unavailableReason().orElse(""));
        assumeTrue(Files.exists(Path.of("/dev/net/tun")), "skipped: no /dev/net/tun");
    }

    @ParameterizedTest(name = "offloads={0}")
    @ValueSource(booleans = {false, true})
    void clientPingsTheServiceAddressOwnedByTheTapProbe(boolean offloads) throws Exception {
        try (Topology t = Topology.builder().client("client").server("primary").build()) {
            Host client = t.host("client");
            Host primary = t.host("primary");
            String java = ProcessHandle.current().info().command().orElseThrow();
            Process probe = t.start(primary, pb -> pb.redirectErrorStream(true), java, "--enable-native-access=ALL-UNNAMED",
                    "-cp", System.getProperty("java.class.path"), TapProbe.class.getName(),
                    primary.tapDevice(), primary.stackMac(), Topology.SERVICE_ADDRESS, "24", Boolean.toString(offloads), "120");
            List<String> lines = new CopyOnWriteArrayList<>();
            CountDownLatch ready = new CountDownLatch(1);
            Thread output = Thread.ofVirtual().start(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(probe.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null; ) {
                        lines.add(line);
                        if (line.startsWith("READY")) {
                            ready.countDown();
                        }
                    }
                } catch (java.io.IOException ignored) {
                    // the probe was killed
                }
            });
            assertTrue(ready.await(30, TimeUnit.SECONDS), () -> "probe did not start: " + lines);

            ExecResult ping = t.exec(client, Duration.ofSeconds(30), "ping", "-c", "3", "-i", "0.2", "-W", "3", Topology.SERVICE_ADDRESS);
            assertTrue(ping.succeeded() && ping.output().contains("3 received"), ping.output() + "\nprobe: " + lines);

            String neigh = t.exec(client, "ip", "neigh", "show", Topology.SERVICE_ADDRESS).requireSuccess().output();
            assertTrue(neigh.contains(primary.stackMac()), "client learned the stack's MAC by ARP: " + neigh);

            ExecResult kernel = t.exec(client, Duration.ofSeconds(30), "ping", "-c", "1", "-W", "3", primary.kernelAddress());
            assertTrue(kernel.succeeded(), "the host kernel's own address still works beside the stack: " + kernel.output());

            if (!offloads) {
                ExecResult second = t.exec(primary, Duration.ofSeconds(60), java, "--enable-native-access=ALL-UNNAMED",
                        "-cp", System.getProperty("java.class.path"), TapProbe.class.getName(),
                        primary.tapDevice(), primary.stackMac(), Topology.SERVICE_ADDRESS, "24", "false", "1");
                assertFalse(second.succeeded(), second.output());
                assertTrue(second.output().contains("cannot attach to TAP device tap0") && second.output().contains("another process holds it"),
                        "a second opener gets a clear error: " + second.output());
            }
            if (offloads) {
                t.exec(client, "bash", "-c", "echo hello > /dev/udp/" + Topology.SERVICE_ADDRESS + "/9").requireSuccess();
            }
            probe.getOutputStream().close();
            assertTrue(probe.waitFor(20, TimeUnit.SECONDS), "probe exits when its stdin closes");
            output.join(Duration.ofSeconds(5));
            String stats = lines.stream().filter(l -> l.startsWith("STATS")).findFirst().orElseThrow(() -> new AssertionError("no STATS: " + lines));
            System.out.println("offloads=" + offloads + " probe " + stats);
            assertTrue(stats.contains("echoes=3 "), stats);
            assertTrue(stats.contains("garp=3 "), stats);
            assertTrue(stats.contains("writeErrors=0 "), stats);
            if (offloads) {
                assertTrue(stats.contains("udp=1 udpTrusted=1 "), "UDP from the client arrives with a partial or verified checksum: " + stats);
            }
        }
    }
}
