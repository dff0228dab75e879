package io.fttcp.bench.recovery;

import io.fttcp.bench.Figures;
import io.fttcp.bench.Machine;
import io.fttcp.bench.Measurements;
import io.fttcp.bench.ControlChannel;
import io.fttcp.bench.ControlReply;
import io.fttcp.bench.CurlTransfer;
import io.fttcp.bench.Metric;
import io.fttcp.bench.Report;
import io.fttcp.bench.NamespacesRequired;
import io.fttcp.bench.ScratchDirectory;
import io.fttcp.bench.ServerCpu;
import io.fttcp.bench.SteadyWarmUp;
import io.fttcp.bench.UnprotectedServer;
import io.fttcp.bench.UploadFile;
import io.fttcp.bench.failover.Protection;
import io.fttcp.bench.failover.ReadTimeline;
import io.fttcp.bench.failover.ServiceComparison;
import io.fttcp.testbed.Host;
import io.fttcp.testbed.LoggedService;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.CompletableFuture;

/**
 * {@code ./fttcp bench recovery}: message-logging FT-TCP's recovery and cost. (a) Recovery time
 * (the primary's SIGKILL to the first byte a client on the kernel's TCP receives after it) as a
 * function of the client bytes logged for a live connection of the line echo service, recovered
 * by a standby on a spare host, and once by the primary restarted in place; (b) as a function of
 * the number of live connections; (c) the HTTP service protected by the logger (fsync never,
 * batch, always) versus unprotected on the stack; (d) one logger serving four primaries at once.
 * Prints every trial, a summary, plots recovery time against log size, and last the
 * {@link RecoveryResultLine}.
 */
public final class RecoveryBench {
    /** The logger's and the replicas' default failure detection timeout (replication.detection). */
    public static final long DETECT_TIMEOUT_MILLIS = 150;
    /** The primaries' default lease: the logger serves a recovery once it surely ran out. */
    static final long LEASE_MILLIS = 100;
    static final String CLIENT = "client";
    static final String LOGGER = "logger";
    static final String PRIMARY = "primary";
    static final String STANDBY = "standby";
    static final List<String> SPARES = List.of("spare3", "spare4");
    static final List<String> FSYNC_POLICIES = List.of("never", "batch", "always");
    private static final int ECHO_PORT = 7;
    private static final int HTTP_PORT = 80;
    private static final long MIB = 1L << 20;
    private static final List<String> CLIENT_JVM_OPTIONS = List.of("-Xmx3g", "-Xlog:all=warning:stderr");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration RECOVERY_TIMEOUT = Duration.ofSeconds(60);
    /** How long the logger may take to register a primary that joined it. */
    private static final Duration JOIN_TIMEOUT = Duration.ofSeconds(5);
    /** (a): a line echoed every millisecond keeps the connection in use across the failure (see {@link EchoFlow}). */
    private static final Duration FLOW_PERIOD = Duration.ofMillis(1);
    private static final Duration FLOW_BEFORE_KILL = Duration.ofMillis(100);
    private static final Duration FLOW_AFTER_RECOVERY = Duration.ofMillis(300);
    /** Slowest rate waited for before a transfer or an exchange counts as hung (bytes per second). */
    private static final long SLOWEST_RATE = 5_000_000;

    /**
     * Which parts run (letters a to d; all by default): a debugging aid, the system property
     * {@code fttcp.bench.recovery.parts}. Figures of a part left out are nan.
     */
    private static final String PARTS = System.getProperty("fttcp.bench.recovery.parts", "abcd");

    private final RecoveryPlan plan;
    private final Report report;
    private final PrintWriter err;
    private final Path resultsDirectory;
    private final Path docsPlot;
    private final List<LogSizeTrial> logSizes = new ArrayList<>();
    private final List<ConnectionCountTrial> connectionCounts = new ArrayList<>();
    private final Map<String, ServiceComparison> protection = new LinkedHashMap<>();
    private final List<String> sharedLogger = new ArrayList<>();
    private int clusters;
    private int repeatedTrials;
    /** Services whose primary the logger did not register (a defect of the logger; see Trials.startService). */
    private final java.util.concurrent.atomic.AtomicInteger unregisteredPrimaries = new java.util.concurrent.atomic.AtomicInteger();
    private int trials;
    private int intact;

    /**
     * @param resultsDirectory where the results file and the plot go
     * @param docsPlot         where a copy of the plot goes too (docs/recovery-vs-log-size.png), or null
     */
    public RecoveryBench(RecoveryPlan plan, PrintWriter out, PrintWriter err, Path resultsDirectory, Path docsPlot) {
        this.plan = plan;
        this.report = new Report(out);
        this.err = err;
        this.resultsDirectory = resultsDirectory;
        this.docsPlot = docsPlot;
        FSYNC_POLICIES.forEach(p -> protection.put(p, new ServiceComparison()));
    }

    /** Runs the benchmark: 0 when every trial was intact, 1 if some was not, 2 if it cannot run here. */
    public int run() throws IOException, InterruptedException {
        if (NamespacesRequired.missing(err)) return NamespacesRequired.UNAVAILABLE;
        return ScratchDirectory.with("fttcp-recovery-", this::runIn);
    }

