package io.fttcp.cli;

import io.fttcp.roles.config.FtConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/** Runs the protected service as the backup; takes over when the primary is lost, then serves as the primary until stopped. */
@Command(name = "backup", mixinStandardHelpOptions = true,
        header = "Run the backup of a primary/backup pair: it replays the primary's records and takes over when the primary is lost.",
        description = "Run the application as the backup of a primary/backup pair: it replays the primary's records and, "
                + "when the primary is lost, takes over the service address and every connection. Needs root (the TAP "
                + "device). See fttcp.conf.example for the configuration.")
final class BackupCommand implements Callable<Integer> {
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
        if (config.mode() == FtConfig.Mode.logger) {
            spec.commandLine().getErr().println("fttcp backup: replication.mode = logger has no hot backup: run ./fttcp standby on a spare host");
            return 2;
        }
        if (!metrics.bind(spec, "backup")) return 2;
        return Recovery.run(out, "backup", config, metrics);
    }
}
