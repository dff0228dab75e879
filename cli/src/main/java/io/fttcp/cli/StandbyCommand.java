package io.fttcp.cli;

import io.fttcp.roles.config.FtConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/** Logger mode, on a spare host: waits for the primary to be lost, then recovers its connections from the logger and serves. */
@Command(name = "standby", mixinStandardHelpOptions = true,
        header = "Run a standby of a logged service on a spare host: it recovers the connections from the logger when the primary is lost.",
        description = "Run a standby of a logged service (replication.mode = logger) on a spare host: it waits at the "
                + "logger until the primary is lost (its channel to the logger is gone and its lease over), then "
                + "fetches the live connections' records, replays them and takes over the service address and every "
                + "connection. Needs root (the TAP device).")
final class StandbyCommand implements Callable<Integer> {
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
        if (config == null) return 2;
        if (config.mode() != FtConfig.Mode.logger) {
            spec.commandLine().getErr().println("fttcp standby: needs replication.mode = logger (in backup mode, run ./fttcp backup)");
            return 2;
        }
        if (!metrics.bind(spec, "standby")) return 2;
        return Recovery.run(out, "standby", config, metrics);
    }
}
