package io.fttcp.cli;

import io.fttcp.api.Network;
import io.fttcp.roles.config.ConfigException;
import io.fttcp.roles.config.ConfigFile;
import io.fttcp.roles.config.FtConfig;
import picocli.CommandLine.Model.CommandSpec;

import java.nio.file.Path;

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
     * Starts the configured application on {@code network}; when the JVM stops (SIGTERM, or the
     * command's end) the application stops first, then {@code host}. If the application cannot
     * start, the host is closed and the failure thrown.
     */
    static void runApplication(FtConfig config, Network network, AutoCloseable host, Runnable afterStop) throws Exception {
        Runnable app;
        try {
            app = ProtectedApp.start(config, network);
        } catch (Exception e) {
            host.close();
            throw e;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            app.run();
            try {
                host.close();
            } catch (Exception ignored) {
                // stopping anyway
            }
            afterStop.run();
        }, "fttcp-replica-shutdown"));
    }
}
