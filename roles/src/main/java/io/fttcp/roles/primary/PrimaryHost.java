package io.fttcp.roles.primary;

import io.fttcp.api.Network;
import io.fttcp.replication.channel.ChannelListener;
import io.fttcp.replication.channel.CloseReason;
import io.fttcp.replication.channel.PrimaryChannel;
import io.fttcp.replication.codec.Handshake;
import io.fttcp.replication.record.Heartbeat;
import io.fttcp.replication.stream.RecordStream;
import io.fttcp.roles.ClaimWindow;
import io.fttcp.roles.StackAddresses;
import io.fttcp.roles.StackHost;
import io.fttcp.roles.StackHostConfig;
import io.fttcp.roles.StallWatch;
import io.fttcp.roles.StopAction;
import io.fttcp.roles.config.FtConfig;
import io.fttcp.roles.metrics.Reading;
import io.fttcp.roles.metrics.SswReadings;
import io.fttcp.roles.metrics.StackReadings;
import io.fttcp.stack.host.HostConfig;
import io.fttcp.stack.tcp.FourTuple;
import io.fttcp.wrappers.nsw.LoggingNetwork;
import io.fttcp.wrappers.nsw.OutputCommitSink;
import io.fttcp.wrappers.nsw.OutputHashing;
import io.fttcp.wrappers.ssw.ProtectedService;
import io.fttcp.wrappers.ssw.SouthSideWrapper;
import io.fttcp.wrappers.ssw.SswStats;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

import static java.lang.System.Logger.Level.ERROR;
import static java.lang.System.Logger.Level.INFO;
import static java.lang.System.Logger.Level.WARNING;

/**
 * The primary of primary/backup (DESIGN.md §3): the stack on the TAP device with the south-side
 * wrapper between it and the link, the application on the north-side wrapper
 * ({@link #network()}), and the replication channel to the backup (which connects to us, on
 * the host's own address and the kernel's TCP).
 *
 * <p>One thread here, the <em>pump</em>, tells the wrapper about stability, the lease and
 * heartbeats on its turns. The channel's threads must not wait for the host lock (the sender
 * holds the stream's monitor, which the host's threads need to append; the reader must keep
 * reading, or the peer looks silent): the reader releases what an acknowledgement made stable
 * only when it gets the lock within a short patience ({@link StableRelease}), and otherwise
 * wakes the pump.
 *
 * <p>Losing the backup: see {@link #onChannelClosed}. The primary continues unprotected, except
 * where the backup may have taken over; then it steps down and emits nothing more.
 */
