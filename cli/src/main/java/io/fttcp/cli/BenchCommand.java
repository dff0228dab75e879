package io.fttcp.cli;

import io.fttcp.bench.BenchPlan;
import io.fttcp.bench.StackBench;
import io.fttcp.bench.failover.FailoverBench;
import io.fttcp.bench.failover.FailoverPlan;
import io.fttcp.bench.recovery.RecoveryBench;
import io.fttcp.bench.recovery.RecoveryPlan;
import io.fttcp.bench.transfers.TransfersBench;
import io.fttcp.bench.transfers.TransfersPlan;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * The benchmarks: {@code bench stack [--quick]} (kernel versus stack), {@code bench failover [--quick]},
 * {@code bench recovery [--quick]}, and the diagnostic {@code bench transfers}.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        header = "Benchmarks in a namespace topology (needs root): stack, failover, recovery, transfers.",
        description = {"Benchmarks in a namespace topology (needs root). Each prints its trials, a summary, and last a RESULT line.",
                "stack:    the user-space stack against the Linux kernel's TCP, side by side:",
                "          'RESULT stack down_ratio=... up_ratio=... agg_ratio=... rr_p50_ratio=... idle_conn_bytes=...'",
                "failover: the client's stall across a primary's SIGKILL and link-down, and the cost of protection",
                "          (primary + backup versus the unprotected stack), with a PNG plot of throughput across a failover:",
                "          'RESULT failover kill_stall_ms_p50=... kill_stall_ms_max=... linkdown_stall_ms_p50=... detect_timeout_ms=...",
                "           down_ratio=... up_ratio=... rr_p50_added_us=... intact=<ok>/<trials>'",
                "recovery: message logging: recovery time (SIGKILL to the client's first byte) against the bytes logged per",
                "          connection (standby on a spare host; restart in place) and against the number of live connections;",
                "          logger-protected versus unprotected throughput with fsync never, batch, always; one logger, four primaries;",
                "          a PNG plot of recovery time against log size (a full run also copies it to docs/recovery-vs-log-size.png):",
                "          'RESULT recovery replay_mib_per_s=... recovery_ms_1mib=... detect_timeout_ms=... down_ratio_batch=...",
                "           up_ratio_batch=... intact=<ok>/<trials>'",
                "transfers: a diagnostic, no target: one service (--service) serves --warmups + --count curl transfers of --mib",
                "          in a row; each one's throughput and server CPU per GB, then each server thread's CPU and time waiting",
                "          for a core: 'RESULT transfers service=... direction=... mib=... mb_per_s_p50=... server_cpu_s_per_gb_p50=...'",
                "Results and plots go to bench-results/."})
final class BenchCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "TARGET", description = "What to benchmark: stack, failover, recovery or transfers.")
    String target;

    @Option(names = "--quick", description = "A shorter run (under 60 s): fewer and smaller trials (stack: 2,000 idle connections; failover: 3 trials of each failure; recovery: 1 and 16 MiB logged, 1 and 100 connections, smaller transfers).")
    boolean quick;

    @Option(names = "--detection-ms", defaultValue = "150", paramLabel = "MS",
            description = "failover: the replicas' failure detection timeout (replication.detection), at least 150. Default: ${DEFAULT-VALUE}.")
    long detectionMillis;

    @Option(names = "--service", defaultValue = "backup", paramLabel = "KIND",
            description = "transfers: unprotected, backup or logger. Default: ${DEFAULT-VALUE}.")
    String service;

    @Option(names = "--upload", description = "transfers: uploads (the server answers their sha256) instead of downloads.")
    boolean upload;

    @Option(names = "--mib", defaultValue = "256", paramLabel = "MIB", description = "transfers: MiB per transfer. Default: ${DEFAULT-VALUE}.")
    int mib;

    @Option(names = "--warmups", defaultValue = "3", paramLabel = "N", description = "transfers: uncounted transfers first. Default: ${DEFAULT-VALUE}.")
    int warmups;

    @Option(names = "--count", defaultValue = "6", paramLabel = "N", description = "transfers: measured transfers. Default: ${DEFAULT-VALUE}.")
    int count;

    @Option(names = "--fsync", defaultValue = "batch", paramLabel = "POLICY",
            description = "transfers with a logger: its fsync policy (never, batch, always). Default: ${DEFAULT-VALUE}.")
    String fsync;

    @Override
    public Integer call() throws Exception {
        return switch (target) {
            case "stack" -> new StackBench(quick ? BenchPlan.quick() : BenchPlan.full(),
                    spec.commandLine().getOut(), spec.commandLine().getErr(), resultsDirectory()).run();
            case "failover" -> {
                if (detectionMillis < FailoverBench.DEFAULT_DETECTION.toMillis()) {
                    spec.commandLine().getErr().println("fttcp bench: --detection-ms must be at least " + FailoverBench.DEFAULT_DETECTION.toMillis()
                            + " (the lease of 100 ms plus its 50 ms margin)");
                    yield 2;
                }
                yield new FailoverBench(quick ? FailoverPlan.quick() : FailoverPlan.full(), java.time.Duration.ofMillis(detectionMillis),
                        spec.commandLine().getOut(), spec.commandLine().getErr(), resultsDirectory()).run();
            }
            case "recovery" -> new RecoveryBench(quick ? RecoveryPlan.quick() : RecoveryPlan.full(), spec.commandLine().getOut(),
                    spec.commandLine().getErr(), resultsDirectory(), quick ? null : docsPlot()).run();
            case "transfers" -> {
                TransfersPlan plan;
                try {
                    plan = new TransfersPlan(TransfersPlan.Service.valueOf(service.toUpperCase(java.util.Locale.ROOT)), upload,
                            (long) mib << 20, warmups, count, fsync);
                } catch (IllegalArgumentException e) {
                    spec.commandLine().getErr().println("fttcp bench transfers: --service is unprotected, backup or logger; --mib and --count"
                            + " at least 1; --warmups at least 0; --fsync never, batch or always (" + e.getMessage() + ")");
                    yield 2;
                }
                yield new TransfersBench(plan, spec.commandLine().getOut(), spec.commandLine().getErr(), resultsDirectory()).run();
            }
            default -> {
                spec.commandLine().getErr().println("fttcp bench: unknown target '" + target + "' (available: stack, failover, recovery, transfers)");
                yield 2;
            }
        };
    }

    /** docs/recovery-vs-log-size.png beside bench-results/, when that is the project's tree (it has docs/). */
    private static Path docsPlot() {
        Path docs = resultsDirectory().getParent() == null ? null : resultsDirectory().getParent().resolve("docs");
        return docs != null && Files.isDirectory(docs) ? docs.resolve("recovery-vs-log-size.png") : null;
    }

    /** bench-results/ beside the launcher: the jar runs from cli/target/fttcp.jar; otherwise the working directory. */
    private static Path resultsDirectory() {
        try {
            Path jar = Path.of(BenchCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path root = jar.getParent() == null || jar.getParent().getParent() == null ? null : jar.getParent().getParent().getParent();
            if (Files.isRegularFile(jar) && root != null && Files.isRegularFile(root.resolve("fttcp"))) {
                return root.resolve("bench-results");
            }
        } catch (URISyntaxException | RuntimeException e) {
            // Fall back to the working directory.
        }
        return Path.of("bench-results").toAbsolutePath();
    }
}
