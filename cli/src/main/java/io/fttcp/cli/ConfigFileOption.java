package io.fttcp.cli;

import io.fttcp.roles.config.FtConfig;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** The {@code --config} option every replica command takes (one fttcp.conf for all of a service's servers). */
final class ConfigFileOption {
    @Option(names = {"-c", "--config"}, defaultValue = "fttcp.conf", paramLabel = "FILE",
            description = "The service's configuration file, shared by all its servers (see fttcp.conf.example). Default: ${DEFAULT-VALUE}.")
    Path file;

    /** The configuration, or null after printing what is wrong with it (exit code 2). */
    FtConfig read(CommandSpec spec) {
        return ReplicaSetup.readConfig(spec, file);
    }
}
