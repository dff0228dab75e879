package io.fttcp.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/** Placeholder: builds the namespace topology, serves on the user-space stack, downloads with curl. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Build the topology, serve a file on the user-space stack, download it with curl and check it (not yet available).")
final class DemoCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        return NotYetAvailable.report(spec.commandLine().getErr(), "demo", "the demo needs the stack and the testbed");
    }
}
