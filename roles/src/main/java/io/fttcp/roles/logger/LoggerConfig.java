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
 * @param maxHandshakes  connections in their handshake at once (see {@link #DEFAULT_MAX_HANDSHAKES}); one more is
 *                  closed at once, counted and warned about
 * @param maxHandshakesPerHost  ... of them from one host (see {@link #DEFAULT_MAX_HANDSHAKES_PER_HOST})
 */
public record LoggerConfig(Path directory, InetSocketAddress listen, LogConfig log, ChannelConfig channel, RetentionPolicy retention,
                           long recoveryGrantNanos, int lingeringConnections, long lingeringPayloadBytes, long maxCatchUpFill,
                           int maxHandshakes, int maxHandshakesPerHost) {
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
    /**
     * Each connection takes two threads until its handshake is done or its deadline (2 s) closes
     * it, so connections that never say who they are (a port scan, a misconfigured client, an
     * attacker) would otherwise take threads until the process has none. Honest handshakes are
     * few and short: per cluster one dialling primary (answered in well under a millisecond on a
     * LAN) and a standby asking for its fetch every 1.5 s (waiting up to the deadline for the
     * answer). 64 lets 32 clusters' primaries and standbys all (re)connect at once, and holds 128
     * threads at most (128 MiB of stack reserved, little of it touched, and a 4 KiB buffer each).
     * Connected channels do not count.
     */
    public static final int DEFAULT_MAX_HANDSHAKES = 64;
    /**
     * A quarter of {@link #DEFAULT_MAX_HANDSHAKES}: one host flooding the port (a scan, a client
     * in a loop) leaves room for the others' primaries. A host's honest handshakes are its
     * clusters' primary and standby: 16 serves 8 clusters on one host reconnecting at once.
     */
    public static final int DEFAULT_MAX_HANDSHAKES_PER_HOST = 16;

    public LoggerConfig {
        java.util.Objects.requireNonNull(retention, "retention");
        if (recoveryGrantNanos <= 0) throw new IllegalArgumentException("recovery grant must be positive: " + recoveryGrantNanos + " ns");
        if (lingeringConnections < 0 || lingeringPayloadBytes < 0) {
            throw new IllegalArgumentException("lingering bounds must not be negative: " + lingeringConnections + " connections, " + lingeringPayloadBytes + " bytes");
        }
        if (maxCatchUpFill < 0) throw new IllegalArgumentException("the catch-up fill must not be negative: " + maxCatchUpFill + " LSNs");
        if (maxHandshakesPerHost < 1 || maxHandshakes < maxHandshakesPerHost) {
            throw new IllegalArgumentException("connections in their handshake: at least 1 per host and at least as many in all as per host: "
                    + maxHandshakes + " in all, " + maxHandshakesPerHost + " per host");
        }
    }

    /** With the default recovery grant, lingering and catch-up fill. */
    public LoggerConfig(Path directory, InetSocketAddress listen, LogConfig log, ChannelConfig channel, RetentionPolicy retention) {
        this(directory, listen, log, channel, retention, DEFAULT_RECOVERY_GRANT.toNanos(),
                LiveRecordSet.DEFAULT_MAX_LINGERING, LiveRecordSet.DEFAULT_MAX_LINGERING_PAYLOAD_BYTES, DEFAULT_MAX_CATCH_UP_FILL,
                DEFAULT_MAX_HANDSHAKES, DEFAULT_MAX_HANDSHAKES_PER_HOST);
    }

    public LoggerConfig withRecoveryGrant(Duration grant) {
        return new LoggerConfig(directory, listen, log, channel, retention, grant.toNanos(), lingeringConnections, lingeringPayloadBytes, maxCatchUpFill, maxHandshakes, maxHandshakesPerHost);
    }

    public LoggerConfig withLingering(int connections, long payloadBytes) {
        return new LoggerConfig(directory, listen, log, channel, retention, recoveryGrantNanos, connections, payloadBytes, maxCatchUpFill, maxHandshakes, maxHandshakesPerHost);
    }

    public LoggerConfig withMaxCatchUpFill(long lsns) {
        return new LoggerConfig(directory, listen, log, channel, retention, recoveryGrantNanos, lingeringConnections, lingeringPayloadBytes, lsns, maxHandshakes, maxHandshakesPerHost);
    }

    public LoggerConfig withMaxHandshakes(int total, int perHost) {
        return new LoggerConfig(directory, listen, log, channel, retention, recoveryGrantNanos, lingeringConnections, lingeringPayloadBytes,
                maxCatchUpFill, total, perHost);
    }
}
