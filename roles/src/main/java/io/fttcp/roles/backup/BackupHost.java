package io.fttcp.roles.backup;

import io.fttcp.api.Network;
import io.fttcp.replication.channel.BackupChannel;
import io.fttcp.replication.channel.ChannelListener;
import io.fttcp.replication.channel.CloseReason;
import io.fttcp.replication.codec.Handshake;
import io.fttcp.replication.codec.RosterEntry;
import io.fttcp.replication.record.Record;
import io.fttcp.roles.ClaimWindow;
import io.fttcp.roles.PrimaryProbe;
import io.fttcp.roles.StackAddresses;
import io.fttcp.roles.StackHost;
import io.fttcp.roles.StackHostConfig;
import io.fttcp.roles.StaleCopy;
import io.fttcp.roles.StallWatch;
import io.fttcp.roles.StopAction;
import io.fttcp.roles.config.FtConfig;
import io.fttcp.roles.metrics.Reading;
import io.fttcp.roles.metrics.StackReadings;
import io.fttcp.roles.primary.PrimaryHost;
import io.fttcp.roles.primary.ProtectedStack;
import io.fttcp.roles.takeover.ClassPreload;
import io.fttcp.roles.takeover.ClientResets;
import io.fttcp.roles.takeover.Takeover;
import io.fttcp.roles.takeover.TakeoverRehearsal;
import io.fttcp.stack.host.HostConfig;
import io.fttcp.stack.tcp.FourTuple;
import io.fttcp.wrappers.nsw.LoggingLiveBinding;
import io.fttcp.wrappers.nsw.LoggingNetwork;
import io.fttcp.wrappers.nsw.ReplayNetwork;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

import static java.lang.System.Logger.Level.ERROR;
import static java.lang.System.Logger.Level.INFO;
import static java.lang.System.Logger.Level.WARNING;

/**
 * A replica that replays and then takes over: a silent stack on its own TAP device (no address
 * until takeover, the service's virtual MAC, its south-side wrapper fenced), the application on
 * the replaying north-side wrapper ({@link #network()}), and a channel that brings the records.
 * <ul>
 *   <li>Backup mode (the hot backup of primary/backup): the channel is to the primary, opened
 *       by us; when it ends, {@link PrimaryLoss} decides whether to take over.</li>
 *   <li>Logger mode (a recovering server: restarted in place, or a standby on a spare host):
 *       the channel is a fetch from the logger, which answers once no primary of the cluster is
 *       connected to it any more (and its lease is over) with the records of the live
 *       connections; once they are applied ({@code onCaughtUp}) we take over at once.</li>
 * </ul>
 * Either way the replica that took over goes on as a protected primary ({@link #primary()}),
 * on the same stack and with the same application: the records it applied are its retained
 * history, and its new records continue their numbering.
 */
