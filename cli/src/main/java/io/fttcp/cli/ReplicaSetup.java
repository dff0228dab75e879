package io.fttcp.cli;

import io.fttcp.api.Network;
import io.fttcp.roles.StopAction;
import io.fttcp.roles.config.ConfigException;
import io.fttcp.roles.config.ConfigFile;
import io.fttcp.roles.config.FtConfig;
import picocli.CommandLine.Model.CommandSpec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.function.Supplier;

/** What the primary and backup commands share: reading fttcp.conf, and running the application until the JVM stops. */
final class ReplicaSetup {
    private ReplicaSetup() {}

    /** The configuration, or null after printing what is wrong with it (exit code 2). */
    static FtConfig readConfig(CommandSpec spec, Path file) {
        OneLineLogging.install();
        try {
            return ConfigFile.read(file);
        } catch (ConfigException e) {
            spec.commandLine().getErr().println("fttcp " + spec.name() + ": " + e.getMessage());
            return null;
        }
    }

    /**
     * Starts the configured application on {@code network}. When the JVM stops (SIGTERM, Ctrl-C,
     * or the command's end) the replica does what {@code onStop} says at that moment
     * ({@link StopAction}): hands the connections over (nothing is closed: the process ends as a
     * crash would, and the backup or a recovery carries them on), closes them (the application
     * first, then the host), or leaves (the host alone: a backup tells its primary; the replayed
     * application ends with the process). If the application cannot start, the host is closed and
     * the failure thrown.
     */
    static void runApplication(FtConfig config, Network network, AutoCloseable host, Supplier<StopAction> onStop, PrintWriter out, String who)
            throws Exception {
        Runnable app;
        try {
            app = ProtectedApp.start(config, network);
        } catch (Exception e) {
            host.close();
            throw e;
        }
        // Said on the command's output, not through logging: the logging system's own shutdown hook may already have closed its handlers.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            switch (onStop.get()) {
                case HAND_OVER -> say(out, who, "stopping without closing the connections: " + (config.mode() == FtConfig.Mode.logger
                        ? "a recovery from the logger (a standby, or a restart here) carries them on" : "the other replica carries them on")
                        + " (replication.on-stop = hand-over)");
                case LEAVE -> {
                    say(out, who, "stopping (not serving: no connection of ours to close)");
                    closeQuietly(host);
                }
                case CLOSE -> {
                    say(out, who, "stopping: the application closes the connections (nobody could carry them on, or replication.on-stop = close)");
                    app.run();
                    closeQuietly(host);
                }
            }
        }, "fttcp-replica-shutdown"));
    }

    private static void say(PrintWriter out, String who, String what) {
        out.println("fttcp " + who + ": " + what);
        out.flush();
    }

    private static void closeQuietly(AutoCloseable host) {
        try {
            host.close();
        } catch (Exception ignored) {
            // stopping anyway
        }
    }
}
