package io.fttcp.cli;

import io.fttcp.roles.backup.BackupHost;
import io.fttcp.roles.config.FtConfig;
import io.fttcp.roles.takeover.Takeover;
import io.fttcp.stack.tcp.FourTuple;

import java.io.PrintWriter;
import java.util.concurrent.ExecutionException;

/**
 * A replica that replays until it takes over, then serves as the primary: the backup of
 * primary/backup, and in logger mode every server (a primary started or restarted in place,
 * a standby on a spare host), which first fetches the live connections' records from the logger.
 */
final class Recovery {
    private Recovery() {}

    static int run(PrintWriter out, String who, FtConfig config, MetricsOption metrics) throws Exception {
        BackupHost host = BackupHost.start(config);
        metrics.show(out, who, host::readings);
        ReplicaSetup.runApplication(config, host.network(), host, host::stopAction, out, who);
        out.println("fttcp " + who + ": " + config.app() + (config.mode() == FtConfig.Mode.logger
                ? " recovering from the logger at " + FourTuple.dotted(config.loggerAddress()) + ":" + config.loggerPort()
                + " (it answers once no primary of cluster '" + config.channel().clusterId() + "' is connected to it)"
                : " replaying the primary on port " + config.replicationPort()));
        out.flush();
        Takeover.Report report;
        try {
            report = host.takenOver().get();
        } catch (ExecutionException e) {
            out.println("fttcp " + who + ": stopped: " + e.getCause().getMessage());
            out.flush();
            return 1;
        }
        out.println("fttcp " + who + ": TOOK OVER " + FourTuple.dotted(config.serviceAddress()) + ": " + report);
        out.flush();
        return PrimaryWatch.untilSteppedDown(out, who, host.primary());
    }
}
