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
     * 2^21 LSNs: 64 MiB of 32-byte heartbeats, one default segment. They are written on the
     * channel's reader thread, the cluster's lock held, at about 20 million a second (measured):
     * 0.1 s, within the failure detector's 150 ms, past which the logger dropped the primary as
     * silent anyway (and it redialled, and the fill began again). An honest catch-up leaves
     * unrecorded only what retention dropped since its oldest record (finished connections,
     * superseded heartbeats): little for most services, but a connection left open while
     * millions of LSNs of others came and went needs more, and is refused until it ends (or the
     * bound and the detection timeout are raised). A catch-up announcing an end far past its
     * records (a peer's bug: an LSN of 2^40) no longer makes the logger write terabytes.
     */
    public static final long DEFAULT_MAX_CATCH_UP_FILL = 1L << 21;

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
