package io.fttcp.cli;

import io.fttcp.bench.BenchPlan;
import io.fttcp.bench.StackBench;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** The kernel-versus-stack benchmark: {@code bench stack [--quick]}. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Benchmark the user-space stack against the Linux kernel's TCP, side by side in a namespace topology (needs root).",
                "Prints each trial, a summary table, and last a line 'RESULT stack down_ratio=... up_ratio=... agg_ratio=... rr_p50_ratio=... idle_conn_bytes=...'."})
final class BenchCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "TARGET", description = "What to benchmark: stack.")
    String target;

    @Option(names = "--quick", description = "A shorter run (under 60 s): fewer and smaller trials, 2,000 idle connections.")
    boolean quick;

    @Override
    public Integer call() throws Exception {
        if (!"stack".equals(target)) {
            spec.commandLine().getErr().println("fttcp bench: unknown target '" + target + "' (available: stack)");
            return 2;
        }
        BenchPlan plan = quick ? BenchPlan.quick() : BenchPlan.full();
        return new StackBench(plan, spec.commandLine().getOut(), spec.commandLine().getErr(), resultsDirectory()).run();
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
