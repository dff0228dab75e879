package io.fttcp.testbed;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A protected service on a {@link Topology} with two servers: {@code fttcp primary} on the first,
 * {@code fttcp backup} on the second, sharing one configuration file (service address
 * {@link Topology#SERVICE_ADDRESS}, replication on the primary's own address). The class path of
 * this JVM must hold the command line ({@code io.fttcp.cli.Main}).
 */
public final class ReplicaPair implements AutoCloseable {
    /** What the primary prints once its backup's handshake is done. */
    public static final String BACKUP_JOINED = "backup joined";
    /** What the backup prints once it serves. */
    public static final String TOOK_OVER = "TOOK OVER";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    /** The replication channel's default warm-up plus a margin. */
    public static final Duration WARMUP = Duration.ofMillis(2_200);

    private final Topology topology;
    private final Host primaryHost;
    private final Host backupHost;
    /** Backups started later ({@link #startBackup}), closed with the pair. */
    private final List<WatchedProcess> later = new ArrayList<>();
    /** The configuration's lines; {@code HOST} in them becomes each replica's own address (see {@link #configFor}). */
    private final List<String> configLines;
    /** Every replica's configuration file, deleted at {@link #close}. */
    private final List<Path> configFiles;
    /** The replicas' command options (see {@link #startJoined(Topology, Host, Host, String, List, String...)}), for later backups too. */
    private final List<String> options;
    private final WatchedProcess primary;
    private final WatchedProcess backup;

    /** When the backup was seen replaying (System.nanoTime). */
    private final long joinedAt;

    private ReplicaPair(Topology topology, Host primaryHost, Host backupHost, List<String> configLines, List<Path> configFiles,
                        List<String> options, WatchedProcess primary, WatchedProcess backup) {
        this.options = List.copyOf(options);
        this.joinedAt = System.nanoTime();
        this.topology = topology;
        this.primaryHost = primaryHost;
        this.backupHost = backupHost;
        this.configLines = configLines;
        this.configFiles = configFiles;
        this.primary = primary;
        this.backup = backup;
    }

    /**
     * Writes the configuration ({@code app} = http or echo, more {@code key = value} lines in
     * {@code extraConfig}; {@code HOST} in them becomes each replica's own address), starts the primary, then the backup, and waits until the backup has joined.
     */
    public static ReplicaPair start(Topology topology, Host primaryHost, Host backupHost, String app, String... extraConfig)
            throws InterruptedException {
        return start(topology, primaryHost, backupHost, app, List.of(), extraConfig);
    }

    /** As {@link #start(Topology, Host, Host, String, String...)}, each replica's command also given {@code options} (see {@link #startJoined(Topology, Host, Host, String, List, String...)}). */
    public static ReplicaPair start(Topology topology, Host primaryHost, Host backupHost, String app, List<String> options, String... extraConfig)
            throws InterruptedException {
        ReplicaPair pair = startJoined(topology, primaryHost, backupHost, app, options, extraConfig);
        try {
            pair.awaitDetectorWarm();
        } catch (InterruptedException e) {
            pair.close();
            throw e;
        }
        return pair;
    }

    /**
     * As {@link #start}, but returns as soon as the backup has joined: the caller does its own work
     * (a benchmark seasons the pair) and calls {@link #awaitDetectorWarm} before injecting a failure.
     */
    public static ReplicaPair startJoined(Topology topology, Host primaryHost, Host backupHost, String app, String... extraConfig)
            throws InterruptedException {
        return startJoined(topology, primaryHost, backupHost, app, List.of(), extraConfig);
    }

    /**
     * As {@link #startJoined(Topology, Host, Host, String, String...)}, each replica's command
     * also given {@code options} (a {@code HOST} in them becomes that replica's own address).
     */
    public static ReplicaPair startJoined(Topology topology, Host primaryHost, Host backupHost, String app, List<String> options,
                                          String... extraConfig) throws InterruptedException {
        List<String> lines = new ArrayList<>(List.of(
                "service.address = " + Topology.SERVICE_ADDRESS,
                "service.ports = " + ("echo".equals(app) ? "7" : "80"),
                "service.mac = " + Topology.SERVICE_MAC,
                "link.tap = " + primaryHost.tapDevice(),
                "replication.primary = " + primaryHost.kernelAddress(),
                "app = " + app));
        lines.addAll(List.of(extraConfig));
        List<Path> files = new ArrayList<>();
        WatchedProcess primary = WatchedProcess.start(topology, primaryHost, "fttcp primary",
                Topology.javaCommand("io.fttcp.cli.Main", command("primary", configFor(lines, primaryHost, files), primaryHost, options)));
        WatchedProcess backup = null;
        try {
            primary.awaitLine(l -> l.startsWith("fttcp primary: "), "that it serves", START_TIMEOUT);
            backup = WatchedProcess.start(topology, backupHost, "fttcp backup",
                    Topology.javaCommand("io.fttcp.cli.Main", command("backup", configFor(lines, backupHost, files), backupHost, options)));
            primary.awaitLine(l -> l.contains(BACKUP_JOINED), "that the backup joined", START_TIMEOUT);
            backup.awaitLine(l -> l.startsWith("fttcp backup: "), "that it replays", START_TIMEOUT);
        } catch (RuntimeException | InterruptedException e) {
            primary.close();
            if (backup != null) backup.close();
            deleteAll(files);
            throw e;
        }
        return new ReplicaPair(topology, primaryHost, backupHost, lines, files, options, primary, backup);
    }

    /**
     * Writes {@code host}'s configuration file: {@code lines} with {@code HOST} replaced by its own
     * address (so that a test can give the replicas different settings, as separate hosts have).
     */
    private static Path configFor(List<String> lines, Host host, List<Path> files) {
        try {
            Path config = Files.createTempFile("fttcp-", ".conf");
            files.add(config);
            Files.write(config, lines.stream().map(l -> l.replace("HOST", host.kernelAddress())).toList());
            return config;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the replicas' configuration", e);
        }
    }

    private static void deleteAll(List<Path> files) {
        for (Path f : files) {
            try {
                Files.deleteIfExists(f);
            } catch (IOException ignored) {
                // a temporary file
            }
        }
    }

    private static String[] command(String role, Path config, Host host, List<String> options) {
        List<String> args = new ArrayList<>(List.of(role, "--config", config.toString()));
        for (String o : options) args.add(o.replace("HOST", host.kernelAddress()));
        return args.toArray(String[]::new);
    }

    /**
     * Waits until the failure detector's warm-up (replication.warmup, 2 s from the backup's
     * joining) is over, so that a failure injected now is detected with the configured timeout.
     */
    public void awaitDetectorWarm() throws InterruptedException {
        long left = joinedAt + WARMUP.toNanos() - System.nanoTime();
        if (left > 0) {
            Thread.sleep(left / 1_000_000 + 1);
        }
    }

    public WatchedProcess primary() {
        return primary;
    }

    public WatchedProcess backup() {
        return backup;
    }

    public Host primaryHost() {
        return primaryHost;
    }

    public Host backupHost() {
        return backupHost;
    }

    /**
     * Starts another {@code fttcp backup} on {@code host} with the pair's configuration (after a
     * takeover: a backup for the new primary, re-protection) and waits until it replays.
     */
    public WatchedProcess startBackup(Host host) throws InterruptedException {
        WatchedProcess next = WatchedProcess.start(topology, host, "fttcp backup (again)",
                Topology.javaCommand("io.fttcp.cli.Main", command("backup", configFor(configLines, host, configFiles), host, options)));
        later.add(next);
        next.awaitLine(l -> l.startsWith("fttcp backup: "), "that it replays", START_TIMEOUT);
        return next;
    }

    /** Backups started by {@link #startBackup}, oldest first. */
    public List<WatchedProcess> laterBackups() {
        return List.copyOf(later);
    }

    /** Waits for the backup to say it took over; returns that line (it carries the takeover's report). */
    public String awaitTakeover(Duration timeout) throws InterruptedException {
        return backup.awaitLine(l -> l.contains(TOOK_OVER), "that it took over", timeout);
    }

    /**
     * Stops the processes newest first: a replica not serving leaves at once, so the one serving is
     * stopped last and closes its connections (stopped first, a protected primary would hand them
     * to its backup, which would take over only to be stopped in turn).
     */
    @Override
    public void close() {
        for (int i = later.size() - 1; i >= 0; i--) later.get(i).close();
        backup.close();
        primary.close();
        deleteAll(configFiles);
    }
}
