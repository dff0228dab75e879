package io.fttcp.replication.channel;

import io.fttcp.replication.codec.FrameEncoder;
import io.fttcp.replication.codec.FrameFormat;
import io.fttcp.replication.codec.Handshake;
import io.fttcp.replication.codec.PeerText;
import io.fttcp.replication.stream.RecordStream;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings both ends of a replication connection must agree on (the handshake checks the
 * cluster id; the timings are each side's own but should match).
 *
 * @param clusterId              the protected service's identity, the same on primary and backup
 * @param heartbeatIntervalNanos each side sends a heartbeat this often (default 20 ms)
 * @param detectionTimeoutNanos  silence after which the peer is suspect (default 150 ms; see {@link FailureDetector})
 * @param leaseNanos             the primary's lease duration (default 100 ms; see {@link Lease})
 * @param leaseMarginNanos       required gap between lease and detection timeout (default 50 ms)
 * @param maxBodyLength          largest frame body accepted and sent
 * @param maxBatchBytes          the primary writes records in batches up to this size
 * @param maxBatchRecords        ... or this many records
 * @param handshakeTimeoutNanos  a connection whose handshake has not completed by then is closed
 *                               (default 2 s: a fresh JVM on a busy host can take far longer than
 *                               the detection timeout to answer its first frame)
 * @param maxInFlightBytes       the primary stops writing while this many bytes are unacknowledged
 *                               (default 1 MiB: many times a LAN's bandwidth-delay product, yet a
 *                               heartbeat never queues behind more than about a millisecond of data;
 *                               a logger acknowledges in group commits, so it needs {@link
 *                               #DEFAULT_LOGGER_IN_FLIGHT_BYTES})
 * @param warmupNanos            how long after the channel opens the failure detector uses its longer
 *                               warm-up timeout (default 2 s; see {@link FailureDetector})
 * @param livenessPort           a primary dialing a logger: the port where its process answers while
 *                               it lives (see {@link Handshake#livenessPort()}); 0 (the default): none
 * @param unprotectedAfterMillis a primary dialing a logger: how soon after losing it the primary may
 *                               serve on without it (see {@link Handshake#unprotectedAfterMillis()});
 *                               0 (the default): never
 */
public record ChannelConfig(String clusterId, long heartbeatIntervalNanos, long detectionTimeoutNanos, long leaseNanos,
                            long leaseMarginNanos, int maxBodyLength, int maxBatchBytes, int maxBatchRecords,
                            long handshakeTimeoutNanos, int maxInFlightBytes, long warmupNanos, int livenessPort,
                            int unprotectedAfterMillis) {
    public static final Duration DEFAULT_HEARTBEAT_INTERVAL = Duration.ofMillis(20);
    public static final Duration DEFAULT_DETECTION_TIMEOUT = Duration.ofMillis(150);
    public static final Duration DEFAULT_LEASE = Duration.ofMillis(100);
    public static final Duration DEFAULT_LEASE_MARGIN = Duration.ofMillis(50);
    public static final int DEFAULT_MAX_IN_FLIGHT_BYTES = 1 << 20;
    /**
     * A logger acknowledges a record only once its group commit is forced (the batch window, 2 ms,
     * plus the force), so about 4 ms of a 1 GB/s stream is unacknowledged at any time. With 1 MiB
     * the primary's sender idled waiting, and clients' uploads ran a third slower; 8 MiB measured
     * no better than 4 (more of the stream queued on two cores).
     */
    public static final int DEFAULT_LOGGER_IN_FLIGHT_BYTES = 4 << 20;
    public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(2);
    public static final Duration DEFAULT_WARMUP = Duration.ofNanos(FailureDetector.WARMUP_NANOS);

    public ChannelConfig {
        Objects.requireNonNull(clusterId, "clusterId");
        if (clusterId.isEmpty() || clusterId.getBytes(StandardCharsets.UTF_8).length > Handshake.MAX_CLUSTER_ID_BYTES) {
            throw new IllegalArgumentException("cluster id must be 1.." + Handshake.MAX_CLUSTER_ID_BYTES + " UTF-8 bytes: '"
                    + PeerText.printable(clusterId) + "'");
        }
        if (PeerText.hasControlCharacter(clusterId)) {
            throw new IllegalArgumentException("cluster id must have no control characters: '" + PeerText.printable(clusterId) + "'");
        }
        if (heartbeatIntervalNanos <= 0 || leaseMarginNanos < 0) {
            throw new IllegalArgumentException("heartbeat interval must be positive and lease margin not negative");
        }
        if (2 * heartbeatIntervalNanos > detectionTimeoutNanos) {
            throw new IllegalArgumentException("detection timeout (" + ms(detectionTimeoutNanos) + ") must be at least two heartbeat intervals ("
                    + ms(heartbeatIntervalNanos) + "), or one late heartbeat makes a live peer suspect");
        }
        if (leaseNanos + leaseMarginNanos > detectionTimeoutNanos) {
            throw new IllegalArgumentException("lease (" + ms(leaseNanos) + ") + margin (" + ms(leaseMarginNanos)
                    + ") must not exceed the detection timeout (" + ms(detectionTimeoutNanos)
                    + "): the backup could take over while the primary still emits");
        }
        if (leaseNanos < 2 * heartbeatIntervalNanos) {
            throw new IllegalArgumentException("lease (" + ms(leaseNanos) + ") must be at least two heartbeat intervals ("
                    + ms(heartbeatIntervalNanos) + "), or renewals cannot keep it valid");
        }
        if (warmupNanos < 0) {
            throw new IllegalArgumentException("warm-up must not be negative");
        }
        if (handshakeTimeoutNanos <= 0) {
            throw new IllegalArgumentException("handshake timeout must be positive");
        }
        if (livenessPort < 0 || livenessPort > 0xffff) {
            throw new IllegalArgumentException("liveness port must be 0..65535: " + livenessPort);
        }
        if (unprotectedAfterMillis < 0) {
            throw new IllegalArgumentException("unprotected-after must not be negative: " + unprotectedAfterMillis);
        }
        if (maxBodyLength < 64 * 1024 + 64 || maxBatchBytes < 1 || maxBatchRecords < 1 || maxInFlightBytes < 1) {
            throw new IllegalArgumentException("max body length must hold a 64 KiB segment; batch and in-flight limits must be positive");
        }
        if (maxBodyLength > FrameFormat.LARGEST_MAX_BODY_LENGTH || (long) maxBatchBytes + maxBodyLength + 64 > Integer.MAX_VALUE) {
            // A sender's buffer holds a batch and one frame more.
            throw new IllegalArgumentException("max body length (" + maxBodyLength + ", at most " + FrameFormat.LARGEST_MAX_BODY_LENGTH
                    + ") and max batch bytes (" + maxBatchBytes + ") together must fit one buffer (2 GiB)");
        }
    }

    public static ChannelConfig defaults(String clusterId) {
        return new ChannelConfig(clusterId, DEFAULT_HEARTBEAT_INTERVAL.toNanos(), DEFAULT_DETECTION_TIMEOUT.toNanos(),
                DEFAULT_LEASE.toNanos(), DEFAULT_LEASE_MARGIN.toNanos(), FrameFormat.DEFAULT_MAX_BODY_LENGTH,
                RecordStream.DEFAULT_MAX_BATCH_BYTES, RecordStream.DEFAULT_MAX_BATCH_RECORDS, DEFAULT_HANDSHAKE_TIMEOUT.toNanos(),
                DEFAULT_MAX_IN_FLIGHT_BYTES, DEFAULT_WARMUP.toNanos(), 0, 0);
    }

    /** These timings, with the lease and margin as given (checked against the rule). */
    public ChannelConfig withTimings(Duration heartbeatInterval, Duration detectionTimeout, Duration lease, Duration leaseMargin) {
        return new ChannelConfig(clusterId, heartbeatInterval.toNanos(), detectionTimeout.toNanos(), lease.toNanos(),
                leaseMargin.toNanos(), maxBodyLength, maxBatchBytes, maxBatchRecords, handshakeTimeoutNanos, maxInFlightBytes, warmupNanos, livenessPort, unprotectedAfterMillis);
    }

    public ChannelConfig withBatches(int maxBatchBytes, int maxBatchRecords, int maxInFlightBytes) {
        return new ChannelConfig(clusterId, heartbeatIntervalNanos, detectionTimeoutNanos, leaseNanos, leaseMarginNanos,
                maxBodyLength, maxBatchBytes, maxBatchRecords, handshakeTimeoutNanos, maxInFlightBytes, warmupNanos, livenessPort, unprotectedAfterMillis);
    }

    /** These settings with another limit on unacknowledged bytes. */
    public ChannelConfig withMaxInFlightBytes(int bytes) {
        return new ChannelConfig(clusterId, heartbeatIntervalNanos, detectionTimeoutNanos, leaseNanos, leaseMarginNanos,
                maxBodyLength, maxBatchBytes, maxBatchRecords, handshakeTimeoutNanos, bytes, warmupNanos, livenessPort, unprotectedAfterMillis);
    }

    /** These settings with another warm-up (see {@link FailureDetector}; zero: none). */
    public ChannelConfig withWarmup(Duration warmup) {
        return new ChannelConfig(clusterId, heartbeatIntervalNanos, detectionTimeoutNanos, leaseNanos, leaseMarginNanos,
                maxBodyLength, maxBatchBytes, maxBatchRecords, handshakeTimeoutNanos, maxInFlightBytes, warmup.toNanos(), livenessPort, unprotectedAfterMillis);
    }

    /** These settings with another handshake timeout (a connection whose handshake is not done by then is closed). */
    public ChannelConfig withHandshakeTimeout(Duration timeout) {
        return new ChannelConfig(clusterId, heartbeatIntervalNanos, detectionTimeoutNanos, leaseNanos, leaseMarginNanos,
                maxBodyLength, maxBatchBytes, maxBatchRecords, timeout.toNanos(), maxInFlightBytes, warmupNanos, livenessPort, unprotectedAfterMillis);
    }

    /** These settings, a primary offering {@code port} as its liveness port (0: none). */
    public ChannelConfig withLivenessPort(int port) {
        return new ChannelConfig(clusterId, heartbeatIntervalNanos, detectionTimeoutNanos, leaseNanos, leaseMarginNanos,
                maxBodyLength, maxBatchBytes, maxBatchRecords, handshakeTimeoutNanos, maxInFlightBytes, warmupNanos, port, unprotectedAfterMillis);
    }

    /** These settings, a primary that may serve on without its logger {@code millis} after losing it (0: never). */
    public ChannelConfig withUnprotectedAfterMillis(int millis) {
        return new ChannelConfig(clusterId, heartbeatIntervalNanos, detectionTimeoutNanos, leaseNanos, leaseMarginNanos,
                maxBodyLength, maxBatchBytes, maxBatchRecords, handshakeTimeoutNanos, maxInFlightBytes, warmupNanos, livenessPort, millis);
    }

    /** A record stream whose frames and batches fit this configuration. */
    public RecordStream newRecordStream() {
        return new RecordStream(new FrameEncoder(maxBodyLength), maxBatchBytes, maxBatchRecords);
    }

    private static String ms(long nanos) {
        return nanos / 1_000_000.0 + " ms";
    }
}
