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
 * @param maxCatchUpFill the most LSNs a catch-up may leave without a record, which the logger fills with
 *                  empty heartbeats to keep its log's LSNs running on (see {@link #DEFAULT_MAX_CATCH_UP_FILL}); a
 *                  catch-up that needs more is refused, the numbers named
 */
public record LoggerConfig(Path directory, InetSocketAddress listen, LogConfig log, ChannelConfig channel, RetentionPolicy retention,
                           long recoveryGrantNanos, int lingeringConnections, long lingeringPayloadBytes, long maxCatchUpFill) {
    public static final Duration DEFAULT_RECOVERY_GRANT = Duration.ofSeconds(10);
    /**
     * 2^25 LSNs: 1 GiB of 32-byte heartbeats, written at about 20 million a second (measured) on
     * the channel's reader thread with the cluster's lock held, about 1.7 s. An honest catch-up
     * leaves unrecorded what retention dropped since its oldest record (finished connections,
     * superseded heartbeats): little for most services, but a connection kept open (a pool, a
     * websocket) while millions of LSNs of others came and went leaves that many, and a catch-up
     * that needs more than the bound is refused until that connection ends (the primary serves on
     * unprotected, redialling). Single gaps of about ten million already filled before the
     * failure detector took the busy reader for a silent primary, so the bound refuses little
     * that could have worked, and keeps a catch-up announcing an end far past its records (a
     * peer's bug: an LSN of 2^40) from filling the disk. The real remedy is a gap record in the
     * log's format (not built).
     */
    public static final long DEFAULT_MAX_CATCH_UP_FILL = 1L << 25;

    public LoggerConfig {
        java.util.Objects.requireNonNull(retention, "retention");
        if (recoveryGrantNanos <= 0) throw new IllegalArgumentException("recovery grant must be positive: " + recoveryGrantNanos + " ns");
        if (lingeringConnections < 0 || lingeringPayloadBytes < 0) {
            throw new IllegalArgumentException("lingering bounds must not be negative: " + lingeringConnections + " connections, " + lingeringPayloadBytes + " bytes");
        }
        if (maxCatchUpFill < 0) throw new IllegalArgumentException("the catch-up fill must not be negative: " + maxCatchUpFill + " LSNs");
    }

    /** With the default recovery grant, lingering and catch-up fill. */
    public LoggerConfig(Path directory, InetSocketAddress listen, LogConfig log, ChannelConfig channel, RetentionPolicy retention) {
        this(directory, listen, log, channel, retention, DEFAULT_RECOVERY_GRANT.toNanos(),
                LiveRecordSet.DEFAULT_MAX_LINGERING, LiveRecordSet.DEFAULT_MAX_LINGERING_PAYLOAD_BYTES, DEFAULT_MAX_CATCH_UP_FILL);
    }

    public LoggerConfig withRecoveryGrant(Duration grant) {
        return new LoggerConfig(directory, listen, log, channel, retention, grant.toNanos(), lingeringConnections, lingeringPayloadBytes, maxCatchUpFill);
    }

    public LoggerConfig withLingering(int connections, long payloadBytes) {
        return new LoggerConfig(directory, listen, log, channel, retention, recoveryGrantNanos, connections, payloadBytes, maxCatchUpFill);
    }

    public LoggerConfig withMaxCatchUpFill(long lsns) {
        return new LoggerConfig(directory, listen, log, channel, retention, recoveryGrantNanos, lingeringConnections, lingeringPayloadBytes, lsns);
    }
}
