package io.fttcp.bench.failover;

import io.fttcp.bench.Figures;
import io.fttcp.bench.Machine;
import io.fttcp.bench.NamespacesRequired;
import io.fttcp.bench.ScratchDirectory;
import io.fttcp.bench.ServerCpu;
import io.fttcp.bench.SteadyWarmUp;

import io.fttcp.bench.BenchClient;
import io.fttcp.bench.ControlChannel;
import io.fttcp.bench.ControlReply;
import io.fttcp.bench.CurlTransfer;
import io.fttcp.bench.Metric;
import io.fttcp.bench.Report;
import io.fttcp.bench.UnprotectedServer;
import io.fttcp.bench.UploadFile;
import io.fttcp.bench.transfers.ThreadSample;
import io.fttcp.testbed.Host;
import io.fttcp.testbed.ReplicaPair;
import io.fttcp.testbed.Topology;
import io.fttcp.testbed.WatchedProcess;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.stream.Stream;

/**
 * {@code ./fttcp bench failover}: (a) the stall a client on the kernel's TCP sees when the primary
 * is SIGKILLed or cut off in the middle of a download, a fresh primary/backup pair per trial;
 * (b) the same HTTP service unprotected on the stack ({@code fttcp serve --network stack}) versus
 * protected by a primary and a backup: download, upload (with the server processes' CPU time per GB),
 * small-request latency. Prints each
 * trial, a summary, plots one failover of each kind, and last the {@link FailoverResultLine}.
 */
public final class FailoverBench {
    /** The configuration's default failure detection timeout, which the pairs use unless told otherwise. */
    public static final Duration DEFAULT_DETECTION = Duration.ofMillis(150);
    static final String CLIENT = "client";
    static final String PRIMARY = "primary";
    static final String BACKUP = "backup";
    private static final int HTTP_PORT = 80;
    private static final List<String> CLIENT_JVM_OPTIONS = List.of("-Xmx1g", "-Xlog:all=warning:stderr");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration TAKEOVER_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(90);
    /** Slowest transfer rate waited for before a transfer counts as hung (bytes per second). */
    private static final long SLOWEST_RATE = 10_000_000;

    private final FailoverPlan plan;
    private final Duration detection;
    private final Report report;
    private final PrintWriter err;
    private final Path resultsDirectory;
    private final List<StallTrial> stalls = new ArrayList<>();
    private final ServiceComparison service = new ServiceComparison();
    private int stallTrials;
    private int brokenBeforeFailure;
    private int intactTrials;

    /** With the default detection timeout. */
    public FailoverBench(FailoverPlan plan, PrintWriter out, PrintWriter err, Path resultsDirectory) {
        this(plan, DEFAULT_DETECTION, out, err, resultsDirectory);
    }

    /**
     * @param detection        the pairs' failure detection timeout (replication.detection); the lease stays at its default
     * @param resultsDirectory where the results file and plots go
     */
    public FailoverBench(FailoverPlan plan, Duration detection, PrintWriter out, PrintWriter err, Path resultsDirectory) {
        if (detection.compareTo(DEFAULT_DETECTION) < 0) {
            throw new IllegalArgumentException("the detection timeout must be at least " + DEFAULT_DETECTION.toMillis()
                    + " ms (the default lease of 100 ms plus its 50 ms margin): " + detection.toMillis() + " ms");
        }
        this.plan = plan;
        this.detection = detection;
        this.report = new Report(out);
        this.err = err;
        this.resultsDirectory = resultsDirectory;
    }

    /** Runs the benchmark: 0 when every trial succeeded intact, 1 if some did not, 2 if it cannot run here. */
    public int run() throws IOException, InterruptedException {
        if (NamespacesRequired.missing(err)) return NamespacesRequired.UNAVAILABLE;
        return ScratchDirectory.with("fttcp-failover-", this::runIn);
    }

