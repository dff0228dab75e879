package io.fttcp.cli;

import io.fttcp.roles.config.FtConfig;
import io.fttcp.roles.primary.PrimaryHost;
import io.fttcp.roles.primary.Protection;
import io.fttcp.stack.tcp.FourTuple;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** Runs the protected service as the primary until stopped (or until it steps down: exit code 3). */
@Command(name = "primary", mixinStandardHelpOptions = true,
        description = {"Run the application as the primary of a primary/backup pair: the user-space stack on the TAP device,",
                "answering for the service address, replicating every connection to the backup before it may speak.",
                "Needs root (the TAP device). See fttcp.conf.example for the configuration."})
final class PrimaryCommand implements Callable<Integer> {
    static final int STEPPED_DOWN = 3;
    private static final java.time.Duration STATUS_POLL = java.time.Duration.ofMillis(100);

    @Spec
    CommandSpec spec;

    @Option(names = {"-c", "--config"}, defaultValue = "fttcp.conf", paramLabel = "FILE",
            description = "The configuration file (shared with the backup). Default: ${DEFAULT-VALUE}.")
    Path configFile;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        FtConfig config = ReplicaSetup.readConfig(spec, configFile);
        if (config == null) return 2;
        PrimaryHost host = PrimaryHost.start(config);
        ReplicaSetup.runApplication(config, host.network(), host, () -> { });
        out.println("fttcp primary: " + config.app() + " on " + FourTuple.dotted(config.serviceAddress()) + ":" + config.servicePorts().getFirst()
                + ", waiting for the backup on " + FourTuple.dotted(config.primaryAddress()) + ":" + config.replicationPort());
        out.flush();
        // Every change of protection is printed with the counters, so an operator (and the
        // tests) see at once when the service runs unprotected.
        Protection shown = null;
        String why;
        while ((why = host.awaitStepDown(STATUS_POLL)) == null) {
            Protection now = host.protection();
            if (now != shown) {
                out.println("fttcp primary: protection " + now + "; status " + host.status());
                out.flush();
                shown = now;
            }
        }
        out.println("fttcp primary: stepped down: " + why);
        out.println("fttcp primary: status " + host.status());
        out.flush();
        return STEPPED_DOWN;
    }
}
