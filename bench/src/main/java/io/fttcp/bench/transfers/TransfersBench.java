package io.fttcp.bench.transfers;

import io.fttcp.bench.CurlTransfer;
import io.fttcp.bench.Figures;
import io.fttcp.bench.Machine;
import io.fttcp.bench.Measurements;
import io.fttcp.bench.NamespacesRequired;
import io.fttcp.bench.Report;
import io.fttcp.bench.ScratchDirectory;
import io.fttcp.bench.ServerCpu;
import io.fttcp.bench.UnprotectedServer;
import io.fttcp.bench.UploadFile;
import io.fttcp.testbed.Host;
import io.fttcp.testbed.LoggedService;
import io.fttcp.testbed.ReplicaPair;
import io.fttcp.testbed.Topology;
import io.fttcp.testbed.WatchedProcess;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;

/** Runs a {@link TransfersPlan}: see the package's description. */
public final class TransfersBench {
    private static final String CLIENT = "client";
    private static final String PRIMARY = "primary";
    private static final String SECOND = "backup";
    private static final int HTTP_PORT = 80;
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    /** Slowest throughput a transfer may have before it counts as hung: 10 MB/s. */
    private static final long SLOWEST_RATE = 10_000_000;

    private final TransfersPlan plan;
    private final PrintWriter err;
    private final Path resultsDirectory;
    private final Report report;

    public TransfersBench(TransfersPlan plan, PrintWriter out, PrintWriter err, Path resultsDirectory) {
        this.plan = plan;
        this.err = err;
        this.resultsDirectory = resultsDirectory;
        this.report = new Report(out);
    }

    public int run() throws IOException, InterruptedException {
        if (NamespacesRequired.missing(err)) return NamespacesRequired.UNAVAILABLE;
        return ScratchDirectory.with("fttcp-transfers-", this::runIn);
    }

    private int runIn(Path work) throws IOException, InterruptedException {
        ZonedDateTime started = ZonedDateTime.now(ZoneOffset.UTC);
        String what = plan.upload() ? "upload" : "download";
        String service = plan.service().name().toLowerCase(Locale.ROOT) + (plan.service() == TransfersPlan.Service.LOGGER ? " (fsync " + plan.fsync() + ")" : "");
        report.line("fttcp bench transfers: " + service + ", " + plan.warmups() + " + " + plan.measured() + " " + what + "s of "
                + Figures.mib(plan.bytes()) + ", " + started.format(DateTimeFormatter.ISO_LOCAL_DATE_TIME).substring(0, 19) + " UTC");
        report.line("machine: " + Machine.description() + "; MB = 10^6 bytes");
        UploadFile upload = plan.upload() ? UploadFile.create(work, plan.bytes()) : null;
        Topology.cleanupStale();
        List<Double> rates = new ArrayList<>();
        List<Double> cpu = new ArrayList<>();
        int failures = 0;
        try (Topology topology = Topology.builder().client(CLIENT).server(PRIMARY).server(SECOND).build()) {
            Host client = topology.host(CLIENT);
            Served served = start(topology);
            try (AutoCloseable ignored = served.closer()) {
                List<ThreadSample> threadsBefore = null;
                MachineBusy machineBefore = null;
                for (int i = 0; i < plan.warmups() + plan.measured(); i++) {
                    assertAlive(served);
                    boolean measured = i >= plan.warmups();
                    if (i == plan.warmups()) {
                        threadsBefore = threads(served);
                        machineBefore = MachineBusy.now();
                    }
                    ServerCpu before = ServerCpu.now(served.names(), served.processes());
                    try {
                        CurlTransfer.Transfer t = transfer(topology, client, upload);
                        assertAlive(served);
                        ServerCpu after = ServerCpu.now(served.names(), served.processes());
                        if (measured) {
                            rates.add(t.megabytesPerSecond());
                            after.secondsPerGigabyteSince(before, t.bytes()).ifPresent(cpu::add);
                        }
                        report.line(String.format(Locale.ROOT, "%-8s %s %2d: %.1f MB/s, %s", measured ? "measured" : "warm-up", what, i + 1,
                                t.megabytesPerSecond(), after.describeSince(before, t.bytes())));
                    } catch (RuntimeException e) {
                        failures++;
                        report.line(String.format(Locale.ROOT, "%-8s %s %2d: FAILED: %s", measured ? "measured" : "warm-up", what, i + 1,
                                Figures.oneLine(e.getMessage())));
                    }
                }
                long moved = (long) plan.measured() * plan.bytes();
                report.line("");
                report.line(String.format(Locale.ROOT, "over the measured %s: the machine's cores %.0f%% busy; per server thread kind"
                        + " (per GB moved):", what + "s", 100 * MachineBusy.now().since(machineBefore)));
                double gigabytes = moved / 1e9;
                for (ThreadUsage u : ThreadUsage.between(threadsBefore, threads(served))) {
                    // The JVM's housekeeping threads, under a hundredth of a second per GB, would only lengthen the table.
                    if (u.cpuSeconds() / gigabytes >= 0.01 || u.waitSeconds() / gigabytes >= 0.01) report.line(u.line(moved));
                }
            } catch (Exception e) {
                if (e instanceof InterruptedException ie) throw ie;
                if (e instanceof IOException io) throw io;
                throw new IllegalStateException(e);
            }
        }
        OptionalDouble rate = Measurements.median(rates);
        OptionalDouble perGb = Measurements.median(cpu);
        String result = String.format(Locale.ROOT, "RESULT transfers service=%s direction=%s mib=%d mb_per_s_p50=%s server_cpu_s_per_gb_p50=%s failed=%d",
                plan.service().name().toLowerCase(Locale.ROOT), what, plan.bytes() >> 20, Figures.number(rate, 1), Figures.number(perGb, 2), failures);
        Path file = resultsDirectory.resolve("transfers-" + started.format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + ".txt");
        report.line("results written to " + file);
        report.line(result);
        report.writeTo(file);
        return failures == 0 ? 0 : 1;
    }

