package io.fttcp.roles.logger;

import io.fttcp.replication.channel.HandshakeException;
import io.fttcp.replication.channel.LoggerChannel;
import io.fttcp.replication.channel.LoggerSessions;
import io.fttcp.replication.channel.RepeatedRefusals;
import io.fttcp.replication.codec.Handshake;
import io.fttcp.roles.metrics.Reading;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

import static java.lang.System.Logger.Level.ERROR;
import static java.lang.System.Logger.Level.INFO;
import static java.lang.System.Logger.Level.WARNING;

/**
 * The logger process: listens for primaries (records in) and recovering servers (records out),
 * one {@link ClusterLog} per cluster id under the configured directory. Logs that exist are
 * opened (recovered) at start, so damage is reported before anyone connects, and a log with
 * damage in the middle stops the logger with the file and offset. A log that fails while the
 * logger runs (an I/O error: a full disk at a segment roll, a failed force) stops it too
 * ({@link #failure()}): a start recovers it from disk, and a process that stayed up with a
 * cluster it can no longer serve would never be restarted by its supervisor.
 */
public final class LoggerHost implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("fttcp.logger");
    /** After an accept or a channel's start failed: out of descriptors or threads, trying again at once would only spin. */
    private static final long PAUSE_AFTER_FAILURE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /** A flood of connections refused warns once a minute (per host, and for the logger as a whole), with how many. */
    private static final long REFUSAL_WARNING_INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);

    private final LoggerConfig config;
    private final ServerSocketChannel server;
    private final Map<String, ClusterLog> clusters = new ConcurrentHashMap<>();
    /**
     * The channels accepted, with their peers' hosts (closed ones pruned at each accept): closing the
     * logger ends them, served fetches included; those not connected yet are the handshakes the
     * limits count.
     */
    private final Map<LoggerChannel, InetAddress> channels = new ConcurrentHashMap<>();
    private final Thread acceptor;
    /** Makes the channels' threads (platform threads; a test's that fail). */
    private final ThreadFactory channelThreads;
    private final RepeatedRefusals refusalWarnings = new RepeatedRefusals(REFUSAL_WARNING_INTERVAL_NANOS);
    private final AtomicLong refusedHandshakesFull = new AtomicLong();
    private final AtomicLong refusedHostHandshakesFull = new AtomicLong();
    private final AtomicLong channelStartFailures = new AtomicLong();
    private volatile boolean closed;
    /** Why this logger stopped itself, once a cluster's log failed and it closed. */
    private final CompletableFuture<String> failure = new CompletableFuture<>();
    private final AtomicBoolean stopping = new AtomicBoolean();

    private LoggerHost(LoggerConfig config, ServerSocketChannel server, ThreadFactory channelThreads) {
        this.config = config;
        this.server = server;
        this.channelThreads = channelThreads;
        this.acceptor = Thread.ofPlatform().daemon().name("fttcp-logger-accept").unstarted(this::acceptLoop);
    }

    /** Recovers every cluster's log under the directory, then listens. */
    public static LoggerHost start(LoggerConfig config) throws IOException {
        return start(config, Thread.ofPlatform().daemon().factory());
    }

    /** As {@link #start(LoggerConfig)}, the channels' threads made by {@code channelThreads} (a test's, to fail them). */
    static LoggerHost start(LoggerConfig config, ThreadFactory channelThreads) throws IOException {
        if (Files.exists(config.directory()) && !Files.isDirectory(config.directory())) {
            throw new IOException("the log directory " + config.directory() + " is a file, not a directory");
        }
        Files.createDirectories(config.directory());
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.INET);
        LoggerHost host = new LoggerHost(config, server, channelThreads);
        try {
            try (Stream<Path> dirs = Files.list(config.directory())) {
                for (Path dir : dirs.filter(Files::isDirectory).sorted().toList()) {
                    String cluster = ClusterDirectory.clusterOf(dir.getFileName().toString());
                    if (cluster != null) host.clusters.put(cluster, host.openCluster(cluster));
                }
            }
            try {
                server.bind(config.listen());
            } catch (IOException e) {
                throw new IOException("cannot listen on " + config.listen() + ": " + e.getMessage(), e);
            }
        } catch (IOException | RuntimeException e) {
            host.close();
            throw e;
        }
        host.acceptor.start();
        LOG.log(INFO, "logger listening on " + config.listen() + ", logs in " + config.directory() + " (" + config.log().fsyncPolicy()
                + (config.log().fsyncPolicy() == io.fttcp.replication.log.FsyncPolicy.BATCH ? ", window " + config.log().batchWindowNanos() / 1000 + " us" : "")
                + "), " + host.clusters.size() + " cluster(s) recovered");
        return host;
    }

    private ClusterLog openCluster(String cluster) throws IOException {
        ClusterLog c = ClusterLog.open(cluster, config.directory().resolve(ClusterDirectory.nameOf(cluster)), config.log(),
                config.retention(), config.channel().leaseNanos(), config.recoveryGrantNanos(),
                config.lingeringConnections(), config.lingeringPayloadBytes(), config.maxCatchUpFill());
        c.logFailed().thenAccept(e -> stopBecause(cluster, e));
        return c;
    }

    /**
     * Completes, with why, when a cluster's log failed and this logger stopped itself (it is
     * closed then): its process should end with an error, so that its supervisor starts it again
     * (under systemd, {@code Restart=always}); a start recovers every log from disk.
     */
    public CompletableFuture<String> failure() {
        return failure;
    }

    /** A cluster's log failed: stop (on a thread of its own: the caller may hold the cluster's lock). */
    private void stopBecause(String cluster, IOException e) {
        if (!stopping.compareAndSet(false, true)) return;
        String why = "the log of cluster '" + cluster + "' failed (" + e + ")";
        LOG.log(ERROR, why + ": the logger stops, so that its supervisor starts it again; a start recovers every log from disk");
        Thread.ofPlatform().name("fttcp-logger-stop").start(() -> {
            close();
            failure.complete(why);
        });
    }

    /**
     * The cluster's log, opened on its first handshake. Under {@link #clusters}' monitor, as
     * {@link #close} marks this host closed: a handshake still in flight at the close (a
     * connection accepted just before) would otherwise open a log after the close went through
     * them, and that log would stay open, its lock held, refusing the next logger started in this
     * process on the same directory.
     */
    private ClusterLog cluster(String id) throws HandshakeException {
        synchronized (clusters) {
            if (closed) throw new HandshakeException("the logger is closing");
            return openOnce(id);
        }
    }

    private ClusterLog openOnce(String id) throws HandshakeException {
        try {
            return clusters.computeIfAbsent(id, c -> {
                try {
                    return openCluster(c);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
        } catch (java.io.UncheckedIOException e) {
            throw new HandshakeException("the logger cannot open the log of cluster '" + id + "': " + e.getCause().getMessage());
        }
    }

    /** Every cluster's numbers, for monitoring. */
    public List<Reading> readings() {
        List<Reading> all = new ArrayList<>();
        all.add(Reading.gauge("fttcp_logger_clusters", "Clusters this logger keeps a log for", clusters.size()));
        all.add(Reading.gauge("fttcp_logger_handshakes_pending", "Connections accepted whose handshake is not done yet (at most logger max-handshakes)",
                channels.keySet().stream().filter(LoggerHost::inHandshake).count()));
        all.add(Reading.counter("fttcp_logger_refused_handshakes_full",
                "Connections closed at once because as many as allowed were in their handshake (a flood of connections?)", refusedHandshakesFull.get()));
        all.add(Reading.counter("fttcp_logger_refused_host_handshakes_full",
                "Connections closed at once because as many as allowed from their host were in their handshake", refusedHostHandshakesFull.get()));
        all.add(Reading.counter("fttcp_logger_channel_start_failures",
                "Connections closed because their channel could not start (out of threads, say)", channelStartFailures.get()));
        clusters.forEach((id, c) -> all.addAll(c.readings(id)));
        return all;
    }

    /** One line per cluster, for operators and tests. */
    public String status() {
        StringBuilder b = new StringBuilder();
        clusters.forEach((id, c) -> b.append(b.isEmpty() ? "" : "; ").append(id).append(": ").append(c.retainedStatus()));
        return b.isEmpty() ? "no clusters" : b.toString();
    }

    /**
     * Takes connections for as long as the logger runs: nothing one connection does or lacks (a
     * channel that cannot start, the process out of threads) stops it, or the logger would
     * silently stop serving its primaries. A failure pauses it briefly, so that it cannot spin.
     */
    private void acceptLoop() {
        while (!closed) {
            SocketChannel socket;
            try {
                socket = server.accept();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException | RuntimeException e) {
                if (!closed) LOG.log(WARNING, "logger accept failed: " + e.getMessage());
                LockSupport.parkNanos(PAUSE_AFTER_FAILURE_NANOS);
                continue;
            } catch (Error e) {
                if (!closed) LOG.log(ERROR, "logger accept failed: " + e);
                LockSupport.parkNanos(PAUSE_AFTER_FAILURE_NANOS);
                continue;
            }
            try {
                serve(socket);
            } catch (IOException | RuntimeException e) {
                LOG.log(WARNING, "connection from " + socket + " failed: " + e.getMessage());
                closeQuietly(socket);
            } catch (Throwable e) {
                channelStartFailures.incrementAndGet();
                LOG.log(ERROR, "connection from " + socket + " closed: its channel could not start (" + e + ")");
                closeQuietly(socket);
                LockSupport.parkNanos(PAUSE_AFTER_FAILURE_NANOS);
            }
        }
    }

    /** Serves the connection, unless as many as allowed are in their handshake already. */
    private void serve(SocketChannel socket) throws IOException {
        if (!(socket.getRemoteAddress() instanceof InetSocketAddress remote)) throw new IOException("the peer is gone already");
        InetAddress host = remote.getAddress();
        int pending = 0;
        int pendingFromHost = 0;
        for (Map.Entry<LoggerChannel, InetAddress> c : channels.entrySet()) {
            if (c.getKey().isClosed()) {
                channels.remove(c.getKey());
            } else if (inHandshake(c.getKey())) {
                pending++;
                if (c.getValue().equals(host)) pendingFromHost++;
            }
        }
        if (pendingFromHost >= config.maxHandshakesPerHost()) {
            refuse(socket, host, refusedHostHandshakesFull, pendingFromHost + " connections from " + host.getHostAddress()
                    + " are in their handshake, as many as this logger serves from one host");
        } else if (pending >= config.maxHandshakes()) {
            refuse(socket, null, refusedHandshakesFull, pending + " connections are in their handshake, as many as this logger serves");
        } else {
            open(socket, host);
        }
    }

    private static boolean inHandshake(LoggerChannel c) {
        return !c.isConnected() && !c.isClosed();
    }

    /**
     * Closes at once, with a reset (no TIME-WAIT is kept for a connection that never was one),
     * counts, and warns once a minute per host (or for all hosts), with how many were not told.
     */
    private void refuse(SocketChannel socket, InetAddress host, AtomicLong counter, String why) {
        counter.incrementAndGet();
        try {
            socket.setOption(StandardSocketOptions.SO_LINGER, 0);
        } catch (IOException | RuntimeException ignored) {
            // closed all the same
        }
        closeQuietly(socket);
        int unshown = refusalWarnings.warn(host == null ? "all hosts" : host.getHostAddress(), why, System.nanoTime());
        if (unshown >= 0) {
            LOG.log(WARNING, "refusing connections: " + why + " (a flood of connections that say nothing?); "
                    + (unshown > 0 ? unshown + " more refused since the last warning; " : "") + "see fttcp_logger_refused_*");
        }
    }

    private void open(SocketChannel socket, InetAddress host) throws IOException {
        // The channel's threads may finish the handshake (and call onConnected) before open returns: its
        // listener waits for the channel here rather than reading a reference not yet set.
        CompletableFuture<LoggerChannel> self = new CompletableFuture<>();
        try {
            self.complete(LoggerChannel.open(socket, config.channel(), new LoggerSessions() {
                @Override
                public Join join(Handshake primary) throws HandshakeException {
                    return cluster(primary.clusterId()).join(primary, self::join);
                }

                @Override
                public Fetch fetch(Handshake requester, long answerBy) throws HandshakeException {
                    return cluster(requester.clusterId()).fetch(requester, answerBy);
                }

                @Override
                public void fetchNotAnswered(Handshake requester, Fetch fetch) {
                    ClusterLog c = clusters.get(requester.clusterId());
                    if (c != null) c.withdraw(fetch);
                }
            }, channelThreads));
        } catch (Throwable e) {
            self.completeExceptionally(e);
            throw e;
        }
        channels.put(self.join(), host);
        if (closed) self.join().close(); // close() may have gone through the set already
    }

    private static void closeQuietly(SocketChannel socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // going away anyway
        }
    }

    @Override
    public void close() {
        synchronized (clusters) {
            closed = true;
        }
        try {
            server.close();
        } catch (IOException ignored) {
            // closing
        }
        // First no recovery may be served: closing a primary's channel would otherwise let a waiting fetch through.
        for (ClusterLog c : clusters.values()) c.stopServing();
        for (LoggerChannel c : channels.keySet()) c.close();
        for (ClusterLog c : clusters.values()) {
            try {
                c.close();
            } catch (IOException e) {
                LOG.log(WARNING, "closing a cluster's log failed: " + e.getMessage());
            }
        }
    }
}
