package io.fttcp.cli;

import io.fttcp.roles.config.FtConfig;
import io.fttcp.roles.primary.PrimaryHost;
import io.fttcp.stack.tcp.FourTuple;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/** Runs the protected service as the primary until stopped (or until it steps down: exit code 3). */
@Command(name = "primary", mixinStandardHelpOptions = true,
        header = "Run the application as the primary: the user-space stack answers for the service address, replicating every connection.",
        description = "Run the application as the primary: the user-space stack on the TAP device, answering for the "
                + "service address, replicating every connection to the backup (or, in logger mode, to the logger) "
                + "before it may speak. In logger mode it first recovers the connections of a primary that ran before "
                + "it (restart in place). Needs root (the TAP device). See fttcp.conf.example for the configuration.")
final class PrimaryCommand implements Callable<Integer> {
    static final int STEPPED_DOWN = PrimaryWatch.STEPPED_DOWN;

    @Spec
    CommandSpec spec;

    @Mixin
    ConfigFileOption configFile;

    @Mixin
    MetricsOption metrics;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        FtConfig config = configFile.read(spec);
        if (config == null || !metrics.bind(spec, "primary")) return 2;
        if (config.mode() == FtConfig.Mode.logger) {
            // Every server of a logged service starts by recovering: a fresh log gives it nothing to replay.
            return Recovery.run(out, "primary", config, metrics);
        }
        PrimaryHost host = PrimaryHost.start(config);
        metrics.show(out, "primary", host::readings);
        ReplicaSetup.runApplication(config, host.network(), host, host::stopAction, out, "primary");
        out.println("fttcp primary: " + config.app() + " on " + FourTuple.dotted(config.serviceAddress()) + ":" + config.servicePorts().getFirst()
                + ", waiting for the backup on " + FourTuple.dotted(config.primaryAddress()) + ":" + config.replicationPort());
        out.flush();
        return PrimaryWatch.untilSteppedDown(out, "primary", host);
    }
}
