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

    private final Topology topology;
    private final Host loggerHost;
    private final Path configFile;
    private final Path logDirectory;
    private final String[] loggerOptions;
    private final List<WatchedProcess> processes = new ArrayList<>();
    private WatchedProcess logger;
    private WatchedProcess primary;

    private LoggedService(Topology topology, Host loggerHost, Path configFile, Path logDirectory, String[] loggerOptions) {
        this.topology = topology;
        this.loggerHost = loggerHost;
        this.configFile = configFile;
        this.logDirectory = logDirectory;
        this.loggerOptions = loggerOptions;
    }

    /**
     * Writes the configuration ({@code app} = http or echo, more {@code key = value} lines in
     * {@code extraConfig}), starts the logger (with {@code loggerOptions}, e.g. --fsync always),
     * then the primary, and waits until the logger took the primary's records.
     */
    public static LoggedService start(Topology topology, Host loggerHost, Host primaryHost, String app, List<String> loggerOptions,
                                      String... extraConfig) throws InterruptedException {
        Path config;
        Path logs;
        try {
            config = Files.createTempFile("fttcp-logged-", ".conf");
            logs = Files.createTempDirectory("fttcp-logs-");
            List<String> lines = new ArrayList<>(List.of(
                    "service.address = " + Topology.SERVICE_ADDRESS,
                    "service.ports = " + ("echo".equals(app) ? "7" : "80"),
                    "service.mac = " + Topology.SERVICE_MAC,
                    "link.tap = " + primaryHost.tapDevice(),
                    "replication.mode = logger",
                    "logger.address = " + loggerHost.kernelAddress(),
                    "logger.port = " + LOGGER_PORT,
                    "app = " + app));
            lines.addAll(List.of(extraConfig));
            Files.write(config, lines);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the service's configuration", e);
        }
        LoggedService service = new LoggedService(topology, loggerHost, config, logs, loggerOptions.toArray(String[]::new));
        try {
            service.startLogger();
            service.startPrimary(primaryHost);
        } catch (RuntimeException | InterruptedException e) {
            service.close();
            throw e;
        }
        return service;
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
        primary = watch(WatchedProcess.start(topology, host, "fttcp primary",
                Topology.javaCommand("io.fttcp.cli.Main", "primary", "--config", configFile.toString())));
        primary.awaitLine(l -> l.contains(LOGGER_JOINED), "that the logger took its records", START_TIMEOUT);
        return primary;
    }

    /** Starts {@code fttcp standby} on {@code host}; it waits at the logger until the primary is lost. */
    public WatchedProcess startStandby(Host host) throws InterruptedException {
        WatchedProcess standby = watch(WatchedProcess.start(topology, host, "fttcp standby",
                Topology.javaCommand("io.fttcp.cli.Main", "standby", "--config", configFile.toString())));
        standby.awaitLine(l -> l.startsWith("fttcp standby: "), "that it waits for the logger", START_TIMEOUT);
        return standby;
    }

    private WatchedProcess watch(WatchedProcess p) {
        processes.add(p);
        return p;
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
            Files.deleteIfExists(configFile);
            try (Stream<Path> files = Files.walk(logDirectory)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
            }
        } catch (IOException ignored) {
            // temporary files
        }
    }
}
