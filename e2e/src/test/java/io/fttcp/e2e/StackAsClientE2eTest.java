package io.fttcp.e2e;

import io.fttcp.apps.http.Generator;
import io.fttcp.testbed.ExecResult;
import io.fttcp.testbed.Host;
import io.fttcp.testbed.Topology;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The user-space stack as the client: the HTTP app on the kernel's TCP in the client namespace,
 * and {@link StackHttpGet} in the server namespace downloading 64 MiB through the stack on tap0.
 * The order matters: the TAP device is persistent, and each run re-opens it with or without offloads.
 */
@Timeout(value = 90)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StackAsClientE2eTest {
    private static final long DOWNLOAD_BYTES = 64L << 20;
    private static final int KERNEL_PORT = 8080;
    private static final Pattern RESULT = Pattern.compile("status=(\\d+) length=(-?\\d+) bytes=(\\d+) sha256=([0-9a-f]{64}) seconds=([0-9.]+)");

    @RegisterExtension
    static final SharedTopology net = new SharedTopology(b -> b.client("client").server("server"));

    @BeforeAll
    static void startKernelServer() throws InterruptedException {
        net.serve("client", "--network", "kernel", "--app", "http", "--listen", net.host("client").kernelAddress() + ":" + KERNEL_PORT);
    }

    @Test
    @Order(1)
    void withoutOffloadsOnAFreshTap() {
        downloadThroughTheStack("no-offloads");
    }

    @Test
    @Order(2)
    void withOffloads() {
        downloadThroughTheStack("offloads");
    }

    /** A TAP once opened with offloads must work when opened again without them (a restarted or failed-over stack). */
    @Test
    @Order(3)
    void withoutOffloadsAfterAnOffloadedRunOnTheSameTap() {
        downloadThroughTheStack("no-offloads");
    }

    private static void downloadThroughTheStack(String offloads) {
        Host server = net.host("server");
        long seed = System.nanoTime() & 0xffff;
        String[] command = Topology.javaCommand(StackHttpGet.class.getName(), server.tapDevice(), server.stackMac(),
                Topology.SERVICE_ADDRESS, net.host("client").kernelAddress() + ":" + KERNEL_PORT,
                "/gen/" + DOWNLOAD_BYTES + "?seed=" + seed, offloads);
        ExecResult r = net.topology().exec(server, Duration.ofSeconds(80), command);
        assertEquals(0, r.exitCode(), "StackHttpGet (" + offloads + ") failed:\n" + r.output()
                + "\ntap0 features now:\n" + net.bash("server", Duration.ofSeconds(10), "ethtool -k tap0 | grep -E 'tx-checksum-ip-generic|tx-tcp-segmentation'").output());
        Matcher m = RESULT.matcher(r.output());
        assertTrue(m.find(), "no result line:\n" + r.output());
        assertEquals(200, Integer.parseInt(m.group(1)), r.output());
        assertEquals(DOWNLOAD_BYTES, Long.parseLong(m.group(2)), "Content-Length\n" + r.output());
        assertEquals(DOWNLOAD_BYTES, Long.parseLong(m.group(3)), "body bytes received\n" + r.output());
        assertEquals(new Generator(seed).sha256Hex(DOWNLOAD_BYTES), m.group(4), "sha256 of the body (seed " + seed + ")");
        System.out.printf("stack as client (%s): %d bytes in %s s%n", offloads, DOWNLOAD_BYTES, m.group(5));
    }
}
