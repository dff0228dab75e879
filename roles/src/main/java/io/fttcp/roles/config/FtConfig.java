package io.fttcp.roles.config;

import io.fttcp.replication.retention.RetentionPolicy;
import io.fttcp.link.ethernet.MacAddress;
import io.fttcp.replication.channel.ChannelConfig;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A protected service, as both its primary and its backup run it.
 *
 * @param serviceAddress     the address clients connect to (IPv4 as int), owned by whichever replica is primary
 * @param servicePorts       protected TCP ports of that address
 * @param serviceMac         the MAC that answers for the service address (VRRP-style virtual MAC by default)
 * @param prefixLength       subnet prefix of the service address
 * @param tapDevice          the TAP device the user-space stack runs on
 * @param offloads           use the TAP's checksum and segmentation offloads
 * @param primaryAddress     the primary host's own (kernel) address: replication listens there
 * @param replicationPort    TCP port of the replication channel (backup mode: the primary listens there); logger
 *                           mode: the primary's liveness port (see {@code LivenessPort})
 * @param channel            replication identity and timings (heartbeat, detection timeout, lease)
 * @param awaitBackup        how long a starting primary holds clients waiting for its first backup before it
 *                           serves unprotected (0: serve unprotected at once unless a backup is already there)
 * @param app                the application both replicas run
 * @param appRoot            HTTP: directory served, or null
 * @param appUploadDir       HTTP: where uploads are stored, or null (hashed and discarded)
 * @param outputHashing      log a hash of every write so the backup detects divergence
 * @param mode               where the primary's records go: a hot backup, or a logger
 * @param backupAddress      backup mode: the second replica host's own address (0: not configured); the
 *                           replicas swap roles after a takeover, so each listens on its own address
 * @param loggerAddress      logger mode: the logger's address (0 in backup mode)
 * @param loggerPort         logger mode: the logger's port
 * @param onLoggerLoss       logger mode: what the primary does while its logger is unreachable
 * @param retention          which records a primary keeps for catching up a new backup or a recovering server
 * @param retentionLimitBytes above this many client bytes in the kept records a primary gives them up (memory,
 *                           and the collector's pauses): no new backup can join it until the connections
 *                           live then have finished (under {@code everything}, never again)
 * @param maxLagBytes        a backup or a standby stops acknowledging while its application is this many client
 *                           bytes behind what it holds (the primary, or the logger's fetch, then waits): bounds
 *                           its heap and the drain at takeover
 * @param onStop             what a primary asked to stop (SIGTERM) does with its connections: leave them to the
 *                           backup, or to a recovery from the logger (hand-over), or close them
 */
public record FtConfig(int serviceAddress, List<Integer> servicePorts, MacAddress serviceMac, int prefixLength,
                       String tapDevice, boolean offloads, int primaryAddress, int replicationPort,
                       ChannelConfig channel, Duration awaitBackup, App app, Path appRoot, Path appUploadDir, boolean outputHashing,
                       Mode mode, int backupAddress, int loggerAddress, int loggerPort, LoggerLoss onLoggerLoss,
                       Retention retention, long retentionLimitBytes, long maxLagBytes, OnStop onStop) {
    /** 32 MiB: a fresh pair's first upload lagged at most 5 MiB; a standby's fetch of a large log, unbounded, up to the whole log. */
    public static final long DEFAULT_MAX_LAG_BYTES = 32L << 20;
    /** 64 MiB: a new backup can catch up on any service whose live connections hold less input than that. */
    public static final long DEFAULT_RETENTION_LIMIT_BYTES = 64L << 20;

    public enum App {
        http, echo, chat, kv;

        /** Whether the application's state spans connections (it takes checkpoints): replaying only the live connections' records would not rebuild it. */
        public boolean spansConnections() {
            return this == chat || this == kv;
        }
    }

    /** Primary/backup (DESIGN.md §3–4) or message logging (§5). */
    public enum Mode { backup, logger }

    /** Stall: hold new input and output until the logger is back (keeps the promise). Continue: serve unprotected. */
    public enum LoggerLoss { stall, continue_unprotected }

    /**
     * {@code replication.on-stop}. Hand-over: a primary asked to stop leaves its connections to the
     * process that can carry them on (its backup takes over; in logger mode a standby or this host's
     * restart recovers them), as if it had crashed. Close: its application closes them (the service
     * stops for its clients). A primary that nobody protects closes them either way.
     */
    public enum OnStop { hand_over, close }

    /** {@code replication.retention}: which records a catch-up or a recovery gets. */
    public enum Retention {
        connections, everything, checkpointed;

        public RetentionPolicy policy() {
            return switch (this) {
                case connections -> RetentionPolicy.CONNECTION_SCOPED;
                case everything -> RetentionPolicy.EVERYTHING;
                case checkpointed -> RetentionPolicy.CHECKPOINTED;
            };
        }
    }

    public FtConfig {
        servicePorts = List.copyOf(servicePorts);
    }
}