    private CurlTransfer.Transfer transfer(Topology topology, Host client, UploadFile upload) {
        Duration timeout = Duration.ofSeconds(30 + plan.bytes() / SLOWEST_RATE);
        if (upload != null) {
            String out = topology.exec(client, timeout, CurlTransfer.uploadCommand(Topology.SERVICE_ADDRESS, HTTP_PORT,
                    upload.path().toString()).toArray(String[]::new)).output();
            return CurlTransfer.parseUpload(out, upload.bytes(), upload.sha256());
        }
        String out = topology.exec(client, timeout, CurlTransfer.downloadCommand(Topology.SERVICE_ADDRESS, HTTP_PORT, plan.bytes())
                .toArray(String[]::new)).output();
        return CurlTransfer.parseDownload(out, plan.bytes());
    }

    /** A server process that died ends the run with its last words, rather than with a failure to read its threads. */
    private static void assertAlive(Served served) {
        for (int i = 0; i < served.processes().size(); i++) {
            WatchedProcess p = served.processes().get(i);
            if (!p.isAlive()) {
                String out = p.output();
                throw new IllegalStateException("the " + served.names().get(i) + " died; its last output:\n"
                        + out.substring(Math.max(0, out.length() - 4000)));
            }
        }
    }

    private static List<ThreadSample> threads(Served served) throws IOException {
        List<ThreadSample> all = new ArrayList<>();
        for (int i = 0; i < served.processes().size(); i++) all.addAll(ThreadSample.of(served.names().get(i), served.processes().get(i).pid()));
        return all;
    }

    /** The running server's processes, named, and how to stop them. */
    private record Served(List<String> names, List<WatchedProcess> processes, AutoCloseable closer) {
    }

    private Served start(Topology topology) throws InterruptedException {
        Host primary = topology.host(PRIMARY);
        Host second = topology.host(SECOND);
        return switch (plan.service()) {
            case BACKUP -> {
                ReplicaPair pair = ReplicaPair.start(topology, primary, second, "http");
                yield new Served(List.of("primary", "backup"), List.of(pair.primary(), pair.backup()), pair);
            }
            case LOGGER -> {
                LoggedService logged = LoggedService.start(topology, second, primary, "http", List.of("--fsync", plan.fsync()));
                yield new Served(List.of("primary", "logger"), List.of(logged.primary(), logged.logger()), logged);
            }
            case UNPROTECTED -> {
                WatchedProcess serve = UnprotectedServer.start(topology, primary, HTTP_PORT, START_TIMEOUT);
                yield new Served(List.of("server"), List.of(serve), serve);
            }
        };
    }
}
