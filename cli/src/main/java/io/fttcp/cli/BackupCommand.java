package io.fttcp.cli;

import io.fttcp.roles.backup.BackupHost;
import io.fttcp.roles.config.FtConfig;
import io.fttcp.roles.takeover.Takeover;
import io.fttcp.stack.tcp.FourTuple;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;

/** Runs the protected service as the backup; takes over when the primary is lost, then serves until stopped. */
@Command(name = "backup", mixinStandardHelpOptions = true,
        description = {"Run the application as the backup of a primary/backup pair: it replays the primary's records and,",
                "when the primary is lost, takes over the service address and every connection.",
                "Needs root (the TAP device). See fttcp.conf.example for the configuration."})
final class BackupCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-c", "--config"}, defaultValue = "fttcp.conf", paramLabel = "FILE",
            description = "The configuration file (shared with the primary). Default: ${DEFAULT-VALUE}.")
    Path configFile;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        FtConfig config = ReplicaSetup.readConfig(spec, configFile);
        if (config == null) return 2;
        BackupHost host = BackupHost.start(config);
        CountDownLatch stopped = new CountDownLatch(1);
        ReplicaSetup.runApplication(config, host.network(), host, stopped::countDown);
        out.println("fttcp backup: " + config.app() + " replaying the primary at " + FourTuple.dotted(config.primaryAddress()) + ":" + config.replicationPort());
        out.flush();
        Takeover.Report report;
        try {
            report = host.takenOver().get();
        } catch (ExecutionException e) {
            out.println("fttcp backup: stopped: " + e.getCause().getMessage());
            out.flush();
            return 1;
        }
        out.println("fttcp backup: TOOK OVER " + FourTuple.dotted(config.serviceAddress()) + ": " + report);
        out.flush();
        stopped.await();
        return 0;
    }
}
