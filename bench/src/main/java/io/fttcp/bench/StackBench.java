package io.fttcp.bench;

import io.fttcp.testbed.ExecResult;
import io.fttcp.testbed.Host;
import io.fttcp.testbed.Topology;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

/**
 * {@code ./fttcp bench stack}: the same servers (HTTP, line echo, idle holder) on (a) the kernel's
 * TCP at the server host's own address and (b) the user-space stack over TAP at the service
 * address, in one topology, measured side by side with the variants' trials interleaved. Prints
 * each trial, a summary table, and last the {@link ResultLine}; writes the same to a results file.
 */
public final class StackBench {
    static final String SERVER_HOST = "server";
    static final String CLIENT_HOST = "client";
    /** Both server JVMs get exactly these settings, so their heaps compare. JVM log lines go to stderr: stdout is the control channel. */
    static final List<String> SERVER_JVM_OPTIONS = List.of("-Xms1g", "-Xmx1g", "-XX:+UseG1GC", "-Xlog:all=warning:stderr");
    static final List<String> CLIENT_JVM_OPTIONS = List.of("-Xmx1g", "-Xlog:all=warning:stderr");
    /** Descriptors a bench JVM needs besides the idle connections (jars, pipes, the other servers' sockets). */
    private static final int FILES_BESIDES_IDLE = 1000;
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(60);
    /** Slowest transfer rate waited for before a transfer counts as hung (bytes per second). */
    private static final long SLOWEST_RATE = 10_000_000;

    private final BenchPlan plan;
    private final Report report;
    private final PrintWriter err;
    private final Path resultsDirectory;
    private final Measurements measurements = new Measurements();

    /** @param resultsDirectory where {@code stack-<timestamp>.txt} goes, or null for no file */
    public StackBench(BenchPlan plan, PrintWriter out, PrintWriter err, Path resultsDirectory) {
        this.plan = plan;
        this.report = new Report(out);
        this.err = err;
        this.resultsDirectory = resultsDirectory;
    }

    public Measurements measurements() {
        return measurements;
    }

    /** Runs the benchmark: 0 when every trial succeeded, 1 if some failed, 2 if it cannot run here. */
    public int run() throws IOException, InterruptedException {
        if (NamespacesRequired.missing(err)) return NamespacesRequired.UNAVAILABLE;
        if (!commandWorks("curl", "--version")) {
            err.println("fttcp bench: curl is missing (apt-get install curl).");
            return 2;
        }
        long files = hardFileLimit();
        if (files < plan.idleConnections() + FILES_BESIDES_IDLE) {
            err.println("fttcp bench: the hard limit of open files (ulimit -Hn) is " + files + "; holding "
                    + plan.idleConnections() + " idle connections needs at least " + (plan.idleConnections() + FILES_BESIDES_IDLE) + ".");
            return 2;
        }
        return ScratchDirectory.with("fttcp-bench-", this::runIn);
    }

