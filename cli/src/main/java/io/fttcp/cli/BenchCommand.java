package io.fttcp.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/** Placeholder: the kernel-versus-stack benchmark. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmark the user-space stack against the kernel's TCP (not yet available).")
final class BenchCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "TARGET", description = "What to benchmark: stack.")
    String target;

    @Option(names = "--quick", description = "A shorter run (under 60 s).")
    boolean quick;

    @Override
    public Integer call() {
        return NotYetAvailable.report(spec.commandLine().getErr(), "bench", "the benchmark needs the stack and the testbed");
    }
}