public final class PrimaryHost implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("fttcp.primary");
    /** Within this a joiner of an unprotected primary must have sent its handshake; within the backup's probe timeout (the detection timeout, at least 150 ms). */
    private static final Duration PROBE_ANSWER = Duration.ofMillis(100);
    /** Epoch of a primary that starts fresh (a backup that took over would use a higher one). */
    static final long FIRST_EPOCH = 1;
    private static final long DIAL_RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /** A re-join that reached the logger but failed (clients waited for it) is retried after at most this long. */
    private static final long MAX_REJOIN_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(5);

    private final FtConfig config;
    private final ProtectedStack protectedStack;
    private final ReplicationLog log;
    private final StackHost stack;
    private final SouthSideWrapper ssw;
    private final Network network;
    private final long epoch;
    /** Backup mode: where backups connect (this host's own address); null in logger mode, or with no address of ours configured. */
    private final ServerSocketChannel replicationServer;
    /** Logger mode: where this process answers a logger asking whether it lives; null in backup mode, or if it could not be opened. */
    private final LivenessPort livenessPort;
    private final Thread pump;
    private final StableRelease stableRelease;
    private final Thread joiner;
    private final CountDownLatch steppedDown = new CountDownLatch(1);
    private volatile boolean closed;
    /** The last time the pump saw a valid lease (how long we were out of contact when the channel is lost). */
    private volatile long lastLeaseValidAt = System.nanoTime();
    private volatile String stepDownReason;
    /**
     * Logger mode, policy continue: a primary serving unprotected is re-joining the logger (from
     * its switch to a stream for it until the logger's first acknowledgement, or the attempt's end).
     */
    private volatile boolean rejoining;
    /** Re-joins that reached the logger and failed in a row: each doubles the wait before the next. */
    private volatile int rejoinFailures;
    /** Logger mode: when the lease of the last channel that granted one ends (pump thread only). */
    private long lastLeaseExpiry = Long.MIN_VALUE;
    /**
     * Ticked by the pump: a stall of this process longer than twice the detection timeout while
     * out of contact means the backup may have taken over (see {@link BackupLoss}). Twice, not
     * once: a loaded host stalls a thread for more than 150 ms now and then, and stepping down
     * for that would stop a service whose backup is still there.
     */
    private final StallWatch stallWatch;

    private PrimaryHost(FtConfig config, ProtectedStack protectedStack, Network network, long epoch, ServerSocketChannel replicationServer) {
        this.config = config;
        this.protectedStack = protectedStack;
        this.log = protectedStack.log();
        this.stack = protectedStack.stack();
        this.ssw = protectedStack.ssw();
        this.network = network;
        this.epoch = epoch;
        this.replicationServer = replicationServer;
        this.livenessPort = config.mode() == FtConfig.Mode.logger ? LivenessPort.open(config.replicationPort()) : null;
        this.pump = Thread.ofPlatform().daemon().name("fttcp-primary-pump").unstarted(this::pumpLoop);
        this.stableRelease = new StableRelease(stack.loop().lock(), StableRelease.PATIENCE_NANOS, () -> LockSupport.unpark(pump));
        this.stallWatch = new StallWatch(2 * config.channel().detectionTimeoutNanos(), System.nanoTime());
        this.joiner = config.mode() == FtConfig.Mode.logger
                ? Thread.ofPlatform().daemon().name("fttcp-primary-logger").unstarted(this::dialLoop)
                : Thread.ofPlatform().daemon().name("fttcp-primary-replication").unstarted(this::acceptLoop);
    }

    /**
     * A fresh primary of primary/backup: opens the replication port on the host's own address,
     * starts the protected stack on the TAP device, and waits for a backup (clients are held
     * meanwhile, up to {@code awaitBackup}).
     */
    public static PrimaryHost start(FtConfig config) throws IOException {
        if (config.mode() != FtConfig.Mode.backup) {
            throw new IllegalArgumentException("a primary in logger mode starts by recovering from the logger (BackupHost), not fresh");
        }
        ServerSocketChannel server = listen(config, config.primaryAddress());
        ProtectedStack ps;
        try {
            ps = ProtectedStack.start(config, true);
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
        PrimaryHost host = new PrimaryHost(config, ps, ps.loggingNetwork(config), FIRST_EPOCH, server);
        host.pump.start();
        host.joiner.start();
        LOG.log(INFO, "primary of " + FourTuple.dotted(config.serviceAddress()) + " ports " + config.servicePorts()
                + " on " + config.tapDevice() + "; waiting for a backup on " + FourTuple.dotted(config.primaryAddress()) + ":" + config.replicationPort());
        return host;
    }

    /**
     * A replica that took over (its stack already holds the service address and the restored
     * connections, adopted by its wrapper; {@link ProtectedStack#promote} was called before its
     * application went live) serves on as a primary: in backup mode unprotected until a backup
     * joins on this host's own address (whichever of the two configured is ours); in logger
     * mode once the logger takes its records. {@code network} is what the application already uses.
     */
    public static PrimaryHost promote(FtConfig config, ProtectedStack ps, Network network, long epoch) throws IOException {
        ServerSocketChannel server = null;
        if (config.mode() == FtConfig.Mode.backup) {
            int own = StackAddresses.ownAddressAmong(config.primaryAddress(), config.backupAddress());
            if (own != 0) {
                server = listen(config, own);
            } else {
                LOG.log(WARNING, "none of the configured replica addresses is this host's: no backup can join (set replication.backup)");
            }
        }
        PrimaryHost host = new PrimaryHost(config, ps, network, epoch, server);
        host.pump.start();
        if (config.mode() == FtConfig.Mode.logger || server != null) host.joiner.start();
        return host;
    }

    private static ServerSocketChannel listen(FtConfig config, int address) throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.INET);
        try {
            server.bind(new InetSocketAddress(StackAddresses.toInetAddress(address), config.replicationPort()));
        } catch (IOException e) {
            server.close();
            throw new IOException("cannot listen for the backup on " + FourTuple.dotted(address) + ":"
                    + config.replicationPort() + " (is this a replica host, and the port free?): " + e.getMessage(), e);
        }
        return server;
    }

    /** The application's network: the north-side wrapper over the stack (or, promoted, the replay network gone live). */
    public Network network() {
        return network;
    }

    public long epoch() {
        return epoch;
    }

    /** Where this primary stands with its backup or logger, as shown to operators (CATCHING_UP included). */
    public Protection protection() {
        return log.reported();
    }

    /**
     * What this primary does when asked to stop ({@link StopAction}). Stepped down: another replica
     * owns the connections. Protected: the backup or logger holds every record any output depended
     * on, so they are handed over unless {@code replication.on-stop = close}; but a joiner still
     * catching up from a time this primary served unprotected (a re-protection, or a re-join of
     * the logger) lacks records whose output has left already, so not before it acknowledged
     * them. Logger mode, waiting for the logger it lost (stall): nothing unlogged left this
     * process, so a recovery from the log carries them on. Otherwise (unprotected, waiting for a
     * first backup) nobody could: the application closes them.
     */
    public StopAction stopAction() {
        Protection p = log.protection();
        if (p == Protection.STEPPED_DOWN) return StopAction.HAND_OVER;
        if (config.onStop() == FtConfig.OnStop.close || rejoining) return StopAction.CLOSE;
        boolean held = p == Protection.PROTECTED && log.replicaHoldsTheCatchUp();
        boolean stalledForLogger = config.mode() == FtConfig.Mode.logger && p == Protection.AWAITING_BACKUP && log.servedBefore();
        return held || stalledForLogger ? StopAction.HAND_OVER : StopAction.CLOSE;
    }

    /** Blocks until this primary steps down (see {@link #onChannelClosed}); returns the reason. */
    public String awaitStepDown() throws InterruptedException {
        steppedDown.await();
        return stepDownReason;
    }

    /** Waits up to {@code timeout} for this primary to step down; returns the reason, or null if it has not. */
    public String awaitStepDown(java.time.Duration timeout) throws InterruptedException {
        return steppedDown.await(timeout.toNanos(), TimeUnit.NANOSECONDS) ? stepDownReason : null;
    }

    /** The status line's numbers and more, for monitoring. */
    public List<Reading> readings() {
        List<Reading> all = new ArrayList<>(Reading.state("fttcp_protection", "1 for where this primary stands with its backup or logger",
                log.reported()));
        PrimaryChannel c = log.channel();
        all.add(Reading.gauge("fttcp_last_lsn", "LSN of the last record appended", log.lastLsn()));
        all.add(Reading.gauge("fttcp_stable_lsn", "Highest LSN the backup or logger holds (while unprotected: the last LSN)", log.stableLsnForWrapper()));
        all.add(Reading.counter("fttcp_unprotected_records", "Records appended while nothing protected the service", log.recordsUnprotected()));
        long leaseNanos = c == null ? 0 : Math.max(0, c.leaseRemainingNanos(System.nanoTime()));
        all.add(Reading.gauge("fttcp_lease_remaining_seconds", "What is left of the lease the backup or logger last renewed", leaseNanos / 1e9));
        all.addAll(log.retentionReadings());
        all.addAll(StackReadings.of(stack, () -> {
            SswStats wrapper = ssw.stats().snapshot();
            boolean fenced = ssw.isFenced();
            return () -> {
                List<Reading> ours = new ArrayList<>(SswReadings.of(wrapper));
                ours.add(Reading.flag("fttcp_fenced", "1 while the wrapper is fenced (this primary stepped down): nothing leaves", fenced));
                return ours;
            };
        }));
        return all;
    }

    /** One line of counters, for the log and for operators. */
    public String status() {
        PrimaryChannel c = log.channel();
        ReentrantLock lock = stack.loop().lock();
        String wrapper;
        lock.lock();
        try {
            wrapper = ssw.stats() + " fenced=" + ssw.isFenced() + " connections=" + stack.ip().connectionCount();
        } finally {
            lock.unlock();
        }
        return "protection=" + log.reported() + " lastLsn=" + log.lastLsn() + " stableLsn="
                + (log.protection() == Protection.UNPROTECTED ? "all" : String.valueOf(c == null ? log.stableLsn() : c.stableLsn()))
                + " unprotectedRecords=" + log.recordsUnprotected() + " " + log.retentionStatus() + " " + wrapper;
    }

    // ---- the backup's channel --------------------------------------------------------------

    /**
     * Takes the first backup that connects; later ones are refused (one backup per primary). A
     * primary running unprotected takes a new backup too: re-protection (see
     * {@link ReplicationLog#streamForJoiner}).
     */
    private void acceptLoop() {
        while (!closed) {
            SocketChannel socket;
            try {
                socket = replicationServer.accept();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (!closed) LOG.log(WARNING, "replication accept failed: " + e.getMessage());
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
                continue;
            }
            // Nothing one connection brings (a channel whose threads cannot start: an
            // OutOfMemoryError) may end this thread: no backup could ever join again, and nothing would say so.
            try {
                consider(socket);
            } catch (Throwable e) {
                LOG.log(System.Logger.Level.ERROR, "connection " + remote(socket) + " to the replication port: " + e);
                closeQuietly(socket);
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
            }
        }
    }

    /** A connection to the replication port: the joining backup, a stale one's replacement, or refused. */
    private void consider(SocketChannel socket) throws IOException {
        PrimaryChannel current = log.channel();
        if (log.protection() == Protection.PROTECTED && current != null && !current.leaseEverGranted()
                && log.awaiting(current)) {
            // The current channel never acknowledged us: a stale connection the backup gave
            // up on (a backup connects again only when its last attempt failed). Take the new one.
            LOG.log(WARNING, "backup " + current.peerAddress() + " never acknowledged us; replacing it with " + remote(socket));
            current.close();
        }
        Protection p = log.protection();
        if (p != Protection.AWAITING_BACKUP && p != Protection.UNPROTECTED) {
            LOG.log(WARNING, "refusing backup " + remote(socket) + ": this primary is " + p);
            closeQuietly(socket);
            return;
        }
        if (p == Protection.UNPROTECTED && !FirstBytes.arriveWithin(socket, PROBE_ANSWER)) {
            // A backup sends its handshake at once. Silence is most likely our former backup's
            // probe, asking whether we live after the channel ended without a word: answer it
            // by closing (a joiner would stall our clients, and the probe, unanswered, would
            // take over from a live primary). A slow joiner just dials again.
            LOG.log(INFO, "closing " + remote(socket) + ": it sent no handshake within " + PROBE_ANSWER.toMillis()
                    + " ms (a backup asking whether this primary lives)");
            closeQuietly(socket);
            return;
        }
        String lost = log.retentionLost();
        if (lost != null && log.lastLsn() > 0) {
            LOG.log(WARNING, "refusing backup " + remote(socket) + ": it cannot catch up now, " + lost);
            closeQuietly(socket);
            return;
        }
        if (p == Protection.UNPROTECTED) LOG.log(INFO, "backup " + remote(socket) + " joins: re-protecting (it catches up from the live connections' records)");
        try {
            BackupEvents events = new BackupEvents();
            PrimaryChannel channel = PrimaryChannel.open(socket, config.channel(), epoch, log.streamForJoiner(System.nanoTime()),
                    log::retainedThrough, events);
            if (!log.protectedBy(channel)) {
                channel.close(); // the primary stopped waiting meanwhile
                return;
            }
            events.attach(channel);
        } catch (Throwable e) {
            boolean ours = e instanceof Error; // its threads could not start (an OutOfMemoryError), say
            LOG.log(ours ? System.Logger.Level.ERROR : WARNING, "backup " + remote(socket) + " could not join: " + (ours ? e : e.getMessage()));
            closeQuietly(socket);
            // A primary that was serving before this joiner holds no client waiting for it.
            if (log.channel() == null && log.servedBefore() && log.unprotected(null)) {
                LOG.log(WARNING, "serving UNPROTECTED again");
            }
            if (ours) LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100)); // out of threads: trying again at once would only spin
        }
    }

    /**
     * Logger mode: keeps a channel to the logger. Dials whenever none is up and records are kept
     * for one (AWAITING_BACKUP: at the start, and while the logger is away under the stall
     * policy); the logger's handshake says what it holds, and the stream resends from there.
     * Under the continue policy a primary serving unprotected dials too, and re-joins with a
     * catch-up of its live connections' records ({@link LoggerDial}): protection is regained. It
     * cannot while its retained records are given up ({@link ReplicationLog#retentionLost}); it
     * says so once and stays unprotected until they are complete again.
     */
    private void dialLoop() {
        InetSocketAddress logger = new InetSocketAddress(StackAddresses.toInetAddress(config.loggerAddress()), config.loggerPort());
        boolean warned = false;
        boolean toldRetentionLost = false;
        long rejoinNotBefore = System.nanoTime();
        while (!closed) {
            Protection p = log.protection();
            if (p == Protection.STEPPED_DOWN) return;
            boolean rejoin = p == Protection.UNPROTECTED && config.onLoggerLoss() == FtConfig.LoggerLoss.continue_unprotected;
            if (log.channel() != null || (p != Protection.AWAITING_BACKUP && !rejoin)) {
                LockSupport.parkNanos(DIAL_RETRY_NANOS);
                continue;
            }
            if (rejoin) {
                String lost = log.retentionLost();
                if (lost != null) {
                    if (!toldRetentionLost) {
                        LOG.log(WARNING, "cannot re-join the logger: it would need the live connections' records, but " + lost
                                + "; serving UNPROTECTED until the retained records are complete again");
                        toldRetentionLost = true;
                    }
                    LockSupport.parkNanos(DIAL_RETRY_NANOS);
                    continue;
                }
                toldRetentionLost = false; // complete again: a later loss is told too
                long now = System.nanoTime();
                if (now - rejoinNotBefore < 0) {
                    LockSupport.parkNanos(Math.min(DIAL_RETRY_NANOS, rejoinNotBefore - now));
                    continue;
                }
                rejoining = true;
            }
            try {
                BackupEvents events = new BackupEvents();
                PrimaryChannel channel = LoggerDial.attempt(logger, java.time.Duration.ofSeconds(1),
                        config.channel().withLivenessPort(livenessPort == null ? 0 : livenessPort.port())
                                .withUnprotectedAfterMillis(unprotectedAfterMillis()), epoch, log, events);
                if (channel != null) {
                    events.attach(channel);
                    warned = false;
                    if (rejoin) {
                        LOG.log(INFO, "the logger at " + logger + " is back: re-joining (it catches up from the live connections' records)");
                    }
                } else {
                    rejoining = false;
                }
            } catch (Throwable e) { // an Error too (the channel's threads could not start): this thread must go on dialling
                if (rejoin) {
                    rejoining = false;
                    // The connection was made but the handshake could not be sent: clients held for nothing.
                    if (log.channel() == null && log.unprotected(null)) rejoinFailures++;
                }
                if (!warned) {
                    LOG.log(WARNING, "cannot reach the logger at " + logger + " (" + (e instanceof Error ? e : e.getMessage()) + "); retrying"
                            + (config.onLoggerLoss() == FtConfig.LoggerLoss.stall ? "; clients STALL meanwhile" : ""));
                    warned = true;
                }
            }
            int failures = rejoinFailures;
            if (failures > 0) {
                rejoinNotBefore = System.nanoTime() + Math.min(MAX_REJOIN_BACKOFF_NANOS, DIAL_RETRY_NANOS << Math.min(failures, 10));
            }
            LockSupport.parkNanos(DIAL_RETRY_NANOS);
        }
    }

    /** What one backup's channel reports; events of a channel that is no longer the current one are ignored. */
    private final class BackupEvents implements ChannelListener {
        private PrimaryChannel channel;
        private CloseReason closedEarly;

        /** The channel is registered; a close reported before this is handled now. */
        synchronized void attach(PrimaryChannel c) {
            channel = c;
            if (closedEarly != null) onChannelClosed(c, closedEarly);
        }

        private synchronized PrimaryChannel channel() {
            return channel;
        }

        @Override
        public void onConnected(Handshake peer) {
            LOG.log(INFO, (config.mode() == FtConfig.Mode.logger ? "logger" : "backup") + " joined (holds LSN " + peer.lsn()
                    + "): connections are protected once it acknowledges");
            LockSupport.unpark(pump);
        }

        /**
         * Releases what became stable right here, on the channel's reader thread (which holds no
         * stream monitor now): handing it to the pump would add a thread wake-up to every
         * request's latency. The lease was renewed by this very acknowledgement. If the host lock
         * stays taken, the pump does it instead ({@link StableRelease}): the reader must go on reading.
         */
        @Override
        public void onAck(long stableLsn) {
            PrimaryChannel mine = channel();
            if (mine == null) return;
            // Regained once a record after the catch-up is acknowledged: the logger switched to the
            // catch-up's generation before it stored that (acknowledgements of the catch-up alone
            // come before the switch, and a loss then leaves the old generation, marked incomplete).
            if (rejoining && log.channel() == mine && log.protection() == Protection.PROTECTED && log.replicaHoldsTheCatchUp()) {
                rejoining = false;
                rejoinFailures = 0;
                LOG.log(INFO, "protection regained: the logger holds the live connections' records again and acknowledged LSN " + stableLsn
                        + " (protection PROTECTED)");
            }
            stableRelease.offer(() -> {
                if (log.protection() != Protection.PROTECTED || log.channel() != mine) return;
                long now = System.nanoTime();
                ssw.setLeaseUntil(mine.leaseExpiresAt(now));
                ssw.onStable(stableLsn, now);
                stack.loop().timersChanged();
            });
        }

        @Override
        public void onClosed(CloseReason reason) {
            PrimaryChannel mine;
            synchronized (this) {
                mine = channel;
                if (mine == null) {
                    closedEarly = reason;
                    return;
                }
            }
            onChannelClosed(mine, reason);
        }
    }

    /**
     * The channel {@code lost} is gone. Backup mode, and logger mode under the continue policy:
     * {@link BackupLoss} decides. Logger mode under the stall policy: keep every record and
     * redial (clients stall: nothing unlogged is acknowledged or sent); a logger that refuses us
     * has a newer epoch of our cluster, so a recovered server serves it: step down.
     */
    void onChannelClosed(PrimaryChannel lost, CloseReason reason) {
        if (closed || log.protection() == Protection.STEPPED_DOWN || log.channel() != lost) return; // not ours any more
        long now = System.nanoTime();
        boolean joined = lost.peerHandshake() != null && lost.leaseEverGranted();
        if (config.mode() == FtConfig.Mode.logger) {
            if (reason.kind() == CloseReason.Kind.HANDSHAKE_REFUSED && supersededBy(reason)) {
                stepDown("the logger refused this primary (" + reason.message() + ")");
                return;
            }
            boolean wasRejoining = rejoining;
            rejoining = false;
            if (wasRejoining && !joined) {
                // A re-join from serving unprotected failed before the logger protected anything: serve on as before, retry later.
                if (log.awaiting(lost) && log.unprotected(null)) {
                    int failures = ++rejoinFailures;
                    LOG.log(failures == 1 ? WARNING : System.Logger.Level.DEBUG, "re-joining the logger failed (" + reason
                            + "): serving UNPROTECTED again; retrying");
                }
                LockSupport.unpark(pump);
                return;
            }
            if (config.onLoggerLoss() == FtConfig.LoggerLoss.stall || !joined) {
                if (log.awaiting(lost)) {
                    LOG.log(WARNING, "logger lost (" + reason + "): clients STALL until it is back; every record is kept for it");
                }
                LockSupport.unpark(pump);
                return;
            }
        }
        boolean leaseValid = lost.leaseValid(now);
        boolean frozen = stallWatch.stalledSince(lastLeaseValidAt, now);
        // A backup may take over from its handshake on, before any acknowledgement of its granted us a lease.
        boolean mayHaveTakenOver = config.mode() == FtConfig.Mode.logger ? joined : lost.handshakeAccepted();
        switch (BackupLoss.decide(mayHaveTakenOver, leaseValid)) {
            case KEEP_WAITING -> {
                if (log.awaiting(lost)) {
                    if (log.servedBefore() && log.unprotected(null)) {
                        LOG.log(WARNING, "a joining backup failed before it protected anything (" + reason + "): serving UNPROTECTED again");
                    } else {
                        LOG.log(WARNING, "a backup failed to join (" + reason + "); still waiting for one");
                    }
                }
            }
            case AWAIT_CLAIM -> {
                long claimWindow = ClaimWindow.nanos(config.channel().detectionTimeoutNanos());
                LOG.log(WARNING, (frozen ? "this process was stalled " + stallWatch.lastStallNanos(now) / 1_000_000 + " ms while out of contact with the backup"
                        : "the replication channel ended after our lease expired") + " (" + reason + "): the backup may have taken over;"
                        + " fenced, listening " + claimWindow / 1_000_000 + " ms for its announcement of the service address");
                Thread.ofVirtual().start(() -> {
                    LockSupport.parkNanos(claimWindow); // the pump steps down meanwhile if the claim comes
                    if (log.unprotected(lost)) {
                        LOG.log(WARNING, "no other host claimed the service address: continuing UNPROTECTED");
                        LockSupport.unpark(pump);
                    }
                });
            }
            case CONTINUE_UNPROTECTED -> {
                if (log.unprotected(lost)) {
                    LOG.log(WARNING, "backup lost (" + reason + "): continuing UNPROTECTED; a crash of this primary now loses its connections");
                }
            }
        }
        LockSupport.unpark(pump);
    }

    /**
     * A refusal that means another server holds the service now: the logger granted a newer
     * epoch (a recovery was served), or is serving one. Other refusals (a log the logger cannot
     * open or force in time, our previous channel not yet closed there) are the logger's trouble:
     * we keep our records and dial again.
     */
    private static boolean supersededBy(CloseReason refusal) {
        String m = refusal.message();
        return m.contains("superseded") || m.contains("being recovered");
    }

    /**
     * What this primary tells its logger (logger mode): under {@code logger.on-loss = continue} it
     * may serve on without the logger one claim window after losing it, so a logger that serves a
     * recovery later treats its records as possibly behind the clients; under {@code stall}, never.
     */
    private int unprotectedAfterMillis() {
        return config.onLoggerLoss() == FtConfig.LoggerLoss.continue_unprotected
                ? (int) (ClaimWindow.nanos(config.channel().detectionTimeoutNanos()) / 1_000_000) : 0;
    }

    private synchronized void stepDown(String why) {
        if (log.protection() == Protection.STEPPED_DOWN) return;
        log.steppedDown();
        stepDownReason = why;
        ReentrantLock lock = stack.loop().lock();
        lock.lock();
        try {
            ssw.setFenced(true);
            // Stop answering ARP for the service: its new owner does.
            stack.ethernet().removeAddress(config.serviceAddress());
        } finally {
            lock.unlock();
        }
        LOG.log(ERROR, "STEPPING DOWN: " + why + "; this primary emits nothing more");
        steppedDown.countDown();
    }

    /**
     * Until when the wrapper may emit. Protected: the channel's lease. Logger mode, waiting for
     * the logger after it was lost (stall): the last lease, so that once it runs out nothing
     * leaves; a recovery the logger serves after that lease finds this primary silent. Otherwise
     * (unprotected, or waiting for a first backup or for the logger's first acknowledgement after
     * a takeover, when the logger's grant keeps other recoveries away) no lease applies.
     */
    private long leaseUntil(Protection p, PrimaryChannel channel, long now) {
        if (p == Protection.PROTECTED) return channel == null ? now - 1 : channel.leaseExpiresAt(now);
        // A re-join from serving unprotected fences nothing: no lease was held, and output waits for stability anyway.
        if (config.mode() == FtConfig.Mode.logger && p == Protection.AWAITING_BACKUP && lastLeaseExpiry != Long.MIN_VALUE && !rejoining) return lastLeaseExpiry;
        return Long.MAX_VALUE;
    }

    // ---- the pump --------------------------------------------------------------------------

    /**
     * Tells the wrapper what changed: stability (releasing held output), the lease (fencing), and
     * every heartbeat interval the connections' highest TSvals as a HEARTBEAT record. Also watches
     * for the service address claimed by someone else (the backup took over): step down.
     */
    private void pumpLoop() {
        long heartbeatNanos = config.channel().heartbeatIntervalNanos();
        long nextHeartbeat = System.nanoTime();
        long conflictsSeen = 0;
        ReentrantLock lock = stack.loop().lock();
        while (!closed) {
            long now = System.nanoTime();
            stallWatch.tick(now);
            boolean mayGiveUp = config.mode() == FtConfig.Mode.backup || config.onLoggerLoss() == FtConfig.LoggerLoss.continue_unprotected;
            if (mayGiveUp && log.protection() == Protection.AWAITING_BACKUP && log.channel() == null
                    && now - log.awaitingSince() > config.awaitBackup().toNanos() && log.unprotected(null)) {
                LOG.log(WARNING, "no " + (config.mode() == FtConfig.Mode.logger ? "logger" : "backup") + " within "
                        + config.awaitBackup().toMillis() + " ms: serving UNPROTECTED");
            }
            Protection p;
            PrimaryChannel channel;
            boolean leaseValid;
            long conflicts;
            lock.lock();
            try {
                // Read under the host lock: a step-down (which fences under it) is never undone here.
                p = log.protection();
                channel = log.channel();
                leaseValid = p == Protection.PROTECTED && channel != null && channel.leaseValid(now);
                if (leaseValid || p != Protection.PROTECTED) lastLeaseValidAt = now;
                ssw.setFenced(p == Protection.STEPPED_DOWN);
                if (p == Protection.PROTECTED && channel != null) lastLeaseExpiry = channel.leaseExpiresAt(now);
                ssw.setLeaseUntil(leaseUntil(p, channel, now));
                ssw.onStable(log.stableLsnForWrapper(), now);
                if (p == Protection.PROTECTED && now - nextHeartbeat >= 0) {
                    List<Heartbeat.TsVal> changed = ssw.changedMaxTsVals();
                    // Also while a joiner's catch-up is unconfirmed: only a record after it, acknowledged, confirms it
                    // (replicaHoldsTheCatchUp), and an idle service appends none.
                    if (!changed.isEmpty() || !log.replicaHoldsTheCatchUp()) log.append(new Heartbeat(now, changed));
                    nextHeartbeat = now + heartbeatNanos;
                }
                conflicts = stack.ethernet().stats().addressConflicts();
                stack.loop().timersChanged();
            } finally {
                lock.unlock();
            }
            if (conflicts > conflictsSeen && p != Protection.STEPPED_DOWN) {
                conflictsSeen = conflicts;
                stepDown("another host announced the service address " + FourTuple.dotted(config.serviceAddress()));
                continue;
            }
            long wake = heartbeatNanos;
            if (leaseValid) wake = Math.min(wake, Math.max(1, channel.leaseRemainingNanos(now)));
            LockSupport.parkNanos(wake);
        }
    }

    public StackHost stack() {
        return stack;
    }

    @Override
    public void close() {
        closed = true;
        PrimaryChannel c = log.channel();
        if (c != null) c.close();
        LockSupport.unpark(pump);
        protectedStack.close();
        // Only now: a closed listener tells a probing backup or logger that this process emits nothing any more.
        if (replicationServer != null) closeQuietly(replicationServer);
        if (livenessPort != null) livenessPort.close();
    }

    private static String remote(SocketChannel s) {
        try {
            return String.valueOf(s.getRemoteAddress());
        } catch (IOException e) {
            return "?";
        }
    }

    private static void closeQuietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // nothing to do: it is going away
        }
    }
}
