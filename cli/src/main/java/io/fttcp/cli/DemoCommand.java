package io.fttcp.cli;

import io.fttcp.apps.http.Generator;
import io.fttcp.cli.demo.WatchedCurlDownload;
import io.fttcp.testbed.Host;
import io.fttcp.testbed.ReplicaPair;
import io.fttcp.testbed.Topology;
import io.fttcp.testbed.WatchedProcess;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * The failover tour: a namespace network, a primary and a backup serving HTTP on the user-space
 * stack, a 256 MiB download with curl from the client, the primary killed half way, the backup
 * taking over, and the download finishing intact, with the stall the client saw.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        header = "Failover demo: curl downloads from a primary/backup pair, the primary is killed half way, the download completes.",
        description = "Failover demo: a primary and a backup serve HTTP; curl downloads 256 MiB; the primary is killed "
                + "(SIGKILL) half way; the backup takes over the connection and the download finishes intact. Prints "
                + "the client's stall and the SHA-256. Needs root (network namespaces, TAP devices) and curl.")
final class DemoCommand implements Callable<Integer> {

    static final long DOWNLOAD_BYTES = 256L << 20;
    static final long KILL_AT_BYTES = DOWNLOAD_BYTES / 2;
    private static final Duration DOWNLOAD_LIMIT = Duration.ofSeconds(120);
    private static final Duration TAKEOVER_LIMIT = Duration.ofSeconds(10);
    private static final int STEPS = 6;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Optional<String> unavailable = Topology.unavailableReason();
        if (unavailable.isPresent()) {
            err.println("fttcp demo: cannot run here: " + unavailable.get() + ".");
            err.println("The demo builds network namespaces and TAP devices, which needs root: try 'sudo ./fttcp demo'.");
            return 2;
        }
        out.println("fttcp demo: a download that survives the crash of its server.");
        Topology.cleanupStale();
        Topology topology = null;
        ReplicaPair pair = null;
        WatchedCurlDownload download = null;
        boolean passed = false;
        try {
            long t0 = System.nanoTime();
            step(out, 1, "Building a test network of namespaces (198.18.0.0/24, no route out)... ");
            topology = Topology.builder().client("client").server("primary").server("backup").build();
            Host client = topology.host("client");
            Host primaryHost = topology.host("primary");
            Host backupHost = topology.host("backup");
            out.printf("done (%s)%n", since(t0));
            out.printf("      client %s  <-- switch -->  primary %s, backup %s; the service address %s belongs to the primary%n",
                    client.kernelAddress(), primaryHost.kernelAddress(), backupHost.kernelAddress(), Topology.SERVICE_ADDRESS);

            long t1 = System.nanoTime();
            step(out, 2, "Starting 'fttcp primary' and 'fttcp backup', each an HTTP server on the user-space stack over its "
                    + primaryHost.tapDevice() + "... ");
            pair = ReplicaPair.start(topology, primaryHost, backupHost, "http");
            out.printf("the backup joined (%s)%n", since(t1));

            String url = "http://" + Topology.SERVICE_ADDRESS + "/gen/256M";
            step(out, 3, "Downloading " + (DOWNLOAD_BYTES >> 20) + " MiB with curl in the client namespace: curl " + url);
            out.println();
            download = WatchedCurlDownload.start(topology, client, url, DOWNLOAD_LIMIT);

            if (!download.awaitBytes(KILL_AT_BYTES, DOWNLOAD_LIMIT)) {
                throw new IllegalStateException("the download stopped at " + download.received() + " bytes, before the primary was killed");
            }
            step(out, 4, "Killing the primary (SIGKILL) after " + (download.received() >> 20) + " MiB... ");
            long killed = System.nanoTime();
            pair.primary().signal("KILL");
            String tookOver = pair.awaitTakeover(TAKEOVER_LIMIT);
            out.printf("the backup took over in %s%n", millisSince(killed));
            out.println("      backup: " + tookOver.substring(tookOver.indexOf("TOOK OVER")));

            step(out, 5, "Waiting for the download to finish and checking its SHA-256... ");
            WatchedCurlDownload.Result result = download.finish(DOWNLOAD_LIMIT);
            String expected = new Generator(0).sha256Hex(DOWNLOAD_BYTES);
            boolean intact = result.bytes() == DOWNLOAD_BYTES && result.sha256().equals(expected);
            out.println(intact ? "match" : "MISMATCH");
            out.printf(Locale.ROOT, "      %d bytes in %.2f s; curl exited 0 (no error, no reset)%n", result.bytes(), result.seconds());
            out.printf(Locale.ROOT, "      stall seen by the client: %.1f ms without data across the kill (longest gap before it: %.1f ms)%n",
                    result.timeline().stallAfter(killed) / 1e6, result.timeline().longestGapBefore(killed) / 1e6);
            out.println("      sha256 " + result.sha256() + (intact ? "" : ", expected " + expected));
            if (!intact) {
                err.printf("fttcp demo: FAILED: the download is corrupt: %d bytes, sha256 %s; expected %d bytes, sha256 %s%n",
                        result.bytes(), result.sha256(), DOWNLOAD_BYTES, expected);
                return 1;
            }
            passed = true;
            return 0;
        } catch (RuntimeException e) {
            out.println();
            String message = String.valueOf(e.getMessage());
            err.println("fttcp demo: FAILED: " + message);
            if (pair != null) {
                for (WatchedProcess p : List.of(pair.primary(), pair.backup())) {
                    if (!message.contains(p.output())) {
                        err.println(p.description() + ", its last output:");
                        lastLines(p.output(), 15).forEach(line -> err.println("  | " + line));
                    }
                }
            }
            return 1;
        } finally {
            long t2 = System.nanoTime();
            step(out, 6, "Stopping the replicas and removing the network... ");
            if (download != null) {
                download.close();
            }
            if (pair != null) {
                pair.close();
            }
            if (topology != null) {
                try {
                    topology.close();
                } catch (RuntimeException e) {
                    err.println("fttcp demo: teardown incomplete: " + e.getMessage());
                }
            }
            out.printf("done (%s)%n", since(t2));
            if (passed) {
                out.println("fttcp demo: OK");
            }
            out.flush();
        }
    }

    private static void step(PrintWriter out, int n, String text) {
        out.print("[" + n + "/" + STEPS + "] " + text);
        out.flush();
    }

    private static String since(long startNanos) {
        return String.format(Locale.ROOT, "%.1f s", (System.nanoTime() - startNanos) / 1e9);
    }

    private static String millisSince(long startNanos) {
        return String.format(Locale.ROOT, "%.0f ms", (System.nanoTime() - startNanos) / 1e6);
    }

    private static List<String> lastLines(String text, int n) {
        List<String> lines = text.strip().lines().toList();
        return lines.subList(Math.max(0, lines.size() - n), lines.size());
    }
}
