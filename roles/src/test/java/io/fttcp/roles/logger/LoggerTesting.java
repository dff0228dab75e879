package io.fttcp.roles.logger;

import io.fttcp.replication.retention.RetentionPolicy;
import io.fttcp.replication.channel.BackupChannel;
import io.fttcp.replication.channel.ChannelConfig;
import io.fttcp.replication.channel.HandshakeException;
import io.fttcp.replication.channel.LoggerChannel;
import io.fttcp.replication.channel.LoggerSessions;
import io.fttcp.replication.codec.Handshake;
import io.fttcp.replication.channel.PrimaryChannel;
import io.fttcp.replication.log.FsyncPolicy;
import io.fttcp.replication.log.LogConfig;
import io.fttcp.replication.log.LogCursor;
import io.fttcp.replication.log.RecordLog;
import io.fttcp.replication.record.LoggedRecord;
import io.fttcp.replication.stream.RecordStream;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.fail;

/** What the logger tests share: loopback addresses, channel timings for a loaded machine, waiting, reading logs back. */
final class LoggerTesting {
    static final Duration CONNECT = Duration.ofSeconds(5);
    /** Default heartbeat; detection and lease three times the defaults (the machine is shared). */
    static final Duration HEARTBEAT = Duration.ofMillis(20);
    static final Duration DETECTION = Duration.ofMillis(450);
    static final Duration LEASE = Duration.ofMillis(300);
    static final Duration MARGIN = Duration.ofMillis(150);
    /** A fetch driven directly must be answered within this (nanoseconds): the default handshake timeout. */
    static final long ANSWER_WITHIN = ChannelConfig.DEFAULT_HANDSHAKE_TIMEOUT.toNanos();
    /** LogConfig's maximum body with small segments and buffers. */
    static final LogConfig LOG = LogConfig.defaults().withBatchBufferBytes(1 << 16);

    private LoggerTesting() {
    }

    /** Cluster "alpha"'s log in {@code dir}, with the test timings and the defaults otherwise. */
    static ClusterLog openClusterLog(Path dir) throws IOException {
        return ClusterLog.open("alpha", dir, LOG, RetentionPolicy.CONNECTION_SCOPED, LEASE.toNanos(),
                LoggerConfig.DEFAULT_RECOVERY_GRANT.toNanos(), io.fttcp.replication.retention.LiveRecordSet.DEFAULT_MAX_LINGERING,
                io.fttcp.replication.retention.LiveRecordSet.DEFAULT_MAX_LINGERING_PAYLOAD_BYTES, LoggerConfig.DEFAULT_MAX_CATCH_UP_FILL);
    }

    static ChannelConfig channel(String cluster) {
        return ChannelConfig.defaults(cluster).withWarmup(Duration.ZERO).withTimings(HEARTBEAT, DETECTION, LEASE, MARGIN);
    }

    static InetSocketAddress freeLoopbackPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return new InetSocketAddress(InetAddress.getLoopbackAddress(), s.getLocalPort());
        }
    }

    static LoggerConfig config(Path dir, InetSocketAddress listen, LogConfig log) {
        return new LoggerConfig(dir, listen, log, channel("logger"), RetentionPolicy.CONNECTION_SCOPED);
    }

    /**
     * A real logger-side channel accepted on {@code server}, whose peer (also returned in
     * {@code toClose}) says nothing: for a ClusterLog's claim of an open or closed channel. It has
     * no session, so listeners never hear onConnected. Both go into {@code toClose}.
     */
    static LoggerChannel silentChannel(ServerSocketChannel server, ClosedAfterEach toClose)
            throws IOException {
        SocketChannel peer = SocketChannel.open(server.getLocalAddress());
        toClose.add(peer);
        LoggerChannel c = LoggerChannel.open(server.accept(), channel("logger"),
                new LoggerSessions() {
                    @Override
                    public Join join(Handshake primary) throws HandshakeException {
                        throw new HandshakeException("not used");
                    }

                    @Override
                    public Fetch fetch(Handshake requester, long answerBy) throws HandshakeException {
                        throw new HandshakeException("not used");
                    }
                });
        toClose.add(c);
        return c;
    }

    static LogConfig log(FsyncPolicy policy) {
        return LOG.withFsyncPolicy(policy);
    }

    static PrimaryChannel dial(InetSocketAddress logger, String cluster, long epoch, RecordStream stream, Events events) throws IOException {
        return PrimaryChannel.connect(logger, null, CONNECT, channel(cluster), epoch, stream, null, events);
    }

    /** A recovering server's fetch: a backup channel holding nothing. */
    static BackupChannel fetch(InetSocketAddress logger, String cluster, long knownEpoch, Events events) throws IOException {
        return BackupChannel.connect(logger, null, CONNECT, channel(cluster), knownEpoch, 0, events);
    }

    static void await(String what, long millis, BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + millis * 1_000_000;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - end > 0) {
                fail("timed out after " + millis + " ms waiting for " + what);
            }
            Thread.sleep(1);
        }
    }

    /** Every record of a closed log, in LSN order. */
    static List<LoggedRecord> readAll(Path dir, LogConfig config) throws IOException {
        List<LoggedRecord> out = new ArrayList<>();
        try (RecordLog log = RecordLog.open(dir, config)) {
            if (log.isEmpty()) return out;
            try (LogCursor cursor = log.read(log.firstLsn())) {
                while (cursor.next()) out.add(new LoggedRecord(cursor.lsn(), cursor.record()));
            }
        }
        return out;
    }

    /** A fetch's records: those given at once, or all those its source reads (it is then drained and closed). */
    static List<LoggedRecord> records(LoggerSessions.Fetch fetch) {
        if (fetch.source() == null) return fetch.records();
        List<LoggedRecord> out = new ArrayList<>();
        try (io.fttcp.replication.stream.CatchUpSource source = fetch.source()) {
            for (LoggedRecord r; (r = source.next()) != null; ) out.add(r);
        }
        return out;
    }

    private static final Pattern DURABLE = Pattern.compile("(?:^|; )" + "(\\S+): records \\d+\\.\\.\\d+ durable (\\d+)");

    /** The durable LSN of {@code cluster} per the host's status line (-1 if it has no log). */
    static long durableLsn(LoggerHost host, String cluster) {
        Matcher m = DURABLE.matcher(host.status());
        while (m.find()) {
            if (m.group(1).equals(cluster)) return Long.parseLong(m.group(2));
        }
        return -1;
    }
}
