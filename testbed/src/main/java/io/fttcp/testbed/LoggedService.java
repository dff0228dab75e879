package io.fttcp.testbed;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A service protected by message logging on a {@link Topology}: {@code fttcp logger} on one
 * server (its kernel's TCP; its log in a temporary directory), {@code fttcp primary} with
 * {@code replication.mode = logger} on another, and on demand a restarted primary or a
 * {@code fttcp standby}, all sharing one configuration file. The class path of this JVM must
 * hold the command line ({@code io.fttcp.cli.Main}).
 */
public final class LoggedService implements AutoCloseable {
    /** What a primary's log says once the logger has taken its channel. */
    public static final String LOGGER_JOINED = "logger joined";
    /** What a recovering server prints once it serves. */
    public static final String TOOK_OVER = "TOOK OVER";
    public static final int LOGGER_PORT = 7500;
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

    /**
     * Who a service is on the network and at the logger: its address and virtual MAC, and its
     * cluster id (one log per cluster, so one logger can serve several primaries at once).
     */
    public record Identity(String address, String mac, String cluster) {
        /** The topology's service address and MAC, cluster "fttcp" (the configuration's default). */
        public static final Identity DEFAULT = new Identity(Topology.SERVICE_ADDRESS, Topology.SERVICE_MAC, "fttcp");
    }

    private final Topology topology;
    private final Host loggerHost;
    private final Path configFile;
    private final Path logDirectory;
    private final String[] loggerOptions;
    /** False for a service that shares another's logger ({@link #another}): that one starts and stops it. */
    private final boolean ownsLogger;
    private final String cluster;
    private final List<WatchedProcess> processes = new ArrayList<>();
    private WatchedProcess logger;
    private WatchedProcess primary;

    private LoggedService(Topology topology, Host loggerHost, Path configFile, Path logDirectory, String[] loggerOptions, boolean ownsLogger,
                          String cluster) {
        this.cluster = cluster;
        this.topology = topology;
        this.loggerHost = loggerHost;
        this.configFile = configFile;
        this.logDirectory = logDirectory;
        this.loggerOptions = loggerOptions;
        this.ownsLogger = ownsLogger;
    }

    /**
     * Writes the configuration ({@code app} = http or echo, more {@code key = value} lines in
     * {@code extraConfig}), starts the logger (with {@code loggerOptions}, e.g. --fsync always),
     * then the primary, and waits until the logger took the primary's records.
     */
    public static LoggedService start(Topology topology, Host loggerHost, Host primaryHost, String app, List<String> loggerOptions,
                                      String... extraConfig) throws InterruptedException {
        return start(topology, loggerHost, primaryHost, app, loggerOptions, Identity.DEFAULT, extraConfig);
    }

    /** As {@link #start(Topology, Host, Host, String, List, String...)}, the service being {@code identity}. */
    public static LoggedService start(Topology topology, Host loggerHost, Host primaryHost, String app, List<String> loggerOptions,
                                      Identity identity, String... extraConfig) throws InterruptedException {
        Path config = writeConfig(loggerHost, primaryHost, app, identity, extraConfig);
        Path logs;
        try {
            logs = Files.createTempDirectory("fttcp-logs-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the logger's directory", e);
        }
        LoggedService service = new LoggedService(topology, loggerHost, config, logs, loggerOptions.toArray(String[]::new), true, identity.cluster());
        try {
            service.startLogger();
            service.startPrimary(primaryHost);
        } catch (RuntimeException | InterruptedException e) {
            service.close();
            throw e;
        }
        return service;
    }

    /**
     * A logger alone (with {@code loggerOptions}), waited for until it listens: services join it
     * with {@link #another}. Closing it stops the logger and deletes its log.
     */
    public static LoggedService loggerAlone(Topology topology, Host loggerHost, List<String> loggerOptions) throws InterruptedException {
        Path logs;
        try {
            logs = Files.createTempDirectory("fttcp-logs-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the logger's directory", e);
        }
        LoggedService service = new LoggedService(topology, loggerHost, null, logs, loggerOptions.toArray(String[]::new), true, null);
        try {
            service.startLogger();
        } catch (RuntimeException | InterruptedException e) {
            service.close();
            throw e;
        }
        return service;
    }

    /**
     * Another service, {@code identity} (its own address, MAC and cluster), whose primary on
     * {@code primaryHost} logs to this service's logger; started and waited for as {@link #start}
     * does. Closing it leaves the logger running.
     */
    public LoggedService another(Host primaryHost, String app, Identity identity, String... extraConfig) throws InterruptedException {
        LoggedService service = new LoggedService(topology, loggerHost, writeConfig(loggerHost, primaryHost, app, identity, extraConfig),
                logDirectory, loggerOptions, false, identity.cluster());
        service.logger = logger;
        try {
            service.startPrimary(primaryHost);
        } catch (RuntimeException | InterruptedException e) {
            service.close();
            throw e;
        }
        return service;
    }

    private static Path writeConfig(Host loggerHost, Host primaryHost, String app, Identity identity, String... extraConfig) {
        try {
            Path config = Files.createTempFile("fttcp-logged-", ".conf");
            List<String> lines = new ArrayList<>(List.of(
                    "service.address = " + identity.address(),
                    "service.ports = " + ("echo".equals(app) ? "7" : "80"),
                    "service.mac = " + identity.mac(),
                    "link.tap = " + primaryHost.tapDevice(),
                    "replication.mode = logger",
                    "replication.cluster = " + identity.cluster(),
                    "logger.address = " + loggerHost.kernelAddress(),
                    "logger.port = " + LOGGER_PORT,
                    "app = " + app));
            lines.addAll(List.of(extraConfig));
            Files.write(config, lines);
            return config;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the service's configuration", e);
        }
    }

    /** Starts the logger (again, on its log directory) and waits until it listens. */
    public WatchedProcess startLogger() throws InterruptedException {
        List<String> args = new ArrayList<>(List.of("logger", "--dir", logDirectory.toString(),
                "--listen", loggerHost.kernelAddress() + ":" + LOGGER_PORT));
        args.addAll(List.of(loggerOptions));
        logger = watch(WatchedProcess.start(topology, loggerHost, "fttcp logger",
                Topology.javaCommand("io.fttcp.cli.Main", args.toArray(String[]::new))));
        logger.awaitLine(l -> l.startsWith("fttcp logger: listening"), "that it listens", START_TIMEOUT);
        return logger;
    }

    /**
     * Starts {@code fttcp primary} on {@code host} (a first start, or a restart in place: it
     * recovers whatever the logger holds) and waits until it serves with the logger protecting it.
     */
    public WatchedProcess startPrimary(Host host) throws InterruptedException {
        requireConfig();
        primary = watch(WatchedProcess.start(topology, host, "fttcp primary",
                Topology.javaCommand("io.fttcp.cli.Main", "primary", "--config", configFile.toString())));
        primary.awaitLine(l -> l.contains(LOGGER_JOINED), "that the logger took its records", START_TIMEOUT);
        return primary;
    }

    /** Starts {@code fttcp standby} on {@code host}; it waits at the logger until the primary is lost. */
    public WatchedProcess startStandby(Host host) throws InterruptedException {
        requireConfig();
        WatchedProcess standby = watch(WatchedProcess.start(topology, host, "fttcp standby",
                Topology.javaCommand("io.fttcp.cli.Main", "standby", "--config", configFile.toString())));
        standby.awaitLine(l -> l.startsWith("fttcp standby: "), "that it waits for the logger", START_TIMEOUT);
        return standby;
    }

    private void requireConfig() {
        if (configFile == null) {
            throw new IllegalStateException("a logger alone has no service: start one with another(...)");
        }
    }

    private WatchedProcess watch(WatchedProcess p) {
        processes.add(p);
        return p;
    }

    /** The service's cluster id at the logger (null for a logger alone). */
    public String cluster() {
        return cluster;
    }

    /** The logger process started last. */
    public WatchedProcess logger() {
        return logger;
    }

    /** The primary process started last (by {@link #startPrimary}). */
    public WatchedProcess primary() {
        return primary;
    }

    /** Every process this service started, oldest first (for diagnostics). */
    public List<WatchedProcess> processes() {
        return List.copyOf(processes);
    }

    @Override
    public void close() {
        for (WatchedProcess p : processes) p.close();
        try {
            if (configFile != null) Files.deleteIfExists(configFile);
            if (!ownsLogger) return;
            try (Stream<Path> files = Files.walk(logDirectory)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            }
        } catch (IOException ignored) {
            // temporary files
        }
    }
}