    private int runIn(Path work) throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        ZonedDateTime started = ZonedDateTime.now(ZoneOffset.UTC);
        String stamp = started.format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        report.line("fttcp bench failover (" + plan.name() + "), " + started.format(DateTimeFormatter.ISO_LOCAL_DATE_TIME).substring(0, 19) + " UTC");
        report.line("service: the HTTP file server at " + Topology.SERVICE_ADDRESS + ":" + HTTP_PORT + "; primary and backup in their own namespaces,"
                + " detection timeout " + detection.toMillis() + " ms; client: kernel TCP in its own namespace");
        report.line("machine: " + Machine.description() + "; MB = 10^6 bytes; us = microseconds");
        UploadFile upload = UploadFile.create(work, plan.transferBytes());
        Topology.cleanupStale();
        try (Topology topology = Topology.builder().client(CLIENT).server(PRIMARY).server(BACKUP).build();
             ControlChannel client = new ControlChannel("bench client", startClient(topology, work.resolve("client.log")))) {
            client.awaitReady(START_TIMEOUT);
            report.line(String.format(Locale.ROOT, "setup: %.1f s", (System.nanoTime() - t0) / 1e9));
            report.line("");
            report.line("(a) stall across a failure in the middle of a " + Figures.mib(plan.trialBytes()) + " download, injected after "
                    + Figures.mib(plan.markBytes()) + "; a fresh primary/backup pair per trial, which first serves "
                    + plan.seasonRounds() + " round(s) of an upload and a download of " + Figures.mib(plan.transferBytes())
                    + " (a primary that has worked: JIT compiled, heap in use)");
            Trials trials = new Trials(topology, client, work, upload);
            // Interleaved kill, link-down, kill, ...; a trial whose pair broke up before the failure counts as failed
            // and is repeated (at most as many times as there are trials), so that the stalls are measured as planned.
            Map<Failure, Integer> planned = Map.of(Failure.KILL, plan.killTrials(), Failure.LINK_DOWN, plan.linkDownTrials());
            Map<Failure, Integer> done = new java.util.EnumMap<>(Map.of(Failure.KILL, 0, Failure.LINK_DOWN, 0));
            Map<Failure, Integer> repeated = new java.util.EnumMap<>(Map.of(Failure.KILL, 0, Failure.LINK_DOWN, 0));
            while (done.get(Failure.KILL) < planned.get(Failure.KILL) || done.get(Failure.LINK_DOWN) < planned.get(Failure.LINK_DOWN)) {
                for (Failure f : Failure.values()) {
                    if (done.get(f) < planned.get(f)) {
                        boolean injected = trials.stall(f, done.get(f) + 1, planned.get(f));
                        if (injected || repeated.merge(f, 1, Integer::sum) > planned.get(f)) {
                            done.merge(f, 1, Integer::sum);
                        } else {
                            report.line(String.format(Locale.ROOT, "%-9s the trial is repeated with a fresh pair", f.label()));
                        }
                    }
                }
            }
            report.line("");
            report.line("(b) the same service (a) unprotected on the stack, fttcp serve --network stack, versus (b) protected by primary and backup");
            int repeats = 0;
            for (int round = 1; round <= plan.rounds(); round++) {
                trials.serviceRound(Protection.UNPROTECTED, round);
                while (!trials.serviceRound(Protection.PROTECTED, round) && repeats++ < plan.rounds()) {
                    report.line(String.format(Locale.ROOT, "%-11s %s %-11s round %d/%d: repeated with a fresh pair", "protected", "b", "", round, plan.rounds()));
                }
            }
        }
        report.line("");
        StallStatistics kill = StallStatistics.of(stalls, Failure.KILL);
        StallStatistics link = StallStatistics.of(stalls, Failure.LINK_DOWN);
        summary(kill, link);
        plots(stamp);
        report.line(String.format(Locale.ROOT, "failed trials: %d of stalls, %d of (b); wall time %.1f s; load average at the end %s",
                stallTrials - intactTrials, service.failures(), (System.nanoTime() - t0) / 1e9, Machine.loadAverage()));
        FailoverResultLine result = new FailoverResultLine(kill.p50Millis(), kill.maxMillis(), link.p50Millis(), detection.toMillis(),
                service.ratio(Metric.DOWNLOAD), service.ratio(Metric.UPLOAD), service.added(Metric.RR_P50), intactTrials, stallTrials);
        Path file = resultsDirectory.resolve("failover-" + stamp + ".txt");
        report.line("results written to " + file);
        report.line(result.format());
        report.writeTo(file);
        return intactTrials == stallTrials && service.failures() == 0 ? 0 : 1;
    }

    private void summary(StallStatistics kill, StallStatistics link) {
        report.line("summary (medians; MB = 10^6 bytes)");
        report.line(String.format(Locale.ROOT, "  stall, %-22s p50 %s ms, max %s ms over %d of %d trials  (target: p50 <= 50 ms)",
                Failure.KILL.description() + ":", ms(kill.p50Millis()), ms(kill.maxMillis()), kill.measured(), kill.trials()));
        report.line(String.format(Locale.ROOT, "  stall, %-22s p50 %s ms, max %s ms over %d of %d trials  (target: p50 <= detection %d + 50 ms)",
                Failure.LINK_DOWN.description() + ":", ms(link.p50Millis()), ms(link.maxMillis()), link.measured(), link.trials(), detection.toMillis()));
        report.line(String.format(Locale.ROOT, "  pairs that broke up by themselves before the failure (false detection): %d of %d trials",
                brokenBeforeFailure, stallTrials));
        report.line(String.format(Locale.ROOT, "  %-26s %14s %14s %10s", "", "a unprotected", "b protected", "b/a"));
        for (Metric m : List.of(Metric.DOWNLOAD, Metric.UPLOAD, Metric.RR_P50, Metric.RR_P99, Metric.DOWNLOAD_CPU, Metric.UPLOAD_CPU)) {
            String label = m.label().replace("request/response", "HTTP request") + " (" + m.unit() + ")";
            report.line(String.format(Locale.ROOT, "  %-26s %14s %14s %10s", label,
                    Figures.number(service.median(m, Protection.UNPROTECTED), 1), Figures.number(service.median(m, Protection.PROTECTED), 1),
                    Figures.number(service.ratio(m), 3)));
        }
        report.line(String.format(Locale.ROOT, "  request p50 added by protection: %s us  (target: <= 200 us)", Figures.number(service.added(Metric.RR_P50), 1)));
    }

    /** Plots the trial with the median stall of each kind of failure. */
    private void plots(String stamp) {
        for (Failure f : Failure.values()) {
            List<StallTrial> measured = stalls.stream().filter(t -> t.failure() == f && t.stallNanos() >= 0)
                    .sorted(Comparator.comparingLong(StallTrial::stallNanos)).toList();
            if (measured.isEmpty()) {
                continue;
            }
            StallTrial median = measured.get((measured.size() - 1) / 2);
            Path png = resultsDirectory.resolve("failover-" + stamp + "-" + f.label() + ".png");
            try {
                ThroughputPlot.write(median, "fttcp: client throughput across a failover (" + f.description() + ", median trial)", png);
                report.line("plot (" + f.description() + ", median trial): " + png);
            } catch (IOException | RuntimeException | Error e) {
                report.line("plot (" + f.description() + ") not written: " + e);
            }
        }
    }

    /** The trials, sharing one topology and one client JVM. */
    private final class Trials {
        private final Topology topology;
        private final ControlChannel client;
        private final Path work;
        private final Host clientHost;
        private final Host primaryHost;
        private final Host backupHost;
        private final UploadFile upload;

        Trials(Topology topology, ControlChannel client, Path work, UploadFile upload) {
            this.topology = topology;
            this.client = client;
            this.work = work;
            this.upload = upload;
            this.clientHost = topology.host(CLIENT);
            this.primaryHost = topology.host(PRIMARY);
            this.backupHost = topology.host(BACKUP);
        }

        /** The process's threads now, or none once it is gone. */
        private static List<ThreadSample> threads(WatchedProcess p) {
            try {
                return ThreadSample.of("primary", p.pid());
            } catch (IOException | RuntimeException e) {
                return List.of();
            }
        }

        /** One trial; false if the pair broke up by itself before the failure could be injected (a failed trial all the same). */
        boolean stall(Failure failure, int trial, int of) throws InterruptedException {
            stallTrials++;
            String what = String.format(Locale.ROOT, "%-9s trial %d/%d: ", failure.label(), trial, of);
            ReplicaPair pair = null;
            Process capture = startCapture(failure.label() + "-" + trial);
            try {
                pair = ReplicaPair.startJoined(topology, primaryHost, backupHost, "http", "replication.detection = " + detection.toMillis() + "ms");
                season(); // meanwhile the failure detector's warm-up runs out
                pair.awaitDetectorWarm();
                client.call("fetch " + Topology.SERVICE_ADDRESS + " " + HTTP_PORT + " " + plan.trialBytes() + " " + plan.markBytes(),
                        "marked", CALL_TIMEOUT);
                requireWhole(pair);
                java.util.OptionalLong resident = pair.primary().residentBytes();
                List<ThreadSample> cpuBefore = threads(pair.primary());
                long failed = System.nanoTime();
                failure.inject(topology, pair);
                pair.awaitTakeover(TAKEOVER_TIMEOUT);
                long tookOver = System.nanoTime() - failed;
                // A primary cut off (not killed) still runs, on the same two cores as its backup here.
                String cutOffCpu = CutOffCpu.describe(cpuBefore, threads(pair.primary()));
                Path timelineFile = work.resolve("timeline.bin");
                ControlReply r = client.call("fetched " + transferTimeout(plan.trialBytes()).toSeconds() + " " + timelineFile,
                        "fetched", transferTimeout(plan.trialBytes()).plusSeconds(10));
                ReadTimeline timeline;
                try (InputStream in = Files.newInputStream(timelineFile)) {
                    timeline = ReadTimeline.readFrom(in);
                }
                boolean intact = r.field("intact").equals("true");
                // A download that never completed has no stall to measure: its last gap has no end.
                boolean completed = r.longField("received") == r.longField("expected");
                StallTrial t = new StallTrial(failure, failed, completed ? timeline.stallAfter(failed) : -1, timeline.longestGapBefore(failed),
                        intact, tookOver, timeline);
                stalls.add(t);
                if (intact) {
                    intactTrials++;
                }
                String stall = t.stallNanos() >= 0 ? String.format(Locale.ROOT, "stall %.1f ms", t.stallMillis()) : "NO STALL MEASURED (incomplete)";
                report.line(what + String.format(Locale.ROOT, "%s (longest gap before %.1f ms; the primary's resident memory %s), %s, %,d of %,d B %s",
                        stall, t.gapBeforeNanos() / 1e6, resident.isPresent() ? resident.getAsLong() / (1 << 20) + " MiB" : "unknown",
                        BackupLog.summary(pair.backup().output()) + cutOffCpu, r.longField("received"), r.longField("expected"),
                        intact ? "intact" : "NOT INTACT (mismatch at " + r.field("mismatch") + (r.fields().containsKey("failure") ? ", " + r.field("failure") : "") + ")"));
                String backupOutput = pair.backup().output();
                timeline.stallGapAfter(failed).filter(g -> completed).ifPresent(g -> report.line("          " + breakdown(g, backupOutput)));
                if (!intact) {
                    tail(pair.primary());
                    tail(pair.backup());
                }
            } catch (IOException | RuntimeException e) {
                report.line(what + "FAILED: " + e.getMessage());
                if (pair != null) {
                    tail(pair.primary());
                    tail(pair.backup());
                }
                drainClient();
                if (e instanceof PairBrokeUp) {
                    brokenBeforeFailure++;
                    return false;
                }
            } finally {
                if (capture != null) {
                    capture.destroy();
                    capture.waitFor();
                }
                if (pair != null) {
                    pair.close();
                    try {
                        failure.repair(topology, pair);
                    } catch (RuntimeException e) {
                        report.line("warning: could not undo " + failure.description() + ": " + e.getMessage());
                    }
                }
            }
            return true;
        }

        /**
         * Where the stall went, from the client's reads and the backup's log: until the backup noticed
         * the loss (its log line's millisecond clock, so ±1 ms), the takeover as the backup measured it,
         * and the rest (closing the replication channel, starting the takeover, the first segments).
         */
        private static String breakdown(ReadTimeline.Gap gap, String backupOutput) {
            long wallMinusMonotonicMillis = System.currentTimeMillis() - System.nanoTime() / 1_000_000;
            long lastByte = gap.startNanos() / 1_000_000 + wallMinusMonotonicMillis;
            java.util.OptionalLong lost = BackupLog.lostAt(backupOutput);
            java.util.OptionalLong takeoverMicros = BackupLog.takeoverMicros(backupOutput);
            if (lost.isEmpty() || takeoverMicros.isEmpty()) {
                return "(no breakdown: the backup's log lacks the times)";
            }
            long noticed = lost.getAsLong() - lastByte;
            double takeover = takeoverMicros.getAsLong() / 1e3;
            if (noticed < -1) {
                return String.format(Locale.ROOT, "(this gap began %d ms after the backup noticed the loss: a hiccup after the takeover, not the failover itself)", -noticed);
            }
            return String.format(Locale.ROOT, "= %d ms until the backup noticed + %.1f ms its takeover + %.1f ms the rest (channel close, resumption)",
                    noticed, takeover, gap.nanos() / 1e6 - noticed - takeover);
        }

        /**
         * With the environment variable {@code FTTCP_BENCH_PCAP} naming a directory, each stall trial's
         * packets as the client sees them go to a pcap file there (tcpdump on the client's uplink): for
         * finding out where a long stall comes from.
         */
        private Process startCapture(String name) throws InterruptedException {
            String dir = System.getenv("FTTCP_BENCH_PCAP");
            if (dir == null || dir.isBlank()) {
                return null;
            }
            Path file = Path.of(dir).toAbsolutePath().resolve("failover-" + name + ".pcap");
            Process p = topology.start(clientHost, pb -> pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD),
                    "tcpdump", "-i", clientHost.uplink(), "-s", "160", "-U", "-w", file.toString());
            Thread.sleep(300); // tcpdump needs a moment before it captures
            report.line("capturing to " + file);
            return p;
        }

        /** A pair that fell apart by itself (a false detection) before the failure is injected makes the trial meaningless: it fails. */
        private static void requireWhole(ReplicaPair pair) {
            brokenUp(pair).ifPresent(why -> {
                throw new PairBrokeUp("the pair broke up by itself before the failure was injected: " + why);
            });
        }

        /** Why the pair is no longer a primary protected by its backup, if it is not. */
        private static Optional<String> brokenUp(ReplicaPair pair) {
            if (!pair.primary().isAlive()) {
                return Optional.of("the primary exited");
            }
            return pair.primary().output().lines().filter(l -> l.contains("backup lost") || l.contains("STEPPING DOWN"))
                    .findFirst().map(String::strip);
        }

        /** A fresh pair first serves as one that has worked (see {@link FailoverPlan#seasonRounds}). */
        private void season() {
            for (int i = 0; i < plan.seasonRounds(); i++) {
                upload();
                download(plan.transferBytes());
            }
        }

        /** One curl upload of the upload file from the client, its sha256 checked. */
        private CurlTransfer.Transfer upload() {
            return CurlTransfer.parseUpload(curl(CurlTransfer.uploadCommand(Topology.SERVICE_ADDRESS, HTTP_PORT, upload.path().toString()),
                    upload.bytes()), upload.bytes(), upload.sha256());
        }

        /** One curl download of {@code bytes} generated bytes, every one checked. */
        private CurlTransfer.Transfer download(long bytes) {
            return CurlTransfer.parseDownload(curl(CurlTransfer.downloadCommand(Topology.SERVICE_ADDRESS, HTTP_PORT, bytes), bytes), bytes);
        }

        /** After a failed trial, collects the client's download so the next trial starts clean. */
        private void drainClient() throws InterruptedException {
            try {
                client.call("fetched 30 " + work.resolve("timeline.bin"), "fetched", Duration.ofSeconds(40));
            } catch (IOException | RuntimeException ignored) {
                // No download was running, or it failed: either way none is now.
            }
        }

        /**
         * Uncounted transfers, downloads and uploads in turn, until the servers' JIT has compiled
         * both paths: the protected pair's larger code (wrappers, replication, replay) kept its
         * one C2 thread busy for several seconds on two cores, and with one download and one upload
         * the first measured downloads still ran at two thirds of the later ones. A protected
         * primary's uploads still sped up through its first 2 GB of them (C2 recompiling after
         * uncommon traps), so a full run goes on until the speeds settle ({@link SteadyWarmUp}): what a long-running
         * service sees, on both sides alike.
         */
        private String warmUp() {
            StringBuilder speeds = new StringBuilder();
            SteadyWarmUp.Run run = plan.warmup().start();
            boolean another = true;
            while (another) {
                CurlTransfer.Transfer down = download(plan.warmupBytes());
                CurlTransfer.Transfer up = upload();
                speeds.append(run.pairs() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "download %.1f MB/s, upload %.1f MB/s",
                        down.megabytesPerSecond(), up.megabytesPerSecond()));
                another = run.another(down.megabytesPerSecond(), up.megabytesPerSecond());
            }
            return speeds.toString();
        }

        /** One round of (b) on a fresh server; false if a protected pair broke up by itself during it (its samples are discarded). */
        boolean serviceRound(Protection protection, int round) throws InterruptedException {
            String start = String.format(Locale.ROOT, "%-11s %s %-11s round %d/%d: ", "start", protection.letter(), protection.label(), round, plan.rounds());
            AutoCloseable server;
            long t0 = System.nanoTime();
            try {
                server = startService(protection);
            } catch (RuntimeException e) {
                report.line(start + "FAILED: " + e.getMessage());
                service.addFailure();
                return true;
            }
            ReplicaPair pair = server instanceof ReplicaPair p ? p : null;
            try {
                report.line(start + String.format(Locale.ROOT, "serving after %.1f s", (System.nanoTime() - t0) / 1e9));
                line("warm-up", protection, round, warmUp() + " (not counted)");
                List<String> names = pair != null ? List.of(PRIMARY, BACKUP) : List.of("server");
                List<WatchedProcess> processes = pair != null ? List.of(pair.primary(), pair.backup()) : List.of((WatchedProcess) server);
                for (int i = 0; i < plan.transfersPerRound(); i++) {
                    measure(protection, pair, round, "download", () -> {
                        ServerCpu before = ServerCpu.now(names, processes);
                        CurlTransfer.Transfer t = download(plan.transferBytes());
                        return withCpu(Metric.DOWNLOAD, Metric.DOWNLOAD_CPU, t, transferDetail(t), before, ServerCpu.now(names, processes));
                    });
                }
                for (int i = 0; i < plan.transfersPerRound(); i++) {
                    measure(protection, pair, round, "upload", () -> {
                        ServerCpu before = ServerCpu.now(names, processes);
                        CurlTransfer.Transfer t = upload();
                        return withCpu(Metric.UPLOAD, Metric.UPLOAD_CPU, t, transferDetail(t) + ", sha256 ok", before, ServerCpu.now(names, processes));
                    });
                }
                measure(protection, pair, round, "http rr", () -> {
                    ControlReply r = client.call("httprr " + Topology.SERVICE_ADDRESS + " " + HTTP_PORT + " " + plan.rrWarmup() + " "
                            + plan.rrRequests() + " " + plan.rrBodyBytes(), "httprr", CALL_TIMEOUT);
                    double p99 = r.longField("p99") / 1e3;
                    return new Sample(Map.of(Metric.RR_P50, r.longField("p50") / 1e3, Metric.RR_P99, p99), String.format(Locale.ROOT,
                            "%d GETs of %d B on one connection: p50 %.1f us, p99 %.1f us, max %.1f us",
                            r.longField("count"), plan.rrBodyBytes(), r.longField("p50") / 1e3, p99, r.longField("max") / 1e3));
                });
            } catch (Exception e) {
                line("round", protection, round, "FAILED: " + Figures.oneLine(e.getMessage()));
                service.addFailure();
                if (pair != null) {
                    tail(pair.primary());
                    tail(pair.backup());
                }
            }
            boolean whole = pair == null || brokenUp(pair).isEmpty();
            try {
                server.close();
            } catch (Exception e) {
                report.line("warning: stopping the " + protection.label() + " service: " + e.getMessage());
            }
            return whole;
        }

        private AutoCloseable startService(Protection protection) throws InterruptedException {
            if (protection == Protection.PROTECTED) {
                // No failure is injected here: the detector's warm-up (more lenient) may run during the warm-up transfers.
                return ReplicaPair.startJoined(topology, primaryHost, backupHost, "http", "replication.detection = " + detection.toMillis() + "ms");
            }
            return UnprotectedServer.start(topology, primaryHost, HTTP_PORT, START_TIMEOUT);
        }

        /** Runs one measurement; a protected one counts only if the pair is still whole after it (no false detection meanwhile). */
        private void measure(Protection protection, ReplicaPair pair, int round, String what, Measurement m) {
            try {
                Sample s = m.run();
                Optional<String> broken = pair == null ? Optional.empty() : brokenUp(pair);
                if (broken.isPresent()) {
                    service.addFailure();
                    line(what, protection, round, "DISCARDED (" + s.detail() + "): the pair broke up: " + broken.get());
                    return;
                }
                s.values().forEach((metric, value) -> service.add(metric, protection, value));
                line(what, protection, round, s.detail());
            } catch (Exception e) {
                service.addFailure();
                line(what, protection, round, "FAILED: " + Figures.oneLine(e.getMessage()));
                if (pair != null) {
                    tail(pair.primary());
                    tail(pair.backup());
                }
            }
        }

        private void line(String what, Protection p, int round, String detail) {
            report.line(String.format(Locale.ROOT, "%-11s %s %-11s round %d/%d: %s", what, p.letter(), p.label(), round, plan.rounds(), detail));
        }

        private String curl(List<String> command, long bytes) {
            return topology.exec(clientHost, transferTimeout(bytes), command.toArray(String[]::new)).output();
        }

        private void tail(WatchedProcess p) {
            List<String> lines = p.output().strip().lines().toList();
            report.line("  " + p.description() + ", last output:");
            lines.subList(Math.max(0, lines.size() - 12), lines.size()).forEach(l -> report.line("  | " + l));
        }
    }

    /** The pair stopped being a protected primary and its backup before the failure was injected (a false detection). */
    private static final class PairBrokeUp extends IllegalStateException {
        PairBrokeUp(String message) {
            super(message);
        }
    }

    private record Sample(Map<Metric, Double> values, String detail) {
    }

    /** A transfer's throughput, and what it cost the server's processes when their CPU time is known. */
    private static Sample withCpu(Metric rate, Metric cpu, CurlTransfer.Transfer t, String detail, ServerCpu before, ServerCpu after) {
        OptionalDouble perGigabyte = after.secondsPerGigabyteSince(before, t.bytes());
        Map<Metric, Double> values = perGigabyte.isPresent()
                ? Map.of(rate, t.megabytesPerSecond(), cpu, perGigabyte.getAsDouble()) : Map.of(rate, t.megabytesPerSecond());
        return new Sample(values, detail + ", " + after.describeSince(before, t.bytes()));
    }

    @FunctionalInterface
    private interface Measurement {
        Sample run() throws Exception;
    }

    private static Process startClient(Topology topology, Path log) {
        String[] java = Topology.javaCommand(BenchClient.class.getName());
        List<String> command = new ArrayList<>(List.of(java[0]));
        command.addAll(CLIENT_JVM_OPTIONS);
        command.addAll(Arrays.asList(java).subList(1, java.length));
        return topology.start(topology.host(CLIENT), pb -> pb.redirectError(log.toFile()), command.toArray(String[]::new));
    }

    private static String transferDetail(CurlTransfer.Transfer t) {
        return String.format(Locale.ROOT, "%,d B in %.3f s = %.1f MB/s", t.bytes(), t.seconds(), t.megabytesPerSecond());
    }

    private static Duration transferTimeout(long bytes) {
        return Duration.ofSeconds(30 + bytes / SLOWEST_RATE);
    }

    private static String ms(OptionalDouble v) {
        return Figures.number(v, 1);
    }
}