    private int runIn(Path work) throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        ZonedDateTime started = ZonedDateTime.now(ZoneOffset.UTC);
        report.line("fttcp bench stack (" + plan.name() + "), " + started.format(DateTimeFormatter.ISO_LOCAL_DATE_TIME).substring(0, 19) + " UTC");
        report.line("(a) kernel: the bench server on the Linux kernel's TCP at the server host's address");
        report.line("(b) stack:  the same server on the user-space stack over TAP (offloads on) at " + Topology.SERVICE_ADDRESS);
        report.line("client: kernel TCP in its own namespace; server JVMs: " + String.join(" ", SERVER_JVM_OPTIONS)
                + "; MB = 10^6 bytes; us = microseconds");
        report.line("machine: " + Machine.description()
                + " (other work on the machine adds noise; the ranges below show it)");
        CompletableFuture<UploadFile> upload = CompletableFuture.supplyAsync(() -> {
            try {
                return UploadFile.create(work, plan.transferBytes());
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        try (Topology topology = Topology.builder().client(CLIENT_HOST).server(SERVER_HOST).build()) {
            Host server = topology.host(SERVER_HOST);
            Host client = topology.host(CLIENT_HOST);
            Map<Variant, String> address = new EnumMap<>(Variant.class);
            address.put(Variant.KERNEL, server.kernelAddress());
            address.put(Variant.STACK, Topology.SERVICE_ADDRESS);
            Process kernelProcess = startJava(topology, server, work.resolve("server-kernel.log"), SERVER_JVM_OPTIONS,
                    BenchServer.class, Variant.KERNEL.label(), address.get(Variant.KERNEL));
            Process stackProcess = startJava(topology, server, work.resolve("server-stack.log"), SERVER_JVM_OPTIONS,
                    BenchServer.class, Variant.STACK.label(), address.get(Variant.STACK), Topology.TAP_DEVICE,
                    Topology.SERVICE_MAC, String.valueOf(Topology.PREFIX_LENGTH));
            Process clientProcess = startJava(topology, client, work.resolve("client.log"), CLIENT_JVM_OPTIONS, BenchClient.class);
            Map<Variant, ControlChannel> servers = new EnumMap<>(Variant.class);
            try (ControlChannel kernelServer = new ControlChannel("kernel bench server", kernelProcess);
                 ControlChannel stackServer = new ControlChannel("stack bench server", stackProcess);
                 ControlChannel benchClient = new ControlChannel("bench client", clientProcess)) {
                servers.put(Variant.KERNEL, kernelServer);
                servers.put(Variant.STACK, stackServer);
                kernelServer.awaitReady(START_TIMEOUT);
                stackServer.awaitReady(START_TIMEOUT);
                benchClient.awaitReady(START_TIMEOUT);
                Trials trials = new Trials(topology, client, address, servers, benchClient, upload.join());
                report.line(String.format(Locale.ROOT, "setup: %.1f s", (System.nanoTime() - t0) / 1e9));
                trials.runAll();
            } catch (IOException e) {
                throw new IOException(e.getMessage() + "\n" + logTails(work), e);
            }
        }
        report.line("");
        SummaryTable.lines(measurements, plan).forEach(report::line);
        KernelSocketEstimate.line(measurements).ifPresent(report::line);
        int failures = measurements.totalFailures();
        report.line(String.format(Locale.ROOT, "failed trials: %d; wall time %.1f s; load average at the end %s",
                failures, (System.nanoTime() - t0) / 1e9, Machine.loadAverage()));
        String result = ResultLine.of(measurements).format();
        if (resultsDirectory != null) {
            Path file = resultsDirectory.resolve("stack-" + started.format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + ".txt");
            report.line("results written to " + file);
            report.line(result);
            report.writeTo(file);
        } else {
            report.line(result);
        }
        return failures == 0 ? 0 : 1;
    }

    /** The measurements, each trial interleaved a, b, a, b so that noise on the machine hits both. */
    private final class Trials {
        private final Topology topology;
        private final Host client;
        private final Map<Variant, String> address;
        private final Map<Variant, ControlChannel> servers;
        private final ControlChannel benchClient;
        private final UploadFile upload;

        Trials(Topology topology, Host client, Map<Variant, String> address, Map<Variant, ControlChannel> servers,
               ControlChannel benchClient, UploadFile upload) {
            this.topology = topology;
            this.client = client;
            this.address = address;
            this.servers = servers;
            this.benchClient = benchClient;
            this.upload = upload;
        }

        void runAll() throws IOException, InterruptedException {
            for (int round = 1; round <= plan.warmupRounds(); round++) {
                for (Variant v : Variant.values()) {
                    warmUp(v, round);
                }
            }
            for (int i = 1; i <= plan.trials(); i++) {
                for (Variant v : Variant.values()) {
                    download(v, i);
                }
            }
            for (int i = 1; i <= plan.trials(); i++) {
                for (Variant v : Variant.values()) {
                    upload(v, i);
                }
            }
            for (int i = 1; i <= plan.trials(); i++) {
                for (Variant v : Variant.values()) {
                    aggregateTrial(v, i);
                }
            }
            for (int i = 1; i <= plan.trials(); i++) {
                for (Variant v : Variant.values()) {
                    requestResponse(v, i);
                }
            }
            for (Variant v : Variant.values()) {
                idleConnections(v);
            }
        }

        /** Uncounted: ARP, JIT compilation and buffer growth on both sides; printed so a slow start shows. */
        private void warmUp(Variant v, int round) throws IOException, InterruptedException {
            CurlTransfer.Transfer down = CurlTransfer.parseDownload(curl(CurlTransfer.downloadCommand(address.get(v),
                    BenchServer.HTTP_PORT, plan.warmupBytes()), plan.warmupBytes()).output(), plan.warmupBytes());
            ControlReply agg = aggregate(v, plan.aggregateBytesPerConnection() / 2);
            report.line(String.format(Locale.ROOT, "%-9s %s %-6s round %d/%d: download %.1f MB/s, %d connections %.1f MB/s (not counted)",
                    "warm-up", v.letter(), v.label(), round, plan.warmupRounds(), down.megabytesPerSecond(),
                    plan.aggregateConnections(), agg.longField("bytes") * 1e3 / agg.longField("nanos")));
        }

        private void download(Variant v, int trial) {
            String what = "download";
            try {
                ExecResult r = curl(CurlTransfer.downloadCommand(address.get(v), BenchServer.HTTP_PORT, plan.transferBytes()));
                CurlTransfer.Transfer t = CurlTransfer.parseDownload(r.output(), plan.transferBytes());
                measurements.add(Metric.DOWNLOAD, v, t.megabytesPerSecond());
                trialLine(what, trial, v, transferDetail(t));
            } catch (RuntimeException e) {
                failed(Metric.DOWNLOAD, what, trial, v, e);
            }
        }

        private void upload(Variant v, int trial) {
            String what = "upload";
            try {
                ExecResult r = curl(CurlTransfer.uploadCommand(address.get(v), BenchServer.HTTP_PORT, upload.path().toString()));
                CurlTransfer.Transfer t = CurlTransfer.parseUpload(r.output(), upload.bytes(), upload.sha256());
                measurements.add(Metric.UPLOAD, v, t.megabytesPerSecond());
                trialLine(what, trial, v, transferDetail(t) + ", sha256 ok");
            } catch (RuntimeException e) {
                failed(Metric.UPLOAD, what, trial, v, e);
            }
        }

        private void aggregateTrial(Variant v, int trial) throws IOException, InterruptedException {
            String what = "aggregate";
            try {
                ControlReply r = aggregate(v, plan.aggregateBytesPerConnection());
                long bytes = r.longField("bytes");
                long nanos = r.longField("nanos");
                double mbps = bytes * 1e3 / nanos;
                measurements.add(Metric.AGGREGATE, v, mbps);
                trialLine(what, trial, v, String.format(Locale.ROOT, "%d connections, %,d B in %.3f s = %.1f MB/s",
                        plan.aggregateConnections(), bytes, nanos / 1e9, mbps));
            } catch (RuntimeException e) {
                failed(Metric.AGGREGATE, what, trial, v, e);
            }
        }

        private ControlReply aggregate(Variant v, long bytesPerConnection) throws IOException, InterruptedException {
            return benchClient.call("agg " + address.get(v) + " " + BenchServer.HTTP_PORT + " " + plan.aggregateConnections()
                    + " " + bytesPerConnection, "agg", transferTimeout(bytesPerConnection * plan.aggregateConnections()));
        }

        private void requestResponse(Variant v, int trial) throws IOException, InterruptedException {
            String what = "echo rr";
            try {
                ControlReply r = benchClient.call("rr " + address.get(v) + " " + BenchServer.ECHO_PORT + " " + plan.rrWarmup()
                        + " " + plan.rrRoundTrips() + " " + plan.rrMessageBytes(), "rr", CALL_TIMEOUT);
                double p50 = r.longField("p50") / 1e3;
                double p99 = r.longField("p99") / 1e3;
                measurements.add(Metric.RR_P50, v, p50);
                measurements.add(Metric.RR_P99, v, p99);
                trialLine(what, trial, v, String.format(Locale.ROOT, "%d round trips of %d B: p50 %.1f us, p99 %.1f us, max %.1f us, mean %.1f us",
                        r.longField("count"), plan.rrMessageBytes(), p50, p99, r.longField("max") / 1e3, r.longField("mean") / 1e3));
            } catch (RuntimeException e) {
                failed(Metric.RR_P50, what, trial, v, e);
                measurements.addFailure(Metric.RR_P99, v);
            }
        }

        private void idleConnections(Variant v) throws IOException, InterruptedException {
            String what = "idle";
            ControlChannel server = servers.get(v);
            int n = plan.idleConnections();
            try {
                ControlReply before = server.call("heap", "heap", CALL_TIMEOUT);
                OptionalLong slabBefore = KernelSlab.bytes();
                benchClient.call("idle-open " + address.get(v) + " " + BenchServer.IDLE_PORT + " " + n, "idle", Duration.ofMinutes(3));
                awaitHeld(server, n);
                OptionalLong slabAfter = KernelSlab.bytes();
                ControlReply after = server.call("heap", "heap", CALL_TIMEOUT);
                long heapDelta = after.longField("used") - before.longField("used");
                long directDelta = after.longField("direct") - before.longField("direct");
                double perConnection = (heapDelta + directDelta) / (double) n;
                measurements.add(Metric.IDLE_CONNECTION_BYTES, v, perConnection);
                String slab = "";
                if (slabBefore.isPresent() && slabAfter.isPresent()) {
                    double slabPerConnection = (slabAfter.getAsLong() - slabBefore.getAsLong()) / (double) n;
                    measurements.add(Metric.KERNEL_SLAB_BYTES, v, slabPerConnection);
                    slab = String.format(Locale.ROOT, "; kernel slab %+.0f B per connection (machine-wide)", slabPerConnection);
                }
                trialLine(what, 1, v, String.format(Locale.ROOT,
                        "%,d idle connections: heap %,d -> %,d B, direct %+,d B: %.0f B per connection%s%s",
                        n, before.longField("used"), after.longField("used"), directDelta, perConnection,
                        v == Variant.KERNEL ? " in the JVM" : "", slab));
            } catch (RuntimeException e) {
                failed(Metric.IDLE_CONNECTION_BYTES, what, 1, v, e);
            } finally {
                benchClient.call("idle-close", "idle", Duration.ofMinutes(2));
                try {
                    awaitHeld(server, 0);
                } catch (IllegalStateException e) {
                    report.line("warning: " + e.getMessage());
                }
            }
        }

        /** Waits until the server's idle holder keeps exactly {@code n} connections. */
        private void awaitHeld(ControlChannel server, int n) throws IOException, InterruptedException {
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            long held;
            while ((held = server.call("held", "held", CALL_TIMEOUT).longField("count")) != n) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the idle holder keeps " + held + " connections, expected " + n);
                }
                Thread.sleep(50);
            }
        }

        private ExecResult curl(List<String> command) {
            return curl(command, plan.transferBytes());
        }

        private ExecResult curl(List<String> command, long bytes) {
            return topology.exec(client, transferTimeout(bytes), command.toArray(String[]::new));
        }

        private void trialLine(String what, int trial, Variant v, String detail) {
            report.line(String.format(Locale.ROOT, "%-9s %s %-6s trial %d/%d: %s", what, v.letter(), v.label(), trial,
                    what.equals("idle") ? 1 : plan.trials(), detail));
        }

        private void failed(Metric metric, String what, int trial, Variant v, RuntimeException e) {
            measurements.addFailure(metric, v);
            trialLine(what, trial, v, "FAILED: " + e.getMessage());
        }
    }

