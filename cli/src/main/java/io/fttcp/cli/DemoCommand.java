package io.fttcp.cli;

import io.fttcp.apps.http.Generator;
import io.fttcp.cli.demo.CurlDownload;
import io.fttcp.cli.demo.ServeProcess;
import io.fttcp.testbed.Host;
import io.fttcp.testbed.Topology;
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
 * The five-step tour: a namespace network, the HTTP server on the user-space stack over TAP, a
 * 256 MiB download with curl from another namespace, its SHA-256 checked, everything removed.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Build a test network of namespaces, serve on the user-space TCP stack, download 256 MiB with curl and check it.",
                "Needs root (network namespaces, a TAP device) and curl."})
final class DemoCommand implements Callable<Integer> {

    static final long DOWNLOAD_BYTES = 256L << 20;
    private static final String SERVICE = Topology.SERVICE_ADDRESS + ":80";
    private static final Duration SERVER_START = Duration.ofSeconds(30);
    private static final Duration DOWNLOAD_LIMIT = Duration.ofSeconds(120);
    private static final int STEPS = 5;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Optional<String> unavailable = Topology.unavailableReason();
        if (unavailable.isPresent()) {
            err.println("fttcp demo: cannot run here: " + unavailable.get() + ".");
            err.println("The demo builds network namespaces and a TAP device, which needs root: try 'sudo ./fttcp demo'.");
            return 2;
        }
        out.println("fttcp demo: a download from the user-space TCP stack, checked end to end.");
        Topology.cleanupStale();
        Topology topology = null;
        ServeProcess server = null;
        boolean passed = false;
        try {
            long t0 = System.nanoTime();
            step(out, 1, "Building a test network of namespaces (198.18.0.0/24, no route out)... ");
            topology = Topology.builder().client("client").server("server").build();
            Host client = topology.host("client");
            Host serverHost = topology.host("server");
            out.printf("done (%s)%n", since(t0));
            out.printf("      client %s  <-- switch -->  server %s, whose %s carries the stack at %s%n",
                    client.kernelAddress(), serverHost.kernelAddress(), serverHost.tapDevice(), Topology.SERVICE_ADDRESS);

            long t1 = System.nanoTime();
            step(out, 2, "Starting the HTTP server on the user-space stack (server namespace, " + serverHost.tapDevice() + ")... ");
            server = ServeProcess.start(topology, serverHost, "--network", "stack", "--app", "http",
                    "--listen", SERVICE, "--tap", serverHost.tapDevice());
            String listening = server.awaitReady(SERVER_START);
            out.printf("listening on %s (%s)%n", listening, since(t1));

            String url = "http://" + Topology.SERVICE_ADDRESS + "/gen/256M";
            step(out, 3, "Downloading " + (DOWNLOAD_BYTES >> 20) + " MiB with curl in the client namespace: curl " + url + " | sha256sum");
            out.println();
            CurlDownload download = CurlDownload.run(topology, client, url, DOWNLOAD_LIMIT);
            out.printf(Locale.ROOT, "      %d bytes in %.2f s: %.0f Mbit/s%n", download.bytes(), download.seconds(), download.megabitsPerSecond());

            step(out, 4, "Checking the content against the expected SHA-256... ");
            String expected = new Generator(0).sha256Hex(DOWNLOAD_BYTES);
            if (download.bytes() != DOWNLOAD_BYTES || !download.sha256().equals(expected)) {
                out.println("MISMATCH");
                err.printf("fttcp demo: FAILED: the download is corrupt: %d bytes, sha256 %s; expected %d bytes, sha256 %s%n",
                        download.bytes(), download.sha256(), DOWNLOAD_BYTES, expected);
                return 1;
            }
            out.println("match");
            out.println("      sha256 " + download.sha256());
            passed = true;
            return 0;
        } catch (RuntimeException e) {
            out.println();
            String message = String.valueOf(e.getMessage());
            err.println("fttcp demo: FAILED: " + message);
            if (server != null && !message.contains(server.output())) {
                err.println("The server's last output:");
                lastLines(server.output(), 20).forEach(line -> err.println("  | " + line));
            }
            return 1;
        } finally {
            long t2 = System.nanoTime();
            step(out, 5, "Stopping the server and removing the network... ");
            if (server != null) {
                server.close();
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

    private static List<String> lastLines(String text, int n) {
        List<String> lines = text.strip().lines().toList();
        return lines.subList(Math.max(0, lines.size() - n), lines.size());
    }
}