    private int runIn(Path work) throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        ZonedDateTime started = ZonedDateTime.now(ZoneOffset.UTC);
        String stamp = started.format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        report.line("fttcp bench recovery (" + plan.name() + "), " + started.format(DateTimeFormatter.ISO_LOCAL_DATE_TIME).substring(0, 19) + " UTC");
        report.line("service: the line echo (port 7) or HTTP (port 80) app at " + Topology.SERVICE_ADDRESS + ", its primary logging to ./fttcp logger"
                + " on its own host; detection " + DETECT_TIMEOUT_MILLIS + " ms, lease " + LEASE_MILLIS + " ms; client: kernel TCP in its own namespace");
        report.line("machine: " + Machine.description() + "; MiB = 2^20 bytes, MB = 10^6 bytes; us = microseconds");
        UploadFile upload = UploadFile.create(work, plan.uploadBytes());
        Topology.cleanupStale();
        Topology.Builder builder = Topology.builder().client(CLIENT).server(LOGGER).server(PRIMARY).server(STANDBY);
        SPARES.forEach(builder::server);
        try (Topology topology = builder.build();
             ControlChannel client = new ControlChannel("recovery client", startClient(topology, work.resolve("client.log")))) {
            Trials t = new Trials(topology, client, upload, work);
            client.awaitReady(START_TIMEOUT);
            try (LoggedService batchLogger = LoggedService.loggerAlone(topology, topology.host(LOGGER), List.of("--fsync", "batch"))) {
                report.line(String.format(Locale.ROOT, "setup: %.1f s", (System.nanoTime() - t0) / 1e9));
                report.line("");
                report.line("(a) recovery time against the client bytes logged for one live echo connection (sent and echoed before the kill),"
                        + " which goes on echoing a " + EchoFlow.LINE_BYTES + "-byte line every " + FLOW_PERIOD.toMillis() + " ms;"
                        + " recovery: from the primary's SIGKILL to the first echo after it");
                // A trial whose primary lost the logger by itself before the kill (a false detection on a loaded
                // machine) measures nothing: it is repeated once with a fresh service.
                // With 1 MiB, several: whether the recovered server has data of its own to retransmit at once, or the
                // client's retransmission timer (200 ms) has to fire, splits the recoveries in two groups.
                for (int mib : PARTS.contains("a") ? plan.logSizesMib() : List.<Integer>of()) {
                    for (int i = 0; i < (mib == 1 ? plan.oneMibTrials() : 1); i++) {
                        if (!t.logSize(batchLogger, mib, LogSizeTrial.Recovery.STANDBY)) {
                            t.logSize(batchLogger, mib, LogSizeTrial.Recovery.STANDBY);
                        }
                    }
                }
                if (PARTS.contains("a") && !t.logSize(batchLogger, plan.restartInPlaceMib(), LogSizeTrial.Recovery.RESTART_IN_PLACE)) {
                    t.logSize(batchLogger, plan.restartInPlaceMib(), LogSizeTrial.Recovery.RESTART_IN_PLACE);
                }
                report.line("");
                report.line("(b) recovery time against the number of live connections, each having echoed " + plan.perConnectionBytes()
                        + " B; a probe line on each after the kill, recovered by a standby");
                for (int n : PARTS.contains("b") ? plan.connectionCounts() : List.<Integer>of()) {
                    if (!t.connectionCount(batchLogger, n)) {
                        t.connectionCount(batchLogger, n);
                    }
                }
                report.line("");
                report.line("(c) the HTTP service unprotected on the stack (fttcp serve --network stack) versus protected by the logger,"
                        + " by fsync policy: download " + Figures.mib(plan.downloadBytes()) + " (every byte checked), upload " + Figures.mib(plan.uploadBytes()) + " (sha256)");
                if (PARTS.contains("c")) {
                    t.protectionCost(batchLogger);
                }
                report.line("");
                report.line("(d) one logger serving four primaries at once (four clusters, four service addresses, each primary on its own host):"
                        + " a " + Figures.mib(plan.sharedDownloadBytes()) + " download from each, together");
                if (PARTS.contains("d")) {
                    t.sharedLogger(batchLogger);
                }
            }
        }
        report.line("");
        OptionalDouble replay = replayMibPerSecond();
        OptionalDouble recovery1 = recovery1Mib(LogSizeTrial.Recovery.STANDBY);
        summary(replay, recovery1);
        plot(stamp);
        report.line(String.format(Locale.ROOT, "trials intact: %d of %d; wall time %.1f s; load average at the end %s",
                intact, trials, (System.nanoTime() - t0) / 1e9, Machine.loadAverage()));
        report.line("note: the CPU (" + Runtime.getRuntime().availableProcessors() + " cores) is shared with whatever else runs on this machine: the figures may be noisy");
        RecoveryResultLine result = new RecoveryResultLine(replay, recovery1, DETECT_TIMEOUT_MILLIS,
                protection.get("batch").ratio(Metric.DOWNLOAD), protection.get("batch").ratio(Metric.UPLOAD), intact, trials);
        Path file = resultsDirectory.resolve("recovery-" + stamp + ".txt");
        report.line("results written to " + file);
        report.line(result.format());
        report.writeTo(file);
        return intact == trials ? 0 : 1;
    }

    /** Replay speed from the largest log size's standby recovery: logged MiB over fetch + drain. */
    private OptionalDouble replayMibPerSecond() {
        return logSizes.stream().filter(t -> t.recovery() == LogSizeTrial.Recovery.STANDBY && t.logMib() == plan.largestLogMib())
                .map(LogSizeTrial::replayMibPerSecond).flatMap(Optional::stream).mapToDouble(Double::doubleValue).findFirst();
    }

    /** The median of the recoveries with 1 MiB logged. */
    private OptionalDouble recovery1Mib(LogSizeTrial.Recovery who) {
        return Measurements.median(oneMibRecoveries(who));
    }

    private List<Double> oneMibRecoveries(LogSizeTrial.Recovery who) {
        return logSizes.stream().filter(t -> t.recovery() == who && t.logMib() == 1 && t.recoveryNanos() >= 0)
                .map(LogSizeTrial::recoveryMillis).toList();
    }

    private void summary(OptionalDouble replay, OptionalDouble recovery1) {
        report.line("summary");
        report.line("  (a) per log size: recovery = SIGKILL to the client's first echo after it; server ready = SIGKILL to the recovering"
                + " server's 'took over' line (ms clock); replay = logged MiB / (fetch + drain)");
        report.line(String.format(Locale.ROOT, "  %-28s %8s %12s %14s %10s %10s %12s %8s", "", "log MiB", "recovery ms", "server ready ms",
                "fetch ms", "drain ms", "replay MiB/s", "intact"));
        for (LogSizeTrial t : logSizes) {
            report.line(String.format(Locale.ROOT, "  %-28s %8d %12s %14s %10s %10s %12s %8s", t.recovery().label(), t.logMib(),
                    t.recoveryNanos() >= 0 ? String.format(Locale.ROOT, "%.1f", t.recoveryMillis()) : "nan",
                    t.breakdown().map(b -> String.format(Locale.ROOT, "%.0f", b.serverReadyMillis())).orElse("nan"),
                    t.server().map(l -> String.format(Locale.ROOT, "%.1f", l.fetchMicros() / 1e3)).orElse("nan"),
                    t.server().map(l -> String.format(Locale.ROOT, "%.1f", l.drainMicros() / 1e3)).orElse("nan"),
                    t.replayMibPerSecond().map(v -> String.format(Locale.ROOT, "%.1f", v)).orElse("nan"), t.intact() ? "yes" : "NO"));
        }
        report.line(String.format(Locale.ROOT, "  replay speed (largest log, %d MiB): %s MiB/s  (target: >= 200)", plan.largestLogMib(), Figures.number(replay, 1)));
        List<Double> oneMib = oneMibRecoveries(LogSizeTrial.Recovery.STANDBY);
        report.line(String.format(Locale.ROOT, "  recovery with 1 MiB logged, standby: median %s ms of %d (%s)  (target: <= detection %d + 100 ms;"
                + " the logger serves once the lease, %d ms, surely ran out)", Figures.number(recovery1, 1), oneMib.size(),
                oneMib.stream().map(v -> String.format(Locale.ROOT, "%.1f", v)).collect(java.util.stream.Collectors.joining(", ")),
                DETECT_TIMEOUT_MILLIS, LEASE_MILLIS));
        report.line(String.format(Locale.ROOT, "  recovery with %d MiB logged, restart in place (a new JVM): %s ms", plan.restartInPlaceMib(),
                Figures.number(logSizes.stream().filter(t -> t.recovery() == LogSizeTrial.Recovery.RESTART_IN_PLACE && t.recoveryNanos() >= 0)
                        .mapToDouble(LogSizeTrial::recoveryMillis).findFirst(), 1)));
        for (ConnectionCountTrial c : connectionCounts) {
            report.line(String.format(Locale.ROOT, "  %4d connections: every answer within %.1f ms (p50 %.1f ms), %d of %d intact",
                    c.connections(), c.maxNanos() / 1e6, c.p50Nanos() / 1e6, c.answered(), c.connections()));
        }
        report.line(String.format(Locale.ROOT, "  %-14s %14s %14s %10s %14s %10s", "fsync", "download MB/s", "unprotected", "ratio", "upload MB/s", "ratio"));
        for (var e : protection.entrySet()) {
            ServiceComparison s = e.getValue();
            report.line(String.format(Locale.ROOT, "  %-14s %14s %14s %10s %14s %10s", e.getKey(),
                    Figures.number(s.median(Metric.DOWNLOAD, Protection.PROTECTED), 1), Figures.number(s.median(Metric.DOWNLOAD, Protection.UNPROTECTED), 1),
                    Figures.number(s.ratio(Metric.DOWNLOAD), 3), Figures.number(s.median(Metric.UPLOAD, Protection.PROTECTED), 1), Figures.number(s.ratio(Metric.UPLOAD), 3)));
        }
        report.line("  (targets with fsync batch: download ratio >= 0.9, upload ratio >= 0.7)");
        report.line(String.format(Locale.ROOT, "  %-14s %14s %14s %14s %14s", "server CPU s/GB", "download", "unprotected", "upload", "unprotected"));
        for (var e : protection.entrySet()) {
            ServiceComparison s = e.getValue();
            report.line(String.format(Locale.ROOT, "  %-14s %14s %14s %14s %14s", e.getKey(),
                    Figures.number(s.median(Metric.DOWNLOAD_CPU, Protection.PROTECTED), 2), Figures.number(s.median(Metric.DOWNLOAD_CPU, Protection.UNPROTECTED), 2),
                    Figures.number(s.median(Metric.UPLOAD_CPU, Protection.PROTECTED), 2), Figures.number(s.median(Metric.UPLOAD_CPU, Protection.UNPROTECTED), 2)));
        }
        report.line(String.format(Locale.ROOT, "  services whose primary the logger did not register (started again): %d; trials repeated because the service"
                + " broke up by itself before the kill: %d", unregisteredPrimaries.get(), repeatedTrials));
        sharedLogger.forEach(l -> report.line("  " + l));
    }

    private void plot(String stamp) {
        Path png = resultsDirectory.resolve("recovery-" + stamp + "-log-size.png");
        try {
            RecoveryPlot.write(logSizes, "fttcp: recovery time against the log size (one live connection, primary SIGKILLed)", png);
            report.line("plot: " + png);
            if (docsPlot != null) {
                Files.createDirectories(docsPlot.toAbsolutePath().getParent());
                Files.copy(png, docsPlot, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                report.line("plot copied to " + docsPlot);
            }
        } catch (IOException | RuntimeException | Error e) {
            report.line("plot not written: " + e);
        }
    }

    /** The trials, sharing one topology, one client JVM and one logger (fsync batch) where they can. */
    private final class Trials {
        private final Topology topology;
        private final ControlChannel client;
        private final UploadFile upload;

        private final Path work;

        Trials(Topology topology, ControlChannel client, UploadFile upload, Path work) {
            this.work = work;
            this.topology = topology;
            this.client = client;
            this.upload = upload;
        }

        /** A fresh cluster id per service, so each trial has its own log at the shared logger. */
        private LoggedService.Identity nextIdentity() {
            return new LoggedService.Identity(Topology.SERVICE_ADDRESS, Topology.SERVICE_MAC, "bench" + (++clusters));
        }

        /** One trial of (a); false if the service broke up by itself before the kill (see {@link #requireWhole}). */
        boolean logSize(LoggedService logger, int mib, LogSizeTrial.Recovery who) throws InterruptedException {
            String what = String.format(Locale.ROOT, "%4d MiB logged, %-27s ", mib, who.label() + ":");
            trials++;
            return echoTrial(logger, what, service -> {
                WatchedProcess standby = who == LogSizeTrial.Recovery.STANDBY ? startStandby(service) : null;
                long bytes = mib * MIB;
                ControlReply opened = open(1, bytes, timeout(2 * bytes));
                requireWhole(service, standby, 1);
                client.call("flow " + FLOW_PERIOD.toNanos() / 1000, "flowing", Duration.ofSeconds(10));
                Thread.sleep(FLOW_BEFORE_KILL.toMillis());
                WatchedProcess primary = service.primary();
                long killedAt = System.nanoTime();
                primary.signal("KILL");
                WatchedProcess recovered = who == LogSizeTrial.Recovery.STANDBY ? standby : service.startPrimary(topology.host(PRIMARY));
                recovered.awaitLine(l -> l.contains(LoggedService.TOOK_OVER), "that it took over", RECOVERY_TIMEOUT);
                Thread.sleep(FLOW_AFTER_RECOVERY.toMillis());
                Path timelineFile = work.resolve("flow-timeline.bin");
                ControlReply flowed = client.call("flowed 30 " + timelineFile, "flowed", Duration.ofSeconds(45));
                ReadTimeline timeline;
                try (InputStream in = Files.newInputStream(timelineFile)) {
                    timeline = ReadTimeline.readFrom(in);
                }
                Optional<ReadTimeline.Gap> gap = timeline.stallGapAfter(killedAt);
                Optional<RecoveryLog> log = RecoveryLog.parse(recovered.output());
                boolean ok = flowed.field("intact").equals("true");
                long firstAfter = gap.map(ReadTimeline.Gap::endNanos).orElse(-1L);
                LogSizeTrial t = new LogSizeTrial(mib, who, firstAfter >= 0 ? firstAfter - killedAt : -1, log,
                        log.flatMap(l -> RecoveryBreakdown.of(recovered.output(), l, killedAt, firstAfter)), ok);
                logSizes.add(t);
                if (ok) {
                    intact++;
                }
                report.line(what + String.format(Locale.ROOT, "recovery %s; echo of %,d B in %.1f s before; %s; flow of %,d B %s",
                        t.recoveryNanos() >= 0 ? String.format(Locale.ROOT, "%.1f ms", t.recoveryMillis()) : "NOT MEASURED (no echo after the kill)",
                        opened.longField("bytes"), opened.longField("nanos") / 1e9, log.map(RecoveryBench::describe).orElse("(no recovery lines in its log)"),
                        flowed.longField("written"), ok ? "intact" : "NOT INTACT: " + flowed.fields().getOrDefault("failure", "mismatch at " + flowed.field("mismatch"))));
                t.breakdown().ifPresent(b -> report.line("          " + b));
                loggerView(service, killedAt);
                if (!ok) {
                    tails(service);
                }
            });
        }

        /**
         * Starts the standby once the logger holds the primary as its cluster's primary: a fetch
         * that comes after the logger accepted the primary's handshake but before it registered the
         * channel (ClusterLog.join to PrimaryRecords.onConnected, seen to take over a second on this
         * loaded machine) is served, and the standby takes over from a live primary.
         */
        /**
         * A standby that is ready: it has rehearsed its takeover (loaded and compiled that code,
         * about a second of both cores), as one waiting at the logger for long would have. Killing
         * the primary during the rehearsal measured the rehearsal's competition for the cores.
         */
        private WatchedProcess startStandby(LoggedService service) throws InterruptedException {
            WatchedProcess standby = service.startStandby(topology.host(STANDBY));
            standby.awaitLine(l -> l.contains("takeover rehearsed"), "that it rehearsed its takeover", Duration.ofSeconds(60));
            return standby;
        }

        /**
         * Starts a service on the shared logger and waits until the logger registered its primary;
         * if it does not (seen on this loaded machine: the primary logged "logger joined" but the
         * logger never printed that it joined, never acknowledged its records, so its clients stall,
         * and served a recovery to the next server that asked), the service is replaced once.
         */
        private LoggedService startService(LoggedService logger, Host host, String app, LoggedService.Identity id) throws InterruptedException {
            for (int attempt = 1; ; attempt++) {
                LoggedService service = logger.another(host, app, id);
                try {
                    service.logger().awaitLine(l -> l.contains("cluster '" + id.cluster() + "': primary ") && l.contains(" joined at epoch"),
                            "that the primary of cluster '" + id.cluster() + "' joined", JOIN_TIMEOUT);
                    return service;
                } catch (IllegalStateException e) {
                    unregisteredPrimaries.incrementAndGet();
                    report.line(String.format(Locale.ROOT, "warning: the logger did not register the primary of cluster '%s' (on %s) within %d s,"
                            + " though the primary logged that it joined%s", id.cluster(), host.name(), JOIN_TIMEOUT.toSeconds(),
                            attempt == 1 ? "; the service is started again" : ""));
                    tails(service);
                    service.close();
                    if (attempt == 2) {
                        throw new IllegalStateException("the logger did not register the primary of cluster '" + id.cluster() + "' twice");
                    }
                }
            }
        }

        /**
         * Throws {@link BrokeUp} if, before the kill, the primary is gone or lost the logger by itself
         * (its lease ran out: a false detection, seen when a loaded two-core machine starves a JVM for
         * 150 ms) or the standby already took over.
         */
        private void requireWhole(LoggedService service, WatchedProcess standby, int connections) {
            WatchedProcess primary = service.primary();
            Optional<String> why = !primary.isAlive() ? Optional.of("the primary exited")
                    : primary.output().lines().filter(l -> l.contains("logger lost") || l.contains("STEPPING DOWN")).findFirst().map(String::strip);
            if (why.isEmpty() && standby != null && standby.output().contains(LoggedService.TOOK_OVER)) {
                why = Optional.of("the standby took over");
            }
            if (why.isPresent()) {
                throw new BrokeUp("the service broke up by itself before the kill: " + why.get(), connections);
            }
        }

        /** Opens connections at the client; its own timeout ends first, so its reply never comes late. */
        private ControlReply open(int count, long bytes, Duration timeout) throws IOException, InterruptedException {
            return client.call("open " + Topology.SERVICE_ADDRESS + " " + ECHO_PORT + " " + count + " " + bytes + " " + timeout.toSeconds(),
                    "opened", timeout.plusSeconds(15));
        }

        /** Closes the client's echo connections (before the service goes, so its log drops them). */
        private void closeConnections() throws InterruptedException {
            try {
                client.call("close", "closed", Duration.ofSeconds(15));
            } catch (IOException | RuntimeException e) {
                report.line("warning: closing the client's connections: " + Figures.oneLine(e.getMessage()));
            }
        }

        /** One trial of (b); false if the service broke up by itself before the kill (see {@link #requireWhole}). */
        boolean connectionCount(LoggedService logger, int count) throws InterruptedException {
            String what = String.format(Locale.ROOT, "%4d connections: ", count);
            trials += count;
            return echoTrial(logger, what, service -> {
                WatchedProcess standby = startStandby(service);
                ControlReply opened = open(count, plan.perConnectionBytes(), timeout(2 * count * plan.perConnectionBytes()).plusSeconds(count / 10));
                requireWhole(service, standby, count);
                long killedAt = System.nanoTime();
                service.primary().signal("KILL");
                ControlReply probed = client.call("probe " + RECOVERY_TIMEOUT.toSeconds(), "probed", RECOVERY_TIMEOUT.plusSeconds(10));
                standby.awaitLine(l -> l.contains(LoggedService.TOOK_OVER), "that it took over", RECOVERY_TIMEOUT);
                Optional<RecoveryLog> log = RecoveryLog.parse(standby.output());
                int answered = (int) (probed.longField("count") - probed.longField("failed"));
                intact += answered;
                ConnectionCountTrial t = new ConnectionCountTrial(count, since(probed.longField("first"), killedAt),
                        since(probed.longField("p50"), killedAt), since(probed.longField("max"), killedAt), answered, log);
                connectionCounts.add(t);
                report.line(what + String.format(Locale.ROOT, "first answer %.1f ms, p50 %.1f ms, max %.1f ms after the kill; opened in %.1f s; %s; %d of %d intact%s",
                        t.firstNanos() / 1e6, t.p50Nanos() / 1e6, t.maxNanos() / 1e6, opened.longField("nanos") / 1e9,
                        log.map(RecoveryBench::describe).orElse("(no recovery lines in its log)"), answered, count,
                        probed.fields().containsKey("failure") ? " (" + probed.field("failure") + ")" : ""));
                log.flatMap(l -> RecoveryBreakdown.of(standby.output(), l, killedAt, probed.longField("first")))
                        .ifPresent(b -> report.line("          (first answer) " + b));
                loggerView(service, killedAt);
                if (answered < count) {
                    tails(service);
                }
            });
        }

        /** A trial's body, on a fresh echo service of the shared logger. */
        @FunctionalInterface
        private interface EchoTrialBody {
            void run(LoggedService service) throws IOException, InterruptedException;
        }

        /**
         * Runs one trial of (a) or (b) on a fresh echo service, reporting a failure and closing
         * what it opened; false if the service broke up by itself before the kill (see
         * {@link #requireWhole}): the caller repeats it.
         */
        private boolean echoTrial(LoggedService logger, String what, EchoTrialBody body) throws InterruptedException {
            LoggedService service = null;
            try {
                service = startService(logger, topology.host(PRIMARY), "echo", nextIdentity());
                body.run(service);
            } catch (BrokeUp e) {
                // The connections' exchanges came back intact (checked) across whatever happened: intact trials, but no measurement.
                intact += e.connections;
                repeatedTrials++;
                report.line(what + "REPEATED: " + e.getMessage() + (e.connections > 0 ? "; the exchange before came back intact" : ""));
                tails(service);
                return false;
            } catch (IOException | RuntimeException e) {
                report.line(what + "FAILED: " + Figures.oneLine(e.getMessage()));
                tails(service);
            } finally {
                closeConnections();
                closeQuietly(service);
            }
            return true;
        }

        void protectionCost(LoggedService batchLogger) throws InterruptedException {
            Host primaryHost = topology.host(PRIMARY);
            // The unprotected figures first, shared by every policy's ratio.
            WatchedProcess serve = null;
            try {
                serve = UnprotectedServer.start(topology, primaryHost, HTTP_PORT, START_TIMEOUT);
                transfers("unprotected", Protection.UNPROTECTED, null, List.of("server"), List.of(serve));
            } catch (RuntimeException e) {
                report.line("unprotected: FAILED: " + Figures.oneLine(e.getMessage()));
            } finally {
                if (serve != null) {
                    serve.close();
                }
            }
            for (String policy : FSYNC_POLICIES) {
                // Each policy's logger on its own host (the batch one is the shared logger); the primary where the others ran.
                LoggedService logger = null;
                LoggedService service = null;
                try {
                    logger = policy.equals("batch") ? batchLogger
                            : LoggedService.loggerAlone(topology, topology.host(SPARES.get(FSYNC_POLICIES.indexOf(policy) == 0 ? 0 : 1)), List.of("--fsync", policy));
                    service = startService(logger, primaryHost, "http", nextIdentity());
                    if (!transfers("fsync " + policy, Protection.PROTECTED, policy, List.of(PRIMARY, LOGGER), List.of(service.primary(), logger.logger()))) {
                        tails(service);
                    }
                } catch (RuntimeException e) {
                    report.line("fsync " + policy + ": FAILED: " + Figures.oneLine(e.getMessage()));
                    tails(service);
                } finally {
                    closeQuietly(service);
                    if (logger != batchLogger) {
                        closeQuietly(logger);
                    }
                }
            }
        }

        /**
         * The transfers of one variant (the unprotected one, {@code policy} null, counts for every
         * policy's comparison), with what each cost the server's {@code processes}; false if one failed.
         */
        private boolean transfers(String label, Protection p, String policy, List<String> names, List<WatchedProcess> processes)
                throws InterruptedException {
            boolean allOk = true;
            List<ServiceComparison> into = policy == null ? List.copyOf(protection.values()) : List.of(protection.get(policy));
            try {
                // Downloads and uploads in turn until the speeds settle (SteadyWarmUp): compiling either path in a measured transfer
                // would charge the JIT's work, larger for the protected service (its wrappers and replication), to the measurement.
                StringBuilder speeds = new StringBuilder();
                SteadyWarmUp.Run run = plan.warmup().start();
                boolean another = true;
                while (another) {
                    ControlReply w = client.call("downloads " + plan.warmupBytes() + " " + timeout(plan.warmupBytes()).toSeconds() + " "
                            + Topology.SERVICE_ADDRESS + ":" + HTTP_PORT, "downloaded", timeout(plan.warmupBytes()).plusSeconds(10));
                    CurlTransfer.Transfer u = upload();
                    double down = w.longField("bytes") / (w.longField("nanos") / 1e9) / 1e6;
                    speeds.append(run.pairs() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "download %.1f MB/s, upload %.1f MB/s",
                            down, u.megabytesPerSecond()));
                    another = run.another(down, u.megabytesPerSecond());
                }
                report.line(String.format(Locale.ROOT, "%-16s warm-up: %s (not counted)", label, speeds));
            } catch (IOException | RuntimeException e) {
                report.line(String.format(Locale.ROOT, "%-16s warm-up: FAILED: %s", label, Figures.oneLine(e.getMessage())));
            }
            for (int i = 1; i <= plan.transfers(); i++) {
                trials++;
                try {
                    ServerCpu before = ServerCpu.now(names, processes);
                    ControlReply r = client.call("downloads " + plan.downloadBytes() + " " + timeout(plan.downloadBytes()).toSeconds() + " "
                            + Topology.SERVICE_ADDRESS + ":" + HTTP_PORT, "downloaded", timeout(plan.downloadBytes()).plusSeconds(10));
                    ServerCpu after = ServerCpu.now(names, processes);
                    double mbs = r.longField("bytes") / (r.longField("nanos") / 1e9) / 1e6;
                    boolean ok = r.longField("intact") == 1;
                    if (ok) {
                        intact++;
                        into.forEach(s -> s.add(Metric.DOWNLOAD, p, mbs));
                        after.secondsPerGigabyteSince(before, r.longField("bytes")).ifPresent(cpu -> into.forEach(s -> s.add(Metric.DOWNLOAD_CPU, p, cpu)));
                    } else {
                        into.forEach(ServiceComparison::addFailure);
                        allOk = false;
                    }
                    report.line(String.format(Locale.ROOT, "%-16s download %d/%d: %,d B in %.3f s = %.1f MB/s, %s, %s", label, i, plan.transfers(),
                            r.longField("bytes"), r.longField("nanos") / 1e9, mbs, ok ? "intact" : "NOT INTACT: " + r.fields().getOrDefault("failure", "?"),
                            after.describeSince(before, r.longField("bytes"))));
                } catch (IOException | RuntimeException e) {
                    report.line(String.format(Locale.ROOT, "%-16s download %d/%d: FAILED: %s", label, i, plan.transfers(), Figures.oneLine(e.getMessage())));
                    allOk = false;
                }
            }
            for (int i = 1; i <= plan.transfers(); i++) {
                trials++;
                try {
                    ServerCpu before = ServerCpu.now(names, processes);
                    CurlTransfer.Transfer t = upload();
                    ServerCpu after = ServerCpu.now(names, processes);
                    intact++;
                    into.forEach(s -> s.add(Metric.UPLOAD, p, t.megabytesPerSecond()));
                    after.secondsPerGigabyteSince(before, t.bytes()).ifPresent(cpu -> into.forEach(s -> s.add(Metric.UPLOAD_CPU, p, cpu)));
                    report.line(String.format(Locale.ROOT, "%-16s upload %d/%d: %,d B in %.3f s = %.1f MB/s, sha256 ok, %s", label, i, plan.transfers(),
                            t.bytes(), t.seconds(), t.megabytesPerSecond(), after.describeSince(before, t.bytes())));
                } catch (RuntimeException e) {
                    report.line(String.format(Locale.ROOT, "%-16s upload %d/%d: FAILED: %s", label, i, plan.transfers(), Figures.oneLine(e.getMessage())));
                    allOk = false;
                }
            }
            return allOk;
        }

        private CurlTransfer.Transfer upload() {
            String out = topology.exec(topology.host(CLIENT), timeout(plan.uploadBytes()),
                    CurlTransfer.uploadCommand(Topology.SERVICE_ADDRESS, HTTP_PORT, upload.path().toString()).toArray(String[]::new)).output();
            return CurlTransfer.parseUpload(out, upload.bytes(), upload.sha256());
        }

        void sharedLogger(LoggedService logger) throws InterruptedException {
            List<Host> hosts = List.of(topology.host(PRIMARY), topology.host(STANDBY), topology.host(SPARES.get(0)), topology.host(SPARES.get(1)));
            List<LoggedService> services = new ArrayList<>();
            trials += hosts.size();
            try {
                List<CompletableFuture<LoggedService>> starting = new ArrayList<>();
                for (int i = 0; i < hosts.size(); i++) {
                    LoggedService.Identity id = SharedIdentity.of(i);
                    Host h = hosts.get(i);
                    starting.add(CompletableFuture.supplyAsync(() -> join(logger, h, id)));
                }
                for (CompletableFuture<LoggedService> f : starting) {
                    services.add(f.join());
                }
                StringBuilder servers = new StringBuilder();
                for (int i = 0; i < hosts.size(); i++) {
                    servers.append(' ').append(SharedIdentity.of(i).address()).append(':').append(HTTP_PORT);
                }
                long bytes = plan.sharedDownloadBytes();
                ControlReply r = client.call("downloads " + bytes + " " + timeout(4 * bytes).toSeconds() + servers, "downloaded", timeout(4 * bytes).plusSeconds(10));
                int ok = (int) r.longField("intact");
                intact += ok;
                double mbs = r.longField("bytes") / (r.longField("nanos") / 1e9) / 1e6;
                String line = String.format(Locale.ROOT, "one logger, %d primaries: aggregate download %.1f MB/s (%,d B in %.3f s), %d of %d intact%s",
                        hosts.size(), mbs, r.longField("bytes"), r.longField("nanos") / 1e9, ok, hosts.size(),
                        r.fields().containsKey("failure") ? " (" + r.field("failure") + ")" : "");
                report.line(line);
                sharedLogger.add(line);
                if (ok < hosts.size()) {
                    services.forEach(this::tails);
                }
            } catch (IOException | RuntimeException e) {
                report.line("one logger, four primaries: FAILED: " + Figures.oneLine(e.getMessage()));
                services.forEach(this::tails);
            } finally {
                services.forEach(RecoveryBench::closeQuietly);
            }
        }

        private LoggedService join(LoggedService logger, Host host, LoggedService.Identity id) {
            try {
                return startService(logger, host, "http", id);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while starting a primary", e);
            }
        }

        /** The recovery as the shared logger saw it (see {@link LoggerView}). */
        private void loggerView(LoggedService service, long killedAt) {
            WatchedProcess logger = service.logger();
            if (logger == null) return;
            String line = LoggerView.describe(logger.output(), service.cluster(), killedAt);
            if (!line.isEmpty()) report.line(line);
        }

        private void tails(LoggedService service) {
            if (service == null) {
                return;
            }
            for (WatchedProcess p : service.processes()) {
                // A waiting standby's refusals repeat every 2 s: not worth the space.
                List<String> lines = p.output().strip().lines().filter(l -> !l.contains("ask again")).toList();
                report.line("  " + p.description() + ", last output:");
                lines.subList(Math.max(0, lines.size() - 25), lines.size()).forEach(l -> report.line("  | " + l));
            }
            WatchedProcess logger = service.logger();
            if (logger != null) {
                report.line("  " + logger.description() + ", about cluster '" + service.cluster() + "':");
                // Also its listener failures (their stack traces do not name the cluster).
                logger.output().lines().filter(l -> (l.contains("'" + service.cluster() + "'") && !l.contains("ask again"))
                                || l.contains("listener failed") || l.startsWith("java.lang.") || l.contains("ClusterLog"))
                        .forEach(l -> report.line("  | " + l));
            }
        }
    }

    /** The service broke up by itself before the failure was injected: the trial measures nothing and is repeated. */
    private static final class BrokeUp extends IllegalStateException {
        final int connections;

        BrokeUp(String message, int connections) {
            super(message);
            this.connections = connections;
        }
    }

    static String describe(RecoveryLog log) {
        return String.format(Locale.ROOT, "server: fetched %,d records (%,d client B) in %.1f ms%s%s, drain %.1f ms, takeover %.1f ms, %d restored%s",
                log.records(), log.clientBytes(), log.fetchMicros() / 1e3,
                log.firstRecordsMicros() < 0 ? "" : String.format(Locale.ROOT, " (the first after %.1f)", log.firstRecordsMicros() / 1e3),
                log.largestLagBytes() < 0 ? "" : String.format(Locale.ROOT, ", replay lag at most %.1f MiB", log.largestLagBytes() / 1048576.0),
                log.drainMicros() / 1e3, log.totalMicros() / 1e3, log.restored(),
                log.refused().isEmpty() ? "" : ", REFUSED " + log.refused());
    }

    private static long since(long instant, long killedAt) {
        return instant < 0 ? -1 : instant - killedAt;
    }

    private static void closeQuietly(LoggedService s) {
        if (s != null) {
            s.close();
        }
    }

    private static Process startClient(Topology topology, Path log) {
        String[] java = Topology.javaCommand(RecoveryClient.class.getName());
        List<String> command = new ArrayList<>(List.of(java[0]));
        command.addAll(CLIENT_JVM_OPTIONS);
        command.addAll(Arrays.asList(java).subList(1, java.length));
        return topology.start(topology.host(CLIENT), pb -> pb.redirectError(log.toFile()), command.toArray(String[]::new));
    }

    private static Duration timeout(long bytes) {
        return Duration.ofSeconds(30 + bytes / SLOWEST_RATE);
    }
}
