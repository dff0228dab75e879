package io.fttcp.roles.logger;

import io.fttcp.replication.retention.LiveRecordSet;
import io.fttcp.replication.retention.RetentionPolicy;
import io.fttcp.replication.channel.ChannelConfig;
import io.fttcp.replication.log.LogConfig;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;

/**
 * How a logger runs.
 *
 * @param directory where each cluster's log lives (a subdirectory per cluster id)
 * @param listen    where primaries and recovering servers connect
 * @param log       fsync policy, batch window, segment size
 * @param channel   heartbeat, detection timeout and lease of the channels (the cluster id of each
 *                  channel is its peer's)
 * @param retention which records fetches get: the live connections' (CONNECTION_SCOPED, the
 *                  default for file, web and streaming servers), every one (EVERYTHING), or those
 *                  since the latest checkpoint (CHECKPOINTED); as the primaries' {@code replication.retention}
 * @param recoveryGrantNanos how long a served recovery may take to join as the new primary before
 *                  another recovery of its cluster may be served (default 10 s)
 * @param lingeringConnections   finished connections whose records are kept for TIME-WAIT answers after a
 *                  recovery (see {@link io.fttcp.replication.retention.LiveRecordSet}; 0: dropped at once)
 * @param lingeringPayloadBytes  at most this many client bytes among them
 */
public record LoggerConfig(Path directory, InetSocketAddress listen, LogConfig log, ChannelConfig channel, RetentionPolicy retention,
                           long recoveryGrantNanos, int lingeringConnections, long lingeringPayloadBytes) {
    public static final Duration DEFAULT_RECOVERY_GRANT = Duration.ofSeconds(10);

    public LoggerConfig {
        java.util.Objects.requireNonNull(retention, "retention");
        if (recoveryGrantNanos <= 0) throw new IllegalArgumentException("recovery grant must be positive: " + recoveryGrantNanos + " ns");
        if (lingeringConnections < 0 || lingeringPayloadBytes < 0) {
            throw new IllegalArgumentException("lingering bounds must not be negative: " + lingeringConnections + " connections, " + lingeringPayloadBytes + " bytes");
        }
    }

    /** With the default recovery grant. */
    public LoggerConfig(Path directory, InetSocketAddress listen, LogConfig log, ChannelConfig channel, RetentionPolicy retention) {
        this(directory, listen, log, channel, retention, DEFAULT_RECOVERY_GRANT.toNanos(),
                LiveRecordSet.DEFAULT_MAX_LINGERING, LiveRecordSet.DEFAULT_MAX_LINGERING_PAYLOAD_BYTES);
    }

    public LoggerConfig withRecoveryGrant(Duration grant) {
        return new LoggerConfig(directory, listen, log, channel, retention, grant.toNanos(), lingeringConnections, lingeringPayloadBytes);
    }

    public LoggerConfig withLingering(int connections, long payloadBytes) {
        return new LoggerConfig(directory, listen, log, channel, retention, recoveryGrantNanos, connections, payloadBytes);
    }
}
