package io.fttcp.roles.primary;

import io.fttcp.api.Network;
import io.fttcp.replication.channel.ChannelListener;
import io.fttcp.replication.channel.CloseReason;
import io.fttcp.replication.channel.PrimaryChannel;
import io.fttcp.replication.codec.Handshake;
import io.fttcp.replication.record.Heartbeat;
import io.fttcp.replication.stream.RecordStream;
import io.fttcp.roles.StackAddresses;
import io.fttcp.roles.StackHost;
import io.fttcp.roles.StackHostConfig;
import io.fttcp.roles.StallWatch;
import io.fttcp.roles.config.FtConfig;
import io.fttcp.stack.host.HostConfig;
import io.fttcp.stack.tcp.FourTuple;
import io.fttcp.wrappers.nsw.LoggingNetwork;
import io.fttcp.wrappers.nsw.OutputCommitSink;
import io.fttcp.wrappers.nsw.OutputHashing;
import io.fttcp.wrappers.ssw.ProtectedService;
import io.fttcp.wrappers.ssw.SouthSideWrapper;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
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
 * <p>One thread here, the <em>pump</em>, is the only one that tells the wrapper about stability,
 * the lease and heartbeats: the channel's threads must not take the host lock (they hold the
 * stream's monitor, which the host's threads need to append), so they only wake the pump.
 *
 * <p>Losing the backup: see {@link #onChannelClosed}. The primary continues unprotected, except
 * where the backup may have taken over; then it steps down and emits nothing more.
 */
public final class PrimaryHost implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("fttcp.primary");
    /**
     * How long a primary that may have been taken over stays fenced, listening for the backup's
     * announcements (3 at once, then one a second) before it continues unprotected.
     */
    static final java.time.Duration CLAIM_WINDOW = java.time.Duration.ofMillis(2_500);
    /** Epoch of a primary that starts fresh (a backup that took over would use a higher one). */
    static final long FIRST_EPOCH = 1;

    private final FtConfig config;
    private final RecordStream stream;
    private final ReplicationLog log;
    private final StackHost stack;
    private final SouthSideWrapper ssw;
    private final LoggingNetwork network;
    private final ServerSocketChannel replicationServer;
    private final Thread pump;
    private final Thread acceptor;
    private final long startedAt = System.nanoTime();
    private final CountDownLatch steppedDown = new CountDownLatch(1);
    private volatile boolean closed;
    /** The last time the pump saw a valid lease (how long we were out of contact when the channel is lost). */
    private volatile long lastLeaseValidAt = System.nanoTime();
    private volatile String stepDownReason;
    /**
     * Ticked by the pump: a stall of this process longer than twice the detection timeout while
     * out of contact means the backup may have taken over (see {@link BackupLoss}). Twice, not
     * once: a loaded host stalls a thread for more than 150 ms now and then, and stepping down
     * for that would stop a service whose backup is still there.
     */
    private final StallWatch stallWatch;

    private PrimaryHost(FtConfig config, RecordStream stream, ReplicationLog log, StackHost stack, SouthSideWrapper ssw,
                        ServerSocketChannel replicationServer) {
        this.config = config;
        this.stream = stream;
        this.log = log;
        this.stack = stack;
        this.ssw = ssw;
        this.replicationServer = replicationServer;
        OutputHashing hashing = config.outputHashing() ? OutputHashing.HASH : OutputHashing.OFF;
        this.network = new LoggingNetwork(stack.network(), log, new OutputCommit(), hashing);
        this.pump = Thread.ofPlatform().daemon().name("fttcp-primary-pump").unstarted(this::pumpLoop);
        this.stallWatch = new StallWatch(2 * config.channel().detectionTimeoutNanos(), System.nanoTime());
        this.acceptor = Thread.ofPlatform().daemon().name("fttcp-primary-replication").unstarted(this::acceptLoop);
    }

    /**
     * Opens the replication port on the host's own address, starts the protected stack on the
     * TAP device, and waits for a backup (clients are held meanwhile, up to {@code awaitBackup}).
     */
    public static PrimaryHost start(FtConfig config) throws IOException {
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.INET);
        try {
            server.bind(new InetSocketAddress(StackAddresses.toInetAddress(config.primaryAddress()), config.replicationPort()));
        } catch (IOException e) {
            server.close();
            throw new IOException("cannot listen for the backup on " + FourTuple.dotted(config.primaryAddress()) + ":"
                    + config.replicationPort() + " (is this the primary host, and the port free?): " + e.getMessage(), e);
        }
        RecordStream stream = config.channel().newRecordStream();
        ReplicationLog log = new ReplicationLog(stream);
        ProtectedService service = new ProtectedService(config.serviceAddress(),
                config.servicePorts().stream().mapToInt(Integer::intValue).toArray());
        SouthSideWrapper[] made = new SouthSideWrapper[1];
        StackHost stack;
        try {
            stack = StackHost.start(new StackHostConfig(config.tapDevice(), config.serviceMac(), List.of(config.serviceAddress()),
                    config.prefixLength(), config.offloads(), HostConfig.defaults(0, 0)), (link, partial) -> {
                made[0] = new SouthSideWrapper(service, log, link, partial);
                return made[0];
            });
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
        PrimaryHost host = new PrimaryHost(config, stream, log, stack, made[0], server);
        host.pump.start();
        host.acceptor.start();
        LOG.log(INFO, "primary of " + FourTuple.dotted(config.serviceAddress()) + " ports " + config.servicePorts()
                + " on " + config.tapDevice() + "; waiting for a backup on " + FourTuple.dotted(config.primaryAddress()) + ":" + config.replicationPort());
        return host;
    }

    /** The application's network: the north-side wrapper over the stack. */
    public Network network() {
        return network;
    }

    public Protection protection() {
        return log.protection();
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
        return "protection=" + log.protection() + " lastLsn=" + log.lastLsn() + " stableLsn="
                + (log.protection() == Protection.UNPROTECTED ? "all" : String.valueOf(c == null ? log.stableLsn() : c.stableLsn()))
                + " unprotectedRecords=" + log.recordsUnprotected() + " " + wrapper;
    }

    // ---- the backup's channel --------------------------------------------------------------

    /** Takes the first backup that connects; later ones are refused (one backup per primary). */
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
            PrimaryChannel current = log.channel();
            if (log.protection() == Protection.PROTECTED && current != null && !current.leaseEverGranted()
                    && log.awaiting(current)) {
                // The current channel never acknowledged us: a stale connection the backup gave
                // up on (a backup connects again only when its last attempt failed). Take the new one.
                LOG.log(WARNING, "backup " + current.peerAddress() + " never acknowledged us; replacing it with " + remote(socket));
                current.close();
            }
            Protection p = log.protection();
            if (p != Protection.AWAITING_BACKUP) {
                LOG.log(WARNING, "refusing backup " + remote(socket) + ": this primary is " + p
                        + (p == Protection.UNPROTECTED ? " (a running primary cannot be re-protected yet: restart it with its backup)" : ""));
                closeQuietly(socket);
                continue;
            }
            try {
                BackupEvents events = new BackupEvents();
                PrimaryChannel channel = PrimaryChannel.open(socket, config.channel(), FIRST_EPOCH, stream, events);
                if (!log.protectedBy(channel)) {
                    channel.close(); // the primary stopped waiting meanwhile
                    continue;
                }
                events.attach(channel);
            } catch (IOException | RuntimeException e) {
                LOG.log(WARNING, "backup " + remote(socket) + " could not join: " + e.getMessage());
                closeQuietly(socket);
            }
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
            LOG.log(INFO, "backup joined (holds LSN " + peer.lsn() + "): connections are protected");
            LockSupport.unpark(pump);
        }

        /**
         * Releases what became stable right here, on the channel's reader thread (which holds no
         * stream monitor now): handing it to the pump would add a thread wake-up to every
         * request's latency. The lease was renewed by this very acknowledgement.
         */
        @Override
        public void onAck(long stableLsn) {
            PrimaryChannel mine = channel();
            if (mine == null) return;
            ReentrantLock lock = stack.loop().lock();
            lock.lock();
            try {
                if (log.protection() != Protection.PROTECTED || log.channel() != mine) return;
                long now = System.nanoTime();
                ssw.setLeaseUntil(mine.leaseExpiresAt(now));
                ssw.onStable(stableLsn, now);
                stack.loop().timersChanged();
            } finally {
                lock.unlock();
            }
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

    /** The backup's channel {@code lost} is gone: {@link BackupLoss} decides what to do. */
    void onChannelClosed(PrimaryChannel lost, CloseReason reason) {
        if (closed || log.protection() == Protection.STEPPED_DOWN || log.channel() != lost) return; // not ours any more
        long now = System.nanoTime();
        boolean joined = lost.peerHandshake() != null && lost.leaseEverGranted();
        boolean leaseValid = lost.leaseValid(now);
        boolean frozen = stallWatch.stalledSince(lastLeaseValidAt, now);
        switch (BackupLoss.decide(reason.kind(), joined, leaseValid, frozen)) {
            case KEEP_WAITING -> {
                if (log.awaiting(lost)) LOG.log(WARNING, "a backup failed to join (" + reason + "); still waiting for one");
            }
            case AWAIT_CLAIM -> {
                LOG.log(WARNING, (frozen ? "this process was stalled " + stallWatch.lastStallNanos(now) / 1_000_000 + " ms while out of contact with the backup"
                        : "the backup closed the replication channel after our lease expired") + " (" + reason + "): it may have taken over;"
                        + " fenced, listening " + CLAIM_WINDOW.toMillis() + " ms for its announcement of the service address");
                Thread.ofVirtual().start(() -> {
                    LockSupport.parkNanos(CLAIM_WINDOW.toNanos()); // the pump steps down meanwhile if the claim comes
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
            if (log.protection() == Protection.AWAITING_BACKUP && now - startedAt > config.awaitBackup().toNanos()
                    && log.unprotected(null)) {
                LOG.log(WARNING, "no backup within " + config.awaitBackup().toMillis() + " ms: serving UNPROTECTED");
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
                ssw.setLeaseUntil(p == Protection.PROTECTED ? (channel == null ? now - 1 : channel.leaseExpiresAt(now)) : Long.MAX_VALUE);
                ssw.onStable(log.stableLsn(), now);
                if (p == Protection.PROTECTED && now - nextHeartbeat >= 0) {
                    List<Heartbeat.TsVal> changed = ssw.changedMaxTsVals();
                    if (!changed.isEmpty()) log.append(new Heartbeat(now, changed));
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

    /** Output commit, from the application's threads: tell the wrapper under the host lock. */
    private final class OutputCommit implements OutputCommitSink {
        @Override
        public void requireStable(FourTuple connection, long start, long end, long lsn) {
            ReentrantLock lock = stack.loop().lock();
            lock.lock();
            try {
                ssw.requireStable(connection, start, end, lsn);
                stack.loop().timersChanged();
            } finally {
                lock.unlock();
            }
        }
    }

    public StackHost stack() {
        return stack;
    }

    @Override
    public void close() {
        closed = true;
        closeQuietly(replicationServer);
        PrimaryChannel c = log.channel();
        if (c != null) c.close();
        LockSupport.unpark(pump);
        stack.close();
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