public final class BackupHost implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("fttcp.backup");
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(1);
    private static final long RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
    /** A refused fetch is asked again this soon (the logger itself holds each fetch up to 1.5 s). */
    private static final long FETCH_RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    /** How long the application may take to consume the logged determinants at takeover. */
    private static final long DRAIN_LIMIT_NANOS = TimeUnit.SECONDS.toNanos(5);
    /** After takeover, the service address is announced this often (like a VRRP master), so an old primary that comes back hears it and steps down. */
    private static final long ADVERTISEMENT_NANOS = TimeUnit.SECONDS.toNanos(1);

    /**
     * Where a backup stands. CUT_OFF: the primary went silent while this host's uplinks had no
     * carrier; waiting for the link, then asking the primary.
     */
    public enum State { CONNECTING, REPLICATING, CUT_OFF, TAKING_OVER, LIVE, STOPPED }

    private final FtConfig config;
    private final ProtectedStack protectedStack;
    private final StackHost stack;
    private final ReplayNetwork replay;
    private final UplinkCarrier carrier = UplinkCarrier.system();
    /** The uplinks with carrier when we started replicating (see {@link UplinkCarrier#withCarrier}). */
    private volatile Set<String> uplinksWatched = Set.of();
    private static final long CARRIER_POLL_NANOS = 50_000_000L;
    /** How long a link that came back must stay up before we ask the primary. */
    private static final long LINK_SETTLE_NANOS = 1_000_000_000L;
    /** How long a backup whose link just came back waits for the primary's answer (alive, it answers in a millisecond). */
    private static final Duration ISOLATED_PROBE_PATIENCE = Duration.ofSeconds(1);
    /** How often it asks before it takes no answer for the primary's end. */
    private static final int ISOLATED_QUESTIONS = 5;
    private final long startedAt;
    private final Thread connector;
    /** A stall of the backup longer than this makes it distrust a silence it saw (half the detection timeout). */
    private final StallWatch stallWatch;
    private static final long WATCH_TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    /** Rounds of {@link TakeoverRehearsal} at start-up: enough for the JIT to compile the repair path. */
    private static final int REHEARSALS = 3_000;
    /** Rounds of {@link FetchRehearsal} at start-up in logger mode (about 1 MiB of client bytes each). */
    private static final int FETCH_REHEARSALS = 10;
    /** The code a takeover runs for the first time: its classes are loaded at start (see {@link ClassPreload}). */
    private static final List<String> TAKEOVER_PACKAGES = List.of("io.fttcp.wrappers.", "io.fttcp.roles.", "io.fttcp.stack.",
            "io.fttcp.link.ethernet.", "io.fttcp.replication.");
    private final AtomicLong recordsApplied = new AtomicLong();
    /** Client bytes in the SEGMENT records applied (what a recovery replays, beside the determinants). */
    private final AtomicLong payloadBytesApplied = new AtomicLong();
    /** The largest replay lag seen where acknowledgements are decided (against {@code replication.max-lag}). */
    private final AtomicLong largestLagSeen = new AtomicLong();
    /** Logger mode: the first unserved fetch was reported (a standby asks every couple of seconds for as long as the primary lives). */
    private volatile boolean fetchRetrySaid;
    /** Logger mode: when the logger began serving our fetch. */
    private volatile long fetchStartedAt;
    /** Logger mode: when the fetch's first records arrived (0 before). */
    private volatile long firstRecordsAt;
    private final AtomicLong divergences = new AtomicLong();
    private final CompletableFuture<Takeover.Report> takenOver = new CompletableFuture<>();
    private volatile State state = State.CONNECTING;
    private volatile BackupChannel channel;
    private volatile boolean closed;
    /** The last LSN applied (what the records of this replica continue after, once it serves). */
    private volatile long lastAppliedLsn;
    /**
     * Backup mode: the primary's catch-up (the retained records of connections it served
     * unprotected) has all arrived, or there was none. A backup that loses its primary before
     * then holds an incomplete set: it takes over all the same (the service goes on), but
     * restores none of the connections known so far (see {@link #takeOver}).
     */
    private volatile boolean caughtUp;
    /**
     * Backup mode, during a catch-up: its roster, the connections it covers. If the primary is
     * lost before the catch-up is complete, those whose records never arrived are known only from
     * here, and their clients are reset with the others (a silent one would wait for ever).
     * Logger mode: the roster of the broken-off catch-up an incomplete fetch names (the same use).
     */
    private final List<RosterEntry> roster = new ArrayList<>();
    /**
     * Logger mode: the fetched records through this LSN are incomplete (0: none are), and whether
     * the connections they name were refused yet (once they were all applied). Reader thread.
     */
    private long incompleteThrough;
    private boolean incompleteRefused;
    /** Backup mode: the primary's epoch; logger mode: the epoch the logger gave this recovery. */
    private volatile long sourceEpoch;
    private volatile PrimaryHost primary;
    /** Where the current channel goes (the primary a loss is about). */
    private volatile InetSocketAddress currentSource;
    /** Which of the configured replica addresses the next connection attempt goes to. */
    private int attempt;
    /** When the primary was last heard (for the log). */
    private volatile long primaryLostAt;
    /** Backup mode: why our copy may be behind the clients (see {@link StaleCopy}), or null. */
    private volatile String staleCopy;

    private BackupHost(FtConfig config, ProtectedStack protectedStack) {
        this.config = config;
        this.protectedStack = protectedStack;
        this.stack = protectedStack.stack();
        this.startedAt = stack.loop().now();
        this.replay = new ReplayNetwork((tuple, why) -> {
            divergences.incrementAndGet();
            LOG.log(WARNING, "connection " + tuple + " DIVERGED (" + why + "): it will be reset at takeover");
        });
        this.replay.whenLagFallsTo(config.maxLagBytes(), () -> {
            BackupChannel c = channel;
            if (c != null) c.holdMayHaveEnded();
        });
        this.connector = Thread.ofPlatform().daemon().name("fttcp-backup-connector").unstarted(this::connectLoop);
        this.stallWatch = new StallWatch(config.channel().detectionTimeoutNanos() / 2, startedAt);
    }

    /** Starts the silent stack and connects to the primary (retrying until it answers). */
    public static BackupHost start(FtConfig config) throws IOException {
        ProtectedStack ps = ProtectedStack.start(config, false);
        StackHost stack = ps.stack();
        BackupHost host = new BackupHost(config, ps);
        host.connector.start();
        Thread.ofPlatform().daemon().name("fttcp-backup-watch").start(host::watchLoop);
        HostConfig rehearsed = stack.ip().config();
        Thread.ofPlatform().daemon().name("fttcp-takeover-rehearsal").start(() -> {
            try {
                long begun = System.nanoTime();
                int classes = ClassPreload.run(List.of(BackupHost.class, io.fttcp.wrappers.nsw.ReplayNetwork.class, io.fttcp.stack.host.IpHost.class,
                        io.fttcp.link.ethernet.EthernetInterface.class, io.fttcp.replication.record.Record.class), TAKEOVER_PACKAGES);
                TakeoverRehearsal.run(rehearsed, REHEARSALS);
                // Logger mode only: a hot backup runs that path all along, and its JVM, started with
                // its primary's, has compiling enough to do while the first transfers pass.
                long records = config.mode() == FtConfig.Mode.logger ? FetchRehearsal.run(FETCH_REHEARSALS) : 0;
                LOG.log(INFO, "takeover rehearsed: " + classes + " classes preloaded, " + REHEARSALS + " connections restored on a private stack, "
                        + records + " records decoded, replayed and retained, in " + (System.nanoTime() - begun) / 1_000_000 + " ms");
            } catch (RuntimeException e) { // only a warm-up: the takeover itself reports real failures
                LOG.log(WARNING, "takeover rehearsal failed: " + e);
            }
        });
        return host;
    }

    /** The application's network: the replaying north-side wrapper (live after takeover). */
    public Network network() {
        return replay;
    }

    public State state() {
        return state;
    }

    /** Completes with the takeover's report when this backup has become the server. */
    public CompletableFuture<Takeover.Report> takenOver() {
        return takenOver;
    }

    /** What this replica does when asked to stop ({@link StopAction}): once live, what its primary says; before, it leaves. */
    public StopAction stopAction() {
        PrimaryHost p = primary;
        return state == State.LIVE && p != null ? p.stopAction() : StopAction.LEAVE;
    }

    /** The primary this replica became after its takeover, or null before. */
    public PrimaryHost primary() {
        return primary;
    }

    /** The status line's numbers, for monitoring; after the takeover, the primary's as well. */
    public List<Reading> readings() {
        List<Reading> all = new ArrayList<>(Reading.state("fttcp_backup_state", "1 for this replica's state (LIVE: it took over and serves)", state));
        BackupChannel c = channel;
        all.add(Reading.gauge("fttcp_backup_held_lsn", "The last LSN received in order and handed to the application", c == null ? 0 : c.heldLsn()));
        all.add(Reading.counter("fttcp_backup_records_applied", "Records handed to the replaying application", recordsApplied.get()));
        all.add(Reading.counter("fttcp_backup_client_bytes_applied", "Client bytes in the records handed to the application", payloadBytesApplied.get()));
        all.add(Reading.gauge("fttcp_backup_pending_determinants", "Determinants the application has not consumed yet", replay.pendingDeterminants()));
        all.add(Reading.gauge("fttcp_backup_replay_lag_bytes", "Client bytes the primary's application read that ours has not yet (see replication.max-lag)", replay.lagBytes()));
        all.add(Reading.gauge("fttcp_backup_replay_lag_largest_bytes", "The largest replay lag seen", largestLagSeen.get()));
        all.add(Reading.counter("fttcp_backup_records_ignored", "Records the replay had no use for", replay.recordsIgnored()));
        all.add(Reading.counter("fttcp_backup_divergences", "Connections whose replayed output differed from the primary's (reset at takeover)", divergences.get()));
        PrimaryHost p = primary;
        if (p != null) all.addAll(p.readings()); // its stack's counters among them
        else all.addAll(StackReadings.of(stack));
        return all;
    }

    public String status() {
        PrimaryHost p = primary;
        if (p != null) return "state=" + state + " " + p.status();
        return "state=" + state + " heldLsn=" + (channel == null ? 0 : channel.heldLsn()) + " recordsApplied=" + recordsApplied.get()
                + " pendingDeterminants=" + replay.pendingDeterminants() + " lagBytes=" + replay.lagBytes() + " largestLagBytes=" + largestLagSeen.get() + " recordsIgnored=" + replay.recordsIgnored()
                + " diverged=" + divergences.get();
    }

    /**
     * Where the next attempt goes. Logger mode: the logger. Backup mode: the primary; when a
     * second replica address is configured, the replicas swap roles at each takeover, so the
     * attempts alternate between the configured addresses that are not this host's own.
     */
    private InetSocketAddress sourceAddress() {
        if (config.mode() == FtConfig.Mode.logger) {
            return new InetSocketAddress(StackAddresses.toInetAddress(config.loggerAddress()), config.loggerPort());
        }
        List<Integer> peers = new java.util.ArrayList<>();
        for (int a : new int[] {config.primaryAddress(), config.backupAddress()}) {
            if (a != 0 && !StackAddresses.isOwn(a)) peers.add(a);
        }
        if (peers.isEmpty()) peers.add(config.primaryAddress());
        return new InetSocketAddress(StackAddresses.toInetAddress(peers.get(Math.floorMod(attempt++, peers.size()))), config.replicationPort());
    }

    /** Ticks the stall watch (see {@link StallWatch}) while the backup replicates. */
    private void watchLoop() {
        while (!closed && state != State.LIVE && state != State.STOPPED) {
            stallWatch.tick(stack.loop().now());
            LockSupport.parkNanos(WATCH_TICK_NANOS);
        }
    }

    /**
     * Whether our acknowledgements hold (called by the channel's threads each time one is
     * decided): while the application is {@code replication.max-lag} behind what we hold. In
     * backup mode the primary then waits for us; in logger mode the logger's fetch does (it sends
     * within a window of unacknowledged records): unbounded, a standby held what its application
     * had not yet replayed of every live connection's log (54 MiB of a 64 MiB one, measured), and
     * several large uploads would not fit its heap. The lag only shrinks without new records, so
     * the hold always ends.
     */
    private boolean lagOverBound() {
        long lag = replay.lagBytes();
        largestLagSeen.accumulateAndGet(lag, Math::max); // the reader and the ticker both decide
        return lag > config.maxLagBytes();
    }

    private void connectLoop() {
        boolean warned = false;
        while (!closed && state == State.CONNECTING) {
            InetSocketAddress primary = sourceAddress();
            currentSource = primary;
            try {
                BackupChannel c = BackupChannel.connect(primary, null, CONNECT_TIMEOUT, config.channel(), 0, 0, new PrimaryEvents());
                c.holdAcknowledgementsWhile(this::lagOverBound);
                channel = c;
                return; // the channel's threads report from here on
            } catch (IOException e) {
                if (!warned) {
                    LOG.log(INFO, "waiting for the " + (config.mode() == FtConfig.Mode.logger ? "logger" : "primary") + " at " + primary
                            + " (" + e.getMessage() + "); retrying");
                    warned = true;
                }
                LockSupport.parkNanos(RETRY_NANOS);
            } catch (Throwable e) {
                // The channel's threads could not start (an OutOfMemoryError), say: this thread must go on
                // connecting, or the backup would wait for good, saying nothing.
                if (!warned) {
                    LOG.log(ERROR, "connecting to " + primary + " failed: " + e + "; retrying");
                    warned = true;
                }
                LockSupport.parkNanos(RETRY_NANOS);
            }
        }
    }

    /**
     * One connection attempt's events. The ticker thread may report the close before the reader
     * reports the handshake: a closed attempt never becomes the replicating one.
     */
    private final class PrimaryEvents implements ChannelListener {
        private boolean ended;

        @Override
        public void onConnected(Handshake peer) {
            synchronized (this) {
                if (ended) return;
                state = State.REPLICATING;
            }
            synchronized (roster) {
                roster.clear(); // a catch-up starts again from the start on a new channel
            }
            sourceEpoch = peer.epoch();
            fetchStartedAt = stack.loop().now();
            uplinksWatched = carrier.withCarrier(stack.tap().name());
            LOG.log(INFO, config.mode() == FtConfig.Mode.logger ? "fetching the live connections' records from the logger (epoch " + peer.epoch() + ")"
                    : "replicating the primary (epoch " + peer.epoch() + ")");
        }

        @Override
        public void onRecords(long firstLsn, List<Record> records) {
            // After the loss was reported (by the ticker, while this reader still delivered a
            // batch), records are not applied: they were never acknowledged, so nothing the
            // primary emitted depends on them.
            if (state != State.REPLICATING) return;
            if (firstRecordsAt == 0) firstRecordsAt = stack.loop().now();
            long lsn = firstLsn;
            for (Record r : records) {
                if (incompleteThrough > 0 && lsn > incompleteThrough && !incompleteRefused) refuseIncomplete();
                replay.apply(r);
                if (r instanceof io.fttcp.replication.record.Segment seg && seg.payload() != null) payloadBytesApplied.addAndGet(seg.payload().length);
                protectedStack.retainApplied(lsn, r);
                lastAppliedLsn = lsn++;
            }
            long applied = recordsApplied.addAndGet(records.size());
            if (applied == records.size() && !caughtUp && config.mode() != FtConfig.Mode.logger) {
                int named;
                synchronized (roster) {
                    named = roster.size();
                }
                LOG.log(INFO, "catching up: the first " + records.size() + " retained record(s) applied, from LSN " + firstLsn
                        + "; the roster names " + named + " connection(s)");
            }
        }

        @Override
        public void onRoster(List<RosterEntry> entries) {
            if (state != State.REPLICATING) return;
            synchronized (roster) {
                roster.addAll(entries);
            }
        }

        @Override
        public void onIncomplete(long lsn) {
            if (state != State.REPLICATING) return;
            incompleteThrough = lsn;
            incompleteRefused = false;
            LOG.log(WARNING, "the logger's records through LSN " + lsn + " are incomplete (their primary may have served past them: it was"
                    + " lost while catching the logger up, or while serving without it): their connections are reset, not restored");
        }

        /** The records through {@link #incompleteThrough} are applied: none of the connections known so far is restored. */
        private void refuseIncomplete() {
            incompleteRefused = true;
            replay.restoreNoneKnownNow("the logger's records of it are incomplete (its primary may have served past them)");
        }

        @Override
        public void onCaughtUp(long lsn) {
            lastAppliedLsn = Math.max(lastAppliedLsn, lsn);
            if (config.mode() != FtConfig.Mode.logger) {
                // Only while replicating: after the loss was reported the last records were not applied.
                if (state == State.REPLICATING) {
                    caughtUp = true;
                    synchronized (roster) {
                        roster.clear();
                    }
                }
                LOG.log(INFO, "caught up on " + recordsApplied.get() + " retained record(s) (" + payloadBytesApplied.get()
                        + " client bytes) through LSN " + lsn + "; replicating");
                return;
            }
            if (state != State.REPLICATING) return;
            if (incompleteThrough > 0 && !incompleteRefused) refuseIncomplete();
            // The logger served us: the old primary is gone and fenced. Take over now.
            primaryLostAt = stack.loop().now();
            state = State.TAKING_OVER;
            LOG.log(WARNING, "fetched " + recordsApplied.get() + " record(s) (" + payloadBytesApplied.get() + " client bytes) through LSN " + lsn
                    + " from the logger in " + (primaryLostAt - fetchStartedAt) / 1000 + " us"
                    + (firstRecordsAt == 0 ? "" : " (the first after " + (firstRecordsAt - fetchStartedAt) / 1000 + " us)")
                    + ", replay lag at most " + largestLagSeen.get() + " bytes: TAKING OVER");
            Thread.ofPlatform().name("fttcp-takeover").start(() -> {
                takeOver();
                // The fetch is over; closing its channel waits for its threads: not before the takeover.
                BackupChannel c = channel;
                if (c != null) c.close();
            });
        }

        @Override
        public void onClosed(CloseReason reason) {
            synchronized (this) {
                ended = true;
            }
            onChannelClosed(reason);
        }
    }

    void onChannelClosed(CloseReason reason) {
        if (closed || state == State.CUT_OFF || state == State.TAKING_OVER || state == State.LIVE || state == State.STOPPED) return;
        if (config.mode() == FtConfig.Mode.logger) {
            if (recordsApplied.get() > 0) {
                // The application has replayed part of a recovery: it cannot start over in this process.
                stop("the logger's fetch broke off after " + recordsApplied.get() + " record(s) (" + reason + "); start this server again");
                return;
            }
            // A fetch that ended before it was served: the primary still serves (the logger asks
            // us to ask again), or the logger is away or restarting. Again at once; said once.
            if (!fetchRetrySaid) {
                fetchRetrySaid = true;
                LOG.log(INFO, "the logger did not serve our fetch yet (" + reason + "); asking until it does");
            }
            state = State.CONNECTING;
            LockSupport.parkNanos(FETCH_RETRY_NANOS);
            Thread.ofPlatform().daemon().name("fttcp-backup-connector").start(this::connectLoop);
            return;
        }
        switch (PrimaryLoss.decide(reason.kind(), state == State.REPLICATING)) {
            case RETRY -> {
                LOG.log(WARNING, "could not join the primary (" + reason + "); retrying");
                LockSupport.parkNanos(RETRY_NANOS);
                Thread.ofPlatform().daemon().name("fttcp-backup-connector").start(this::connectLoop);
            }
            case STOP -> stop("the replication channel ended and the primary may be alive (" + reason + "); not taking over");
            case TAKE_OVER -> {
                long now = stack.loop().now();
                primaryLostAt = now;
                // A silence while our own uplinks have no carrier is our isolation, not the primary's death.
                boolean isolated = reason.kind() == CloseReason.Kind.PEER_SILENT
                        && carrier.of(stack.tap().name(), uplinksWatched) == UplinkCarrier.State.DOWN;
                state = isolated ? State.CUT_OFF : State.TAKING_OVER;
                BackupChannel c = channel;
                long heard = c == null ? now : c.lastHeardNanos();
                boolean stalled = stallWatch.stalledSince(heard, now);
                long lastSent = stallWatch.sentNoEarlierThan(heard, now);
                // A close without a word may hide a live primary whose REJECT was lost; a silence
                // seen by a backup that was itself stalled, or cut off, may be ours, not the primary's. Ask.
                boolean ask = reason.kind() == CloseReason.Kind.PEER_CLOSED || stalled || isolated;
                Thread.ofPlatform().daemon().name("fttcp-takeover").start(() -> {
                    PrimaryProbe.Answer answer = !ask ? null
                            : isolated ? askAfterIsolation()
                            : PrimaryProbe.ask(currentSource, Duration.ofNanos(config.channel().detectionTimeoutNanos()));
                    if (closed) {
                        takenOver.completeExceptionally(new IllegalStateException("closed before taking over"));
                        return;
                    }
                    if (answer == PrimaryProbe.Answer.ALIVE) {
                        stop("the primary's process answers on its replication port: it is alive; not taking over");
                        return;
                    }
                    if (isolated) {
                        LOG.log(WARNING, "the primary did not answer (" + answer + ") once this host's link was back: TAKING OVER");
                        state = State.TAKING_OVER;
                    }
                    long foundGoneAt = stack.loop().now();
                    if (StaleCopy.possible(lastSent, foundGoneAt, ClaimWindow.nanos(config.channel().detectionTimeoutNanos()))) {
                        staleCopy = "the primary was last heard " + (foundGoneAt - lastSent) / 1_000_000 + " ms before it was found gone"
                                + (isolated ? " (this backup was cut off)" : stalled ? " (this backup was stalled)" : "")
                                + ": it may have served on unprotected meanwhile";
                    }
                    takeOver();
                });
                // Logged once the takeover runs: every millisecond here is the clients' stall.
                LOG.log(WARNING, "primary lost (" + reason + ")" + (stalled ? " while this backup was stalled "
                        + stallWatch.lastStallNanos(now) / 1_000_000 + " ms" : "") + (isolated
                        ? ", but this host's uplinks have no carrier: it is this backup that is cut off; waiting for the link, however long, then asking the primary"
                        : ": TAKING OVER" + (ask ? " unless it answers" : "")));
            }
        }
    }

    /**
     * After a silence seen while cut off: waits however long the link stays down (no client can
     * reach us meanwhile), then until it has stayed up for {@link #LINK_SETTLE_NANOS} (a flapping
     * link, a port not forwarding yet), and asks the primary; no answer while the link has just
     * come back is weak evidence, so it asks again, settling each time, before it concludes the
     * primary is gone. Null if closed meanwhile.
     */
    private PrimaryProbe.Answer askAfterIsolation() {
        Duration patience = Duration.ofNanos(Math.max(config.channel().detectionTimeoutNanos(), ISOLATED_PROBE_PATIENCE.toNanos()));
        for (int attempt = 1; ; attempt++) {
            long upSince = 0;
            for (long now = stack.loop().now(); !closed && (upSince == 0 || now - upSince < LINK_SETTLE_NANOS); now = stack.loop().now()) {
                boolean up = carrier.of(stack.tap().name(), uplinksWatched) == UplinkCarrier.State.UP;
                upSince = !up ? 0 : upSince == 0 ? now : upSince;
                LockSupport.parkNanos(CARRIER_POLL_NANOS);
            }
            if (closed) return null;
            PrimaryProbe.Answer answer = PrimaryProbe.ask(currentSource, patience);
            LOG.log(WARNING, "this host's link is back; the primary's replication port: " + answer + " (question " + attempt + ")");
            if (answer != PrimaryProbe.Answer.NO_ANSWER || attempt >= ISOLATED_QUESTIONS) return answer;
        }
    }

    private void takeOver() {
        try {
            // Everything received was applied on the channel's thread before it reported the loss.
            long begun = stack.loop().now();
            long tsValAge = begun - startedAt; // a safe upper bound: the primary's TSvals are no older than our start
            long epoch = config.mode() == FtConfig.Mode.logger ? sourceEpoch : sourceEpoch + 1;
            boolean logger = config.mode() == FtConfig.Mode.logger;
            // Records known to be incomplete (a catch-up broke off): the roster's connections are
            // reset too, those whose records never arrived known only by name.
            List<ClientResets.Target> unrecorded = new ArrayList<>();
            if (logger ? incompleteThrough > 0 : !caughtUp) {
                synchronized (roster) {
                    for (RosterEntry e : roster) unrecorded.add(ClientResets.Target.of(e));
                }
            }
            if (!logger && caughtUp && staleCopy != null) {
                // The clients may be past our copy (StaleCopy): restored, an upload would hang, an answer could differ.
                replay.restoreNoneKnown(staleCopy);
                LOG.log(WARNING, staleCopy + ": the connections this backup knows are reset, not restored");
            }
            if (!logger && !caughtUp) {
                // Any of them may lack records of client bytes the primary acknowledged: restored,
                // it would be behind its client (an upload's client never resends those bytes) and
                // hang. Their clients are reset instead; they were served unprotected.
                replay.restoreNoneKnown("the primary was lost during this backup's catch-up: its records are incomplete");
                LOG.log(WARNING, "the primary was lost before its catch-up (" + recordsApplied.get() + " record(s) through LSN "
                        + lastAppliedLsn + ") was complete: the connections it served unprotected (" + unrecorded.size() + " named by the roster) are reset, not restored");
            }
            protectedStack.promote(config, lastAppliedLsn);
            LoggingNetwork logging = protectedStack.loggingNetwork(config);
            Takeover.Report report = Takeover.run(replay, stack.network(), stack.ethernet(), config.serviceAddress(), tsValAge, DRAIN_LIMIT_NANOS,
                    unrecorded, binding -> new LoggingLiveBinding(binding, logging), protectedStack::adopt);
            primary = PrimaryHost.promote(config, protectedStack, replay, epoch);
            state = State.LIVE;
            LOG.log(INFO, "took over " + FourTuple.dotted(config.serviceAddress()) + " " + (stack.loop().now() - primaryLostAt) / 1000
                    + " us after losing the primary (began after " + (begun - primaryLostAt) / 1000 + " us): " + report
                    + "; now the primary, epoch " + epoch + (config.mode() == FtConfig.Mode.logger ? ", logging to the logger" : ", unprotected until a backup joins"));
            takenOver.complete(report);
            Thread.ofPlatform().daemon().name("fttcp-advertise").start(this::advertise);
        } catch (IOException | RuntimeException e) {
            LOG.log(ERROR, "takeover failed", e);
            takenOver.completeExceptionally(e);
            state = State.STOPPED;
        }
    }

    /** Keeps announcing the service address while we own it. */
    private void advertise() {
        ReentrantLock lock = stack.loop().lock();
        while (!closed) {
            LockSupport.parkNanos(ADVERTISEMENT_NANOS);
            lock.lock();
            try {
                stack.ethernet().sendGratuitousArp(config.serviceAddress(), stack.loop().now());
            } finally {
                lock.unlock();
            }
        }
    }

    private void stop(String why) {
        state = State.STOPPED;
        LOG.log(ERROR, "backup stopped: " + why);
        takenOver.completeExceptionally(new IllegalStateException(why));
    }

    public StackHost stack() {
        return stack;
    }

    @Override
    public void close() {
        closed = true;
        BackupChannel c = channel;
        if (c != null) c.close();
        PrimaryHost p = primary;
        if (p != null) p.close();
        protectedStack.close();
    }
}
