package io.fttcp.e2e;

import io.fttcp.cli.Main;
import io.fttcp.testbed.Topology;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code fttcp demo} for real: the primary is killed in the middle of the download, which must
 * still finish intact after a short stall, within 30 s, leaving no namespace behind.
 */
class DemoCommandE2eTest {

    @Test
    @Timeout(value = 60)
    void demoSurvivesTheKillOfThePrimaryAndCleansUp() {
        var unavailable = Topology.unavailableReason();
        assumeTrue(unavailable.isEmpty(), () -> "the demo needs network namespaces: " + unavailable.orElse(""));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        long start = System.nanoTime();
        int exit = cl.execute("demo");
        double seconds = (System.nanoTime() - start) / 1e9;
        String both = "stdout:\n" + out + "\nstderr:\n" + err;
        assertEquals(0, exit, both);
        for (int step = 1; step <= 6; step++) {
            assertTrue(out.toString().contains("[" + step + "/6]"), "step " + step + " missing:\n" + both);
        }
        assertTrue(out.toString().contains("Killing the primary (SIGKILL)"), both);
        assertTrue(out.toString().contains("TOOK OVER " + Topology.SERVICE_ADDRESS + ": restored 1 connection(s)"), both);
        assertTrue(out.toString().contains("match"), both);
        Matcher stall = Pattern.compile("stall seen by the client: ([0-9.]+) ms").matcher(out.toString());
        assertTrue(stall.find(), both);
        // The backup resumes at once; a stall of a second or more would mean the client waited for its own retransmission timer.
        assertTrue(Double.parseDouble(stall.group(1)) < 1000, "stall " + stall.group(1) + " ms:\n" + both);
        assertTrue(out.toString().strip().endsWith("fttcp demo: OK"), both);
        Matcher sha = Pattern.compile("sha256 ([0-9a-f]{64})").matcher(out.toString());
        assertTrue(sha.find(), both);
        assertEquals(new io.fttcp.apps.http.Generator(0).sha256Hex(256L << 20), sha.group(1), both);
        assertTrue(seconds < 30, "the demo took " + seconds + " s:\n" + both);
        String ours = "ft" + ProcessHandle.current().pid() + "-";
        String namespaces = new String(runIpNetnsList());
        assertTrue(namespaces.lines().noneMatch(l -> l.startsWith(ours)), "namespaces left behind:\n" + namespaces + "\n" + both);
        System.out.println(out);
    }

    private static byte[] runIpNetnsList() {
        try {
            Process p = new ProcessBuilder("ip", "netns", "list").redirectErrorStream(true).start();
            byte[] listing = p.getInputStream().readAllBytes();
            p.waitFor();
            return listing;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