    private static String transferDetail(CurlTransfer.Transfer t) {
        return String.format(Locale.ROOT, "%,d B in %.3f s = %.1f MB/s", t.bytes(), t.seconds(), t.megabytesPerSecond());
    }

    private static Duration transferTimeout(long bytes) {
        return Duration.ofSeconds(30 + bytes / SLOWEST_RATE);
    }

    /**
     * Starts a JVM like this one running {@code mainClass} in the host's namespace, its open-file
     * limit raised to the hard limit: on the kernel's side every idle connection is a descriptor.
     */
    private static Process startJava(Topology topology, Host host, Path log, List<String> jvmOptions, Class<?> mainClass, String... args) {
        String[] java = Topology.javaCommand(mainClass.getName(), args);
        List<String> command = new ArrayList<>(List.of("sh", "-c", "ulimit -n \"$(ulimit -Hn)\" && exec \"$@\"", "sh", java[0]));
        command.addAll(jvmOptions);
        command.addAll(Arrays.asList(java).subList(1, java.length));
        return topology.start(host, pb -> pb.redirectError(log.toFile()), command.toArray(String[]::new));
    }

    private static String logTails(Path work) {
        StringBuilder s = new StringBuilder();
        for (String name : List.of("server-kernel.log", "server-stack.log", "client.log")) {
            try {
                List<String> lines = Files.readAllLines(work.resolve(name));
                if (!lines.isEmpty()) {
                    s.append("--- ").append(name).append(" (last lines)\n");
                    lines.subList(Math.max(0, lines.size() - 15), lines.size()).forEach(l -> s.append(l).append('\n'));
                }
            } catch (IOException e) {
                // No log: the process never started.
            }
        }
        return s.toString().strip();
    }

    /** The hard limit of open files for processes started from here; Long.MAX_VALUE if unlimited, 0 if unknown. */
    private static long hardFileLimit() throws InterruptedException {
        try {
            Process p = new ProcessBuilder("sh", "-c", "ulimit -Hn").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII).strip();
            p.waitFor();
            return out.equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(out);
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
    }

    private static boolean commandWorks(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
