package io.fttcp.cli;

import io.fttcp.replication.channel.ChannelConfig;
import io.fttcp.replication.log.FsyncPolicy;
import io.fttcp.replication.log.LogConfig;
import io.fttcp.roles.config.FtConfig;
import io.fttcp.roles.logger.LoggerConfig;
import io.fttcp.roles.logger.LoggerHost;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** Runs the logger of message-logging FT-TCP until stopped. */
@Command(name = "logger", mixinStandardHelpOptions = true,
        header = "Run the logger of message-logging FT-TCP: it stores primaries' records durably and serves recoveries.",
        description = "Run the logger of message-logging FT-TCP: primaries (replication.mode = logger) send it their "
                + "records, it stores them durably and acknowledges them, and a recovering server (./fttcp primary "
                + "restarted in place, or ./fttcp standby on a spare host) fetches the live connections' records from "
                + "it. One logger serves several primaries: one log directory per cluster id.")
final class LoggerCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--dir", defaultValue = "fttcp-log", paramLabel = "DIR",
            description = "Where the logs live (a subdirectory per cluster). Default: ${DEFAULT-VALUE}.")
    Path directory;

    @Option(names = "--listen", defaultValue = "0.0.0.0:7500", paramLabel = "ADDR:PORT", converter = ListenAddress.class,
            description = "Where primaries and recovering servers connect. Default: ${DEFAULT-VALUE}.")
    InetSocketAddress listen;

    @Option(names = "--fsync", defaultValue = "batch", paramLabel = "always|batch|never",
            description = {"When a record counts as stored (and is acknowledged): always: forced to disk, every burst;",
                    "batch: forced at most one batch window after it was written (group commit); never: written, not forced",
                    "(survives the logger process, not the host). Default: ${DEFAULT-VALUE}."})
    FsyncPolicy fsync;

    @Option(names = "--batch-window", defaultValue = "2ms", paramLabel = "DURATION", converter = DurationOption.class,
            description = "batch: the longest a written record waits for its force. Default: ${DEFAULT-VALUE}.")
    Duration batchWindow;

    @Option(names = "--segment-size", defaultValue = "64", paramLabel = "MIB",
            description = "Size at which a log segment is rolled. Default: ${DEFAULT-VALUE} MiB.")
    int segmentMib;

    @Option(names = "--heartbeat", defaultValue = "20ms", paramLabel = "DURATION", converter = DurationOption.class,
            description = "Heartbeats to primaries (as their replication.heartbeat). Default: ${DEFAULT-VALUE}.")
    Duration heartbeat;

    @Option(names = "--detection", defaultValue = "150ms", paramLabel = "DURATION", converter = DurationOption.class,
            description = "Silence after which a primary is presumed dead (as replication.detection). Default: ${DEFAULT-VALUE}.")
    Duration detection;

    @Option(names = "--lease", defaultValue = "100ms", paramLabel = "DURATION", converter = DurationOption.class,
            description = "The primaries' lease (as replication.lease): a recovery is served only after it ran out. Default: ${DEFAULT-VALUE}.")
    Duration lease;

    @Option(names = "--retention", defaultValue = "connections", paramLabel = "connections|everything|checkpointed",
            description = "Which records recoveries get, as the primaries' replication.retention: the live connections' (connection-scoped"
                    + " applications), every one, or those since the application's latest checkpoint. Default: ${DEFAULT-VALUE}.")
    FtConfig.Retention retention;

    @Option(names = "--max-catch-up-fill", defaultValue = "33554432", paramLabel = "LSNS",
            description = {"The most LSNs a primary's catch-up (back from serving without the logger) may leave without a record;",
                    "the logger fills them with empty 32-byte records, and refuses a catch-up that needs more, naming the numbers.",
                    "Default: ${DEFAULT-VALUE} (1 GiB)."})
    long maxCatchUpFill;

    @Option(names = "--max-handshakes", defaultValue = "" + LoggerConfig.DEFAULT_MAX_HANDSHAKES, paramLabel = "N",
            description = {"The most connections in their handshake at once (each holds two threads until it says who it is, 2 s at most);",
                    "more are closed at once and counted (fttcp_logger_refused_handshakes_full). Default: ${DEFAULT-VALUE}."})
    int maxHandshakes;

    @Option(names = "--max-handshakes-per-host", defaultValue = "" + LoggerConfig.DEFAULT_MAX_HANDSHAKES_PER_HOST, paramLabel = "N",
            description = "... of them from one host, so that one host flooding the port leaves room for the others. Default: ${DEFAULT-VALUE}.")
    int maxHandshakesPerHost;

    @Mixin
    MetricsOption metrics;

    @Override
    public Integer call() throws Exception {
        if (!(listen.getAddress() instanceof java.net.Inet4Address)) { // the logger's socket, and logger.address, are IPv4
            throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                    "--listen: the logger listens on IPv4 only (primaries dial logger.address, a dotted IPv4 address), got " + listen);
        }
        if (segmentMib < 1) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--segment-size must be at least 1 (MiB), got " + segmentMib);
        }
        if (maxHandshakesPerHost < 1 || maxHandshakes < maxHandshakesPerHost) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--max-handshakes-per-host must be at least 1 and at most"
                    + " --max-handshakes, got " + maxHandshakesPerHost + " per host and " + maxHandshakes + " in all");
        }
        OneLineLogging.install();
        PrintWriter out = spec.commandLine().getOut();
        LoggerConfig config;
        try {
            LogConfig log = LogConfig.defaults().withFsyncPolicy(fsync).withBatchWindowNanos(batchWindow.toNanos()).withSegmentBytes((long) segmentMib << 20);
            ChannelConfig channel = ChannelConfig.defaults("logger").withTimings(heartbeat, detection, lease, ChannelConfig.DEFAULT_LEASE_MARGIN);
            config = new LoggerConfig(directory, listen, log, channel, retention.policy()).withMaxCatchUpFill(maxCatchUpFill)
                    .withMaxHandshakes(maxHandshakes, maxHandshakesPerHost);
        } catch (IllegalArgumentException e) {
            spec.commandLine().getErr().println("fttcp logger: " + e.getMessage());
            return 2;
        }
        if (!metrics.bind(spec, "logger")) return 2;
        LoggerHost host = LoggerHost.start(config);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            host.close();
            stopped.countDown();
        }, "fttcp-logger-shutdown"));
        out.println("fttcp logger: listening on " + listen + ", logs in " + directory + ", fsync " + fsync + "; " + host.status());
        out.flush();
        metrics.show(out, "logger", host::readings);
        host.failure().thenRun(stopped::countDown);
        stopped.await();
        String failure = host.failure().getNow(null);
        if (failure != null) { // non-zero, for the supervisor to start it again: a start recovers the logs
            spec.commandLine().getErr().println("fttcp logger: " + failure + "; stopped, to be started again (it recovers its logs from disk)");
            return 1;
        }
        return 0;
    }
}
