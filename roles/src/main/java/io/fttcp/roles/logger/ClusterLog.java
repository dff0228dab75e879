package io.fttcp.roles.logger;

import io.fttcp.replication.channel.ChannelListener;
import io.fttcp.replication.channel.CloseReason;
import io.fttcp.replication.channel.HandshakeException;
import io.fttcp.replication.channel.Lease;
import io.fttcp.replication.channel.LoggerChannel;
import io.fttcp.replication.channel.LoggerSessions;
import io.fttcp.replication.codec.Handshake;
import io.fttcp.replication.codec.RosterEntry;
import io.fttcp.replication.log.LogConfig;
import io.fttcp.replication.log.LogCursor;
import io.fttcp.replication.log.RecordLog;
import io.fttcp.replication.record.Heartbeat;
import io.fttcp.replication.record.LoggedRecord;
import io.fttcp.replication.record.Record;
import io.fttcp.replication.retention.RetentionPolicy;
import io.fttcp.roles.PrimaryProbe;
import io.fttcp.roles.StaleCopy;
import io.fttcp.roles.metrics.Reading;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;

import static java.lang.System.Logger.Level.ERROR;
import static java.lang.System.Logger.Level.INFO;
import static java.lang.System.Logger.Level.WARNING;

/**
 * One cluster's log at the logger: its durable {@link RecordLog}, the records of its live
 * connections ({@link RetainedIndex}: what retention decides by, rebuilt from the log when the
 * logger starts; the records' bytes stay on disk and a fetch reads them back), the
 * highest epoch granted ({@link EpochFile}), and at most one primary's channel.
 *
 * <p><b>Fencing.</b> A recovering server's fetch is served only when no primary of the
 * cluster is connected, its lease has surely run out (it counts from the logger's last echo
 * of the primary's time) or its process is known to be gone (its channel closed without a word
 * and its liveness port refused the logger's question), and no earlier recovery is still on its
 * way to joining. The fetch
 * grants the next epoch, durably; from then on the old primary is refused (it steps down), and
 * only the recovered server may join.
 *
 * <p><b>A primary back from running unprotected.</b> A primary that continued without this
 * logger (policy {@code continue}) and dials again announces records this log never got: it
 * dropped them as stable. It may join at its epoch (it was never superseded: no recovery was
 * granted meanwhile, else its epoch would be older than the one stored, and it is refused), and
 * is answered "holding nothing": it sends a catch-up of its live connections' records, which
 * goes into a new {@link LogGenerations generation} of the log and replaces, once complete and
 * durable, everything stored before. The epoch is not raised: it names who owns the service,
 * and the owner has not changed; fetches still grant epoch + 1 and older primaries are still
 * refused. Until the switch, recoveries (which need the primary gone) would be served from the
 * old generation: the new one is dropped if the primary leaves before its catch-up completes.
 */
final class ClusterLog implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger("fttcp.logger");
    /**
     * Fills the log where a catch-up has gaps (this logger held nothing while the primary had
     * dropped records as stable: it sends only the live connections' records): the log's LSNs run
     * on without gaps, and a heartbeat naming nothing is a record no replay and no retention uses.
     * There are no more of them than the records a logger present all along would have stored;
     * and no more than {@link #maxCatchUpFill} a catch-up, which is refused beyond.
     */
    private static final Heartbeat GAP = new Heartbeat(0, List.of());
    private static final long WAIT_STEP_NANOS = TimeUnit.MILLISECONDS.toNanos(2);
    /**
     * The largest epoch a primary may state or a recovery be granted: one below Long.MAX_VALUE,
     * so that the next grant never wraps round, and a grant is never one its primary is refused at.
     */
    private static final long LARGEST_EPOCH = Long.MAX_VALUE - 1;
    /** A fetch waits this long for the primary to go, then is refused (the requester's handshake timeout is 2 s). */
    private static final long FETCH_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(1_500);
    /**
     * A fetch is granted only this long before its channel's handshake deadline at the latest
     * (or a quarter of the time left, if less: a short handshake timeout): time to store the
     * epoch and send the answer. A requester whose handshake came late (the wait counts from
     * it, the deadline from the connection) is told to ask again instead.
     */
    private static final long FETCH_ANSWER_MARGIN_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
    /**
     * A joining primary waits this long at most for the log's force: past its handshake timeout
     * (2 s), so that it gives up and redials rather than hearing a refusal (it would step down).
     */
    private static final long FORCE_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(3_000);
    /** A joining primary waits this long at most for the cluster's previous primary channel to close (within its handshake timeout). */
    private static final long JOIN_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(1_500);

    private final String cluster;
    private final LogConfig config;
    private final RetentionPolicy policy;
    private final int lingeringConnections;
    private final long lingeringPayloadBytes;
    /** The most LSNs one catch-up may leave without a record ({@link LoggerConfig#maxCatchUpFill()}). */
    private final long maxCatchUpFill;
    private final LogGenerations generations;
    /** The current generation's log and its live records (a re-join's new one while its catch-up arrives). */
    private RecordLog log;
    private RetainedIndex retained;
    private long generation;
    /** While a re-joining primary's catch-up arrives: the generation it replaces once complete, else null. */
    private Replaced replaced;
    /** While a catch-up arrives (into a new generation, or an empty log): its roster so far; else null. */
    private List<RosterEntry> catchUpRoster;
    /** Its first records arrived (said once). */
    private boolean catchUpUnderWay;
    /** LSNs the current catch-up left without a record, filled with {@link #GAP}s so far. */
    private long catchUpFilled;
    /** The current generation's records are incomplete ({@link IncompleteMark}), or null; and whether that is on disk. */
    private IncompleteMark incomplete;
    private boolean incompleteStored = true;
    private String incompleteFailure;
    private final EpochFile epochFile;
    private final long leaseNanos;
    /** How long a granted recovery may take to join before another recovery may be served. */
    private final long grantNanos;
    /** Serializes every call on the log and the retained set. */
    private final ReentrantLock lock = new ReentrantLock();
    private final Thread committer;
    /** When the committer wakes by itself next (System.nanoTime()); it sets this before it parks. */
    private volatile long committerWakesAt = Long.MIN_VALUE;
    private volatile boolean closed;
    private long knownEpoch;
    /**
     * The primary that joined, from its handshake (so that two dialing at once cannot both join)
     * until its channel closes; or null.
     */
    private PrimaryRecords primary;
    /**
     * When the last primary's lease surely ended (its channel's last echo + the lease), for
     * fetches. At start, one lease from now: a primary this logger granted a lease before it
     * restarted holds it no longer than that.
     */
    private long primaryLeaseEndsAt;
    /** One lease from the logger's start: no primary granted a lease before it restarted holds one after this. */
    private final long startLeaseEndsAt;
    /** The primary channel retired last (what a liveness answer is about), or null. */
    private PrimaryRecords lastRetired;
    private long grantedEpoch;
    private long grantedAt;
    private boolean grantPending;
    /** The epoch known before the pending grant: what a grant whose answer was never sent gives back. */
    private long epochBeforeGrant;
    private long acknowledged;
    /** A standby asks every couple of seconds: say why it waits once. */
    private boolean quietWaits;
    /** Completed with the error once the log failed (see {@link #logFailed()}). */
    private final CompletableFuture<IOException> logFailed = new CompletableFuture<>();

    private ClusterLog(String cluster, Path directory, LogConfig config, RetentionPolicy policy, long leaseNanos, long grantNanos,
                       int lingeringConnections, long lingeringPayloadBytes, long maxCatchUpFill)
            throws IOException {
        this.cluster = cluster;
        this.config = config;
        this.policy = policy;
        this.lingeringConnections = lingeringConnections;
        this.lingeringPayloadBytes = lingeringPayloadBytes;
        this.maxCatchUpFill = maxCatchUpFill;
        this.leaseNanos = leaseNanos;
        this.grantNanos = grantNanos;
        this.epochFile = new EpochFile(directory);
        this.generations = new LogGenerations(directory);
        this.committer = Thread.ofPlatform().daemon().name("fttcp-logger-" + cluster).unstarted(this::commitLoop);
        java.nio.file.Files.createDirectories(directory);
        this.generation = generations.current();
        if (generation > 0 && !java.nio.file.Files.isDirectory(generations.directoryOf(generation))) {
            throw new IOException(directory.resolve("GENERATION") + " names log generation " + generation + " but "
                    + generations.directoryOf(generation) + " is missing: restore it, or remove the GENERATION file to fall back on the"
                    + " cluster's first generation (records appended since would be lost)");
        }
        int leftOver = generations.removeAllBut(generation);
        if (leftOver > 0) {
            LOG.log(INFO, "cluster '" + cluster + "': removed " + leftOver + " log generation(s) other than the current one, " + generation
                    + " (an interrupted switch, or an old generation not yet deleted)");
        }
        this.log = openLog(generation);
        this.retained = newRetainedSet();
        try {
            this.incomplete = withinTheLog(IncompleteMark.read(generations.directoryOf(generation)), generations.directoryOf(generation));
            this.knownEpoch = epochFile.read();
            rebuildRetained();
        } catch (IOException | RuntimeException e) {
            log.close();
            throw e;
        }
        this.acknowledged = log.durableLsn();
        this.startLeaseEndsAt = System.nanoTime() + leaseNanos;
        this.primaryLeaseEndsAt = startLeaseEndsAt;
        committer.start();
    }

    /**
     * The mark as far as the recovered log reaches: it is stored before the records it covers
     * are forced, so a crash can leave it past the log's end (a fetch then failed on every
     * recovery). Records lost with the crash need no mark; with none left, nothing is restored.
     */
    private IncompleteMark withinTheLog(IncompleteMark mark, Path directory) throws IOException {
        if (mark == null || mark.throughLsn() <= log.lastLsn()) return mark;
        LOG.log(WARNING, "cluster '" + cluster + "': the incomplete mark reaches LSN " + mark.throughLsn() + ", past the recovered log's last, "
                + log.lastLsn() + " (records lost with a crash): it covers the log's records" + (log.lastLsn() == 0 ? ", none" : ""));
        // Rewritten (or removed) at once: a mark left as it was would, once the log grew past it, cover records it never meant.
        if (log.lastLsn() == 0) {
            java.nio.file.Files.deleteIfExists(directory.resolve(IncompleteMark.FILE));
            return null;
        }
        IncompleteMark clamped = new IncompleteMark(log.lastLsn(), mark.roster());
        clamped.write(directory);
        return clamped;
    }

    /** Opens (recovering) the log of {@code cluster} in {@code directory}. */
    static ClusterLog open(String cluster, Path directory, LogConfig config, RetentionPolicy policy, long leaseNanos, long grantNanos,
                          int lingeringConnections, long lingeringPayloadBytes, long maxCatchUpFill)
            throws IOException {
        ClusterLog c = new ClusterLog(cluster, directory, config, policy, leaseNanos, grantNanos, lingeringConnections, lingeringPayloadBytes,
                maxCatchUpFill);
        LOG.log(c.log.recoveryReport().cut() ? WARNING : INFO, "cluster '" + cluster + "': " + c.log.recoveryReport()
                + "; epoch " + c.knownEpoch + "; " + c.retainedStatus());
        if (c.incomplete != null) {
            LOG.log(WARNING, "cluster '" + cluster + "': the records through LSN " + c.incomplete.throughLsn() + " are incomplete (a catch-up broke"
                    + " off): a recovery restores none of their connections and resets their clients");
        }
        return c;
    }

    /**
     * Completes, once, with the error when this cluster's log failed: it refuses everything from
     * then on (what a failed write or force left on disk is unknown), and only opening it again,
     * which recovers it from disk, brings it back. The logger then stops, for its supervisor to
     * start it again ({@link LoggerHost#failure()}).
     */
    CompletableFuture<IOException> logFailed() {
        return logFailed;
    }

    /** After an I/O error: says so if it failed the log (a slow force, say, does not). */
    private void noteIfTheLogFailed() {
        IOException failure = log.failure();
        if (failure != null) logFailed.complete(failure);
    }

    private RecordLog openLog(long generation) throws IOException {
        return RecordLog.open(generations.directoryOf(generation), config, () -> LockSupport.unpark(committer));
    }

    private RetainedIndex newRetainedSet() {
        return new RetainedIndex(policy, lingeringConnections, lingeringPayloadBytes);
    }

    private void rebuildRetained() throws IOException {
        if (log.isEmpty()) return;
        try (LogCursor cursor = log.read(log.firstLsn())) {
            while (cursor.next()) retained.add(cursor.lsn(), cursor.record());
        }
    }

    /** This cluster's numbers, labelled with its id. */
    List<Reading> readings(String clusterId) {
        lock.lock();
        try {
            return Stream.of(
                    Reading.gauge("fttcp_logger_last_lsn", "LSN of the last record appended", log.lastLsn()),
                    Reading.gauge("fttcp_logger_durable_lsn", "Highest LSN stored as the fsync policy says (acknowledged)", log.durableLsn()),
                    Reading.gauge("fttcp_logger_first_lsn", "LSN of the first record kept", log.firstLsn()),
                    Reading.gauge("fttcp_logger_segments", "Segment files in the log", log.segmentCount()),
                    Reading.counter("fttcp_logger_forces", "Forces (fdatasync) since this generation's log was opened (a new generation starts again at 0)", log.forces()),
                    Reading.counter("fttcp_logger_written_bytes", "Frame bytes written to segment files since this generation's log was opened", log.bytesWritten()),
                    Reading.gauge("fttcp_logger_live_connections", "Live connections whose records are kept", retained.liveConnections()),
                    Reading.gauge("fttcp_logger_kept_records", "Records kept for a recovery", retained.retainedRecords()),
                    Reading.gauge("fttcp_logger_generation", "The log's generation (a catch-up starts a new one)", generation))
                    .map(r -> r.labelled("cluster", clusterId)).toList();
        } finally {
            lock.unlock();
        }
    }

    String retainedStatus() {
        lock.lock();
        try {
            return "records " + log.firstLsn() + ".." + log.lastLsn() + " durable " + log.durableLsn() + ", live connections "
                    + retained.liveConnections() + " (" + retained.retainedRecords() + " records kept, " + log.segmentCount() + " segment(s))"
                    + ", generation " + generation + (replaced != null ? " (catching up; replaces " + replaced.generation + ")" : "");
        } finally {
            lock.unlock();
        }
    }

    // ---- a primary's records ---------------------------------------------------------------

    /**
     * A primary's handshake: who may append. While another channel of the cluster's primary is
     * open, waits for it to close (a primary that lost its connection without a FIN redials before
     * this side's detection timeout, and a refused primary steps down), then refuses.
     */
    LoggerSessions.Join join(Handshake primaryHandshake, java.util.function.Supplier<LoggerChannel> channel) throws HandshakeException {
        long giveUpAt = System.nanoTime() + JOIN_WAIT_NANOS;
        while (true) {
            lock.lock();
            try {
                long epoch = primaryHandshake.epoch();
                if (epoch < 0 || epoch > LARGEST_EPOCH) {
                    // Stored, it would stop the logger's next start (negative) or overflow the next recovery's grant (the largest).
                    throw new HandshakeException("primary states epoch " + epoch + " for cluster '" + cluster + "': an epoch runs from 0 to "
                            + LARGEST_EPOCH + ", so that a recovery can be granted the next one");
                }
                if (epoch < knownEpoch) {
                    throw new HandshakeException("primary at epoch " + epoch + " is superseded: this logger granted epoch " + knownEpoch
                            + " of cluster '" + cluster + "' to a recovered server");
                }
                if (primary != null && primary.channelClosed()) retire("closed");
                if (primary == null) return joinNow(epoch, primaryHandshake.lsn(), primaryHandshake.unprotectedAfterMillis(), channel);
                if (closed || System.nanoTime() - giveUpAt > 0) {
                    throw new HandshakeException("cluster '" + cluster + "' already has a primary connected (" + primary.channel.get().peerAddress() + ")");
                }
            } finally {
                lock.unlock();
            }
            LockSupport.parkNanos(WAIT_STEP_NANOS);
        }
    }

    /**
     * The cluster has no primary now: the caller holds the lock. A primary announcing records
     * beyond what this log holds ({@code next} past its last LSN + 1) dropped them as stable while
     * it ran without us: it gets a new generation, and the answer that we hold nothing.
     */
    private LoggerSessions.Join joinNow(long epoch, long next, int unprotectedAfterMillis, java.util.function.Supplier<LoggerChannel> channel)
            throws HandshakeException {
        if (grantPending && epoch != grantedEpoch && System.nanoTime() - grantedAt < grantNanos) {
            throw new HandshakeException("cluster '" + cluster + "' is being recovered at epoch " + grantedEpoch + "; epoch " + epoch + " may not join");
        }
        forceHeld();
        if (epoch > knownEpoch) persistEpoch(epoch);
        grantPending = false;
        long held = log.lastLsn();
        if (!log.isEmpty() && next > held + 1) {
            startGeneration(next, held);
            held = 0;
        }
        catchUpRoster = next > held + 1 ? new ArrayList<>() : null; // the primary dropped records as stable: a catch-up comes
        catchUpUnderWay = false;
        catchUpFilled = 0;
        primary = new PrimaryRecords(channel, TimeUnit.MILLISECONDS.toNanos(unprotectedAfterMillis));
        return new LoggerSessions.Join(held, knownEpoch, primary);
    }

    /** What a re-join's new generation replaces once its catch-up is complete. */
    private record Replaced(long generation, RecordLog log, RetainedIndex retained, long acknowledged) {
    }

    /** A re-joining primary's catch-up goes into a new generation (the caller holds the lock). */
    private void startGeneration(long next, long held) throws HandshakeException {
        long fresh = generation + 1;
        RecordLog freshLog;
        try {
            generations.remove(fresh); // an earlier attempt's, if its removal failed
            freshLog = openLog(fresh);
        } catch (IOException e) {
            throw new HandshakeException("cluster '" + cluster + "': cannot start log generation " + fresh + ": " + e.getMessage());
        }
        replaced = new Replaced(generation, log, retained, acknowledged);
        log = freshLog;
        retained = newRetainedSet();
        generation = fresh;
        acknowledged = 0;
        LOG.log(WARNING, "cluster '" + cluster + "': the primary comes back after running without this logger: it dropped records up to LSN "
                + (next - 1) + " as stable, this log holds up to " + held + "; its catch-up of the live connections starts generation " + fresh
                + ", which replaces generation " + replaced.generation() + " once complete");
    }

    /**
     * The catch-up is complete (the caller holds the lock, and has filled the log up to it): once
     * it is durable, the new generation becomes the current one on disk, and the old is deleted.
     */
    private void commitGeneration(long now) throws IOException {
        awaitDurable(now);
        try {
            generations.switchTo(generation);
        } catch (IOException e) {
            // Renamed but not forced, say: what the file says now is what a restart reads.
            if (generations.current() != generation) throw e;
            LOG.log(WARNING, "cluster '" + cluster + "': switching to log generation " + generation + " reported " + e.getMessage()
                    + ", but the switch is in place");
        }
        Replaced old = replaced;
        replaced = null;
        incomplete = null; // the old generation's mark goes with it
        incompleteStored = true;
        LOG.log(INFO, "cluster '" + cluster + "': log generation " + generation + " (records " + log.firstLsn() + ".." + log.lastLsn() + ", "
                + retained.liveConnections() + " live connection(s)) replaces generation " + old.generation() + " (records "
                + old.log().firstLsn() + ".." + old.log().lastLsn() + ")");
        try {
            old.log().close();
            generations.remove(old.generation());
        } catch (IOException e) { // the next start removes it
            LOG.log(WARNING, "cluster '" + cluster + "': could not delete log generation " + old.generation() + ": " + e.getMessage());
        }
    }

    /** The re-join's new generation is dropped, the one it would have replaced current again (the caller holds the lock). */
    private void abandonGeneration(String why) {
        Replaced old = replaced;
        if (old == null) return;
        replaced = null;
        long dropped = generation;
        try {
            log.close();
            generations.remove(dropped);
        } catch (IOException e) { // the next start removes it
            LOG.log(WARNING, "cluster '" + cluster + "': could not delete log generation " + dropped + ": " + e.getMessage());
        }
        log = old.log();
        retained = old.retained();
        generation = old.generation();
        acknowledged = old.acknowledged();
        LOG.log(WARNING, "cluster '" + cluster + "': log generation " + dropped + " dropped (" + why + "); generation " + generation + " stays");
    }

    /** Forces what is stored and waits until it is durable (background forces complete on the log's thread). */
    private void awaitDurable(long now) throws IOException {
        if (log.durableLsn() >= log.lastLsn()) return;
        log.sync(now);
        long giveUpAt = now + FORCE_WAIT_NANOS;
        while (log.durableLsn() < log.lastLsn()) {
            if (System.nanoTime() - giveUpAt > 0) throw new IOException("the log's force takes more than " + FORCE_WAIT_NANOS / 1_000_000 + " ms");
            LockSupport.parkNanos(WAIT_STEP_NANOS);
            log.commit(System.nanoTime()); // takes in the completed force
        }
    }

    /**
     * Forces what was written and waits until it is durable: the answer to a primary's handshake
     * says what this logger holds, and the primary takes all of it as stored (a primary that
     * reconnects within a batch window would otherwise count unforced records as acknowledged).
     */
    private void forceHeld() throws HandshakeException {
        try {
            awaitDurable(System.nanoTime());
        } catch (IOException e) {
            noteIfTheLogFailed();
            throw new HandshakeException("cannot force the log of cluster '" + cluster + "': " + e.getMessage() + "; ask again");
        }
    }

    private void persistEpoch(long epoch) throws HandshakeException {
        try {
            epochFile.write(epoch);
            knownEpoch = epoch;
        } catch (IOException e) {
            throw new HandshakeException("cannot store epoch " + epoch + " of cluster '" + cluster + "': " + e.getMessage());
        }
    }

    /** The records of one primary's channel: appended, committed per the fsync policy, acknowledged once durable. */
    private final class PrimaryRecords implements ChannelListener {
        private final java.util.function.Supplier<LoggerChannel> channel;
        /** Its session is up: it takes acknowledgements. Guarded by the lock. */
        private boolean connected;
        /** How soon after losing us it may serve on without us (its handshake's); 0: never. */
        private final long unprotectedAfterNanos;
        /** Once retired (guarded by the lock, as the fields below): when we last heard it. */
        private long heardLastAt;
        /** Its lease still ran when its channel ended: alive, it served on at once. */
        private boolean leaseRanAtItsEnd;
        /** Its liveness port answered after its channel ended: it was alive then. */
        private boolean livedPastItsChannel;
        /** Its liveness port was refused, at {@link #foundGoneAt}: its process was gone. */
        private boolean foundGone;
        private long foundGoneAt;
        /** Its records were marked incomplete for a recovery (once is enough: the mark stays with the generation). */
        private boolean pastTheLogMarked;

        PrimaryRecords(java.util.function.Supplier<LoggerChannel> channel, long unprotectedAfterNanos) {
            this.channel = channel;
            this.unprotectedAfterNanos = unprotectedAfterNanos;
        }

        /** Also true of a channel that closed before it could tell us. */
        boolean channelClosed() {
            return channel.get().isClosed();
        }

        @Override
        public void onConnected(Handshake peer) {
            lock.lock();
            try {
                connected = true;
            } finally {
                lock.unlock();
            }
            LOG.log(INFO, "cluster '" + cluster + "': primary " + channel.get().peerAddress() + " joined at epoch " + peer.epoch()
                    + " (it resends after LSN " + log.lastLsn() + ")");
        }

        /**
         * After a catch-up the primary holds everything up to {@code lsn} as stored here: fill the
         * log up to it, or a reconnection before the next record would find records missing.
         */
        @Override
        public void onCaughtUp(long lsn) {
            store(now -> {
                if (log.lastLsn() < lsn) {
                    if (log.isEmpty()) log.append(lsn, GAP, now); // an empty catch-up: the log starts here
                    fillBelow(lsn + 1, "its CAUGHT_UP", lsn, now);
                }
                if (replaced != null) commitGeneration(now);
                catchUpRoster = null; // only once committed: a commit that fails closes the channel, and the catch-up broke off
            });
        }

        @Override
        public void onRoster(List<RosterEntry> entries) {
            lock.lock();
            try {
                if (primary == this && catchUpRoster != null) catchUpRoster.addAll(entries);
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void onRecords(long firstLsn, List<Record> records) {
            store(now -> {
                if (catchUpRoster != null && !catchUpUnderWay) {
                    catchUpUnderWay = true;
                    LOG.log(INFO, "cluster '" + cluster + "': catch-up under way (its roster names " + catchUpRoster.size() + " connection(s))");
                }
                long lsn = firstLsn;
                for (Record r : records) {
                    if (!log.isEmpty()) fillBelow(lsn, "its next record", lsn, now);
                    log.append(lsn, r, now);
                    retained.add(lsn, r);
                    lsn++;
                }
            });
        }

        /**
         * Fills the LSNs from the log's next up to {@code end} (exclusive) with {@link #GAP}s
         * (the caller holds the lock), or refuses the catch-up if that takes it past
         * {@link #maxCatchUpFill}: nothing is filled then. {@code by} and {@code byLsn} say what
         * comes after the gap, for the refusal.
         */
        private void fillBelow(long end, String by, long byLsn, long now) throws IOException {
            long gap = end - log.nextLsn();
            if (gap <= 0) return;
            if (gap > maxCatchUpFill - catchUpFilled) {
                throw new CatchUpRefused("the primary's catch-up leaves LSNs " + log.nextLsn() + ".." + (end - 1) + " without a record (" + by
                        + " is at LSN " + byLsn + "): " + gap + " LSNs to fill with empty records, past the " + (maxCatchUpFill - catchUpFilled)
                        + " left of the " + maxCatchUpFill + " this logger fills for one catch-up");
            }
            for (long n = 0; n < gap; n++) log.append(log.nextLsn(), GAP, now);
            catchUpFilled += gap;
        }

        /**
         * Appends (under the lock) and commits what this channel brought, then acknowledges what is
         * durable. A replaced channel's reader may still hand over its last batch: the new one
         * resends those LSNs, so it is ignored. A log that fails closes the channel, and so does
         * a catch-up refused, telling the primary why.
         */
        private void store(LogAppend append) {
            long now = System.nanoTime();
            long deadline;
            lock.lock();
            try {
                if (primary != this) return;
                append.to(now);
                log.commit(now);
                deadline = log.commitDeadline();
            } catch (CatchUpRefused e) {
                LOG.log(WARNING, "cluster '" + cluster + "': " + e.getMessage() + ": refused, closing the primary's channel");
                channel.get().close(e.getMessage());
                return;
            } catch (IOException e) {
                LOG.log(ERROR, "cluster '" + cluster + "': cannot store records: " + e + "; closing the primary's channel");
                noteIfTheLogFailed();
                channel.get().close();
                return;
            } finally {
                lock.unlock();
            }
            acknowledgeDurable();
            // Only a commit due before the committer's own wake-up needs it now: waking it for every
            // read of the channel cost a thread switch and a turn of the lock per read.
            if (deadline != Long.MAX_VALUE && (deadline == Long.MIN_VALUE || deadline - committerWakesAt < 0)) {
                LockSupport.unpark(committer);
            }
        }

        @Override
        public void onClosed(CloseReason reason) {
            lock.lock();
            try {
                if (primary == this) retire(reason.toString());
            } finally {
                lock.unlock();
            }
            LOG.log(WARNING, "cluster '" + cluster + "': primary's channel closed (" + reason + ")");
            if (reason.kind() == CloseReason.Kind.PEER_CLOSED) askWhetherGone();
        }

        /**
         * The channel closed without a word: a crash, or a primary that gave it up alive and whose
         * REJECT was lost. Asks its liveness port (if it named one): refused means its process is
         * gone, and a dead process emits nothing, so a recovery need not wait for its lease.
         */
        private void askWhetherGone() {
            InetSocketAddress at = channel.get().primaryLivenessAddress();
            if (at == null) return;
            Thread.ofVirtual().name("fttcp-logger-liveness-" + cluster).start(() -> {
                PrimaryProbe.Answer answer = PrimaryProbe.ask(at, Duration.ofNanos(leaseNanos));
                if (answer != PrimaryProbe.Answer.DEAD) {
                    LOG.log(INFO, "cluster '" + cluster + "': the primary's liveness port " + at + " gave " + answer
                            + ": a recovery waits out its lease");
                    if (answer == PrimaryProbe.Answer.ALIVE) {
                        lock.lock();
                        try {
                            livedPastItsChannel = true;
                        } finally {
                            lock.unlock();
                        }
                    }
                    return;
                }
                lock.lock();
                try {
                    if (lastRetired != this || primary != null) return; // another primary came since: its own lease counts
                    long now = System.nanoTime();
                    foundGone = true;
                    foundGoneAt = now;
                    long end = startLeaseEndsAt - now > 0 ? startLeaseEndsAt : now;
                    if (end - primaryLeaseEndsAt < 0) primaryLeaseEndsAt = end;
                } finally {
                    lock.unlock();
                }
                LOG.log(INFO, "cluster '" + cluster + "': the primary's process is gone (its liveness port " + at
                        + " refused): a recovery need not wait out its lease");
            });
        }

        /**
         * Whether this retired primary may have served its clients past what this log holds
         * ({@link StaleCopy}; the caller holds the lock): never if it does not serve without us
         * (the {@code stall} policy), nor if it was found gone before its claim window could
         * end; if it lived on after a channel that ended while its lease ran (it serves on at
         * once then); else if {@code now} is a claim window past the last we heard of it. (A
         * lease that ran at the end alone says nothing: a killed process's kernel ends the
         * channel so too, and one alive after a lease that had run out stays fenced for its
         * window.) A second recovery, after one that did not join in time, is judged afresh:
         * the primary may have lived and served on meanwhile, for all we know.
         */
        boolean mayHaveServedPastTheLog(long now) {
            if (unprotectedAfterNanos == 0) return false;
            if (foundGone && !StaleCopy.possible(heardLastAt, foundGoneAt, unprotectedAfterNanos)) return false;
            return leaseRanAtItsEnd && livedPastItsChannel || StaleCopy.possible(heardLastAt, now, unprotectedAfterNanos);
        }
    }

    /**
     * The primary's channel is closed (its onClosed may not have come yet): from now on it holds no
     * claim, and what its reader still hands over is ignored. The caller holds the lock.
     */
    private void retire(String why) {
        // A channel that never echoed granted no lease (and NO_ECHO + lease would overflow): keep the earlier end.
        long echo = primary.channel.get().lastEchoedReceiptNanos();
        boolean leased = echo != Lease.NO_ECHO;
        if (leased && echo + leaseNanos - primaryLeaseEndsAt > 0) primaryLeaseEndsAt = echo + leaseNanos;
        primary.heardLastAt = primary.channel.get().lastHeardNanos();
        primary.leaseRanAtItsEnd = leased && echo + leaseNanos - System.nanoTime() > 0;
        lastRetired = primary;
        primary = null;
        abandonGeneration("the primary's channel closed before its catch-up completed: " + why);
        if (catchUpRoster != null) markIncomplete(catchUpRoster);
        catchUpRoster = null;
    }

    /**
     * A catch-up broke off with its primary: the current generation (the one it would have
     * replaced, or an empty log it was filling) is behind what the primary served meanwhile,
     * so a recovery from it must restore none of its connections (the caller holds the lock).
     */
    private void markIncomplete(List<RosterEntry> roster) {
        if (log.lastLsn() == 0) {
            LOG.log(WARNING, "cluster '" + cluster + "': a catch-up broke off before its first record: a recovery finds nothing to restore, and"
                    + " cannot reset the " + roster.size() + " client(s) its roster named");
            return;
        }
        markThroughLastRecord(roster);
        LOG.log(WARNING, "cluster '" + cluster + "': the primary was lost during its catch-up: the records through LSN " + log.lastLsn()
                + " are incomplete; a recovery restores none of their connections and resets their clients (" + incomplete.roster().size()
                + " named by the roster)");
    }

    /** Marks the records through the last one stored incomplete (the caller holds the lock, and checked the log holds some). */
    private void markThroughLastRecord(List<RosterEntry> roster) {
        long through = log.lastLsn();
        incomplete = incomplete == null ? new IncompleteMark(through, roster) : incomplete.merge(through, roster);
        incompleteStored = false;
        storeIncomplete();
    }

    /** Appends to the log at {@code now} (the lock held). */
    @FunctionalInterface
    private interface LogAppend {
        void to(long now) throws IOException;
    }

    /** A catch-up this logger does not store (its primary is told why; the log is sound). */
    private static final class CatchUpRefused extends IOException {
        CatchUpRefused(String message) {
            super(message);
        }
    }

    /** Tells the primary what is durable now. */
    private void acknowledgeDurable() {
        LoggerChannel c;
        long durable;
        lock.lock();
        try {
            durable = log.durableLsn();
            if (primary == null || !primary.connected || durable <= acknowledged) return;
            c = primary.channel.get();
            acknowledged = durable;
        } finally {
            lock.unlock();
        }
        try {
            c.acknowledge(durable);
        } catch (RuntimeException e) { // a channel closing under us: its successor is acknowledged afresh
            LOG.log(WARNING, "cluster '" + cluster + "': could not acknowledge LSN " + durable + ": " + e.getMessage());
        }
    }

    /** Commits when the batch window ends and picks up background forces; drops dead segments. */
    private void commitLoop() {
        long lastTruncation = System.nanoTime();
        while (!closed) {
            long wait;
            lock.lock();
            try {
                long now = System.nanoTime();
                log.commit(now);
                if (now - lastTruncation > TimeUnit.SECONDS.toNanos(1)) {
                    lastTruncation = now;
                    long oldest = retained.oldestRetainedLsn();
                    log.truncateBefore(oldest == 0 ? log.lastLsn() + 1 : oldest);
                }
                long deadline = log.commitDeadline();
                wait = deadline == Long.MAX_VALUE ? TimeUnit.MILLISECONDS.toNanos(100) : Math.max(10_000, deadline - now);
                committerWakesAt = now + wait;
            } catch (IOException e) {
                if (closed) return; // closed between the loop's check and the lock: no failure
                LOG.log(ERROR, "cluster '" + cluster + "': log failed: " + e + "; nothing more is acknowledged");
                noteIfTheLogFailed();
                return;
            } finally {
                lock.unlock();
            }
            acknowledgeDurable();
            LockSupport.parkNanos(wait);
        }
    }

    // ---- a recovering server's fetch ---------------------------------------------------------

    /**
     * Serves a recovery: waits until the cluster has no primary and no recovery on its way,
     * then until the old primary's lease is surely over, forces the log, grants the next epoch
     * and returns the live connections' records through the last one stored. Grants nothing
     * within {@link #FETCH_ANSWER_MARGIN_NANOS} of {@code answerBy} (when the requester's channel
     * closes unanswered): a grant its requester never hears blocks every other recovery.
     */
    LoggerSessions.Fetch fetch(Handshake requester, long answerBy) throws HandshakeException {
        boolean told = false;
        long arrived = System.nanoTime();
        long grantBy = answerBy - Math.min(FETCH_ANSWER_MARGIN_NANOS, Math.max(0, answerBy - arrived) / 4);
        long waitUntil = arrived + FETCH_WAIT_NANOS;
        long giveUpAt = grantBy - waitUntil < 0 ? grantBy : waitUntil;
        while (!closed) {
            lock.lock();
            try {
                long now = System.nanoTime();
                if (now - giveUpAt > 0) {
                    // Within the requester's handshake timeout: it asks again, and is served at once when the time comes.
                    throw new HandshakeException("cluster '" + cluster + "' still has its primary (or a recovery on its way): ask again");
                }
                if (primary != null && primary.channelClosed()) retire("closed");
                boolean primaryUp = primary != null;
                boolean recovering = grantPending && now - grantedAt < grantNanos;
                boolean servable = !primaryUp && !recovering && now - primaryLeaseEndsAt >= 0;
                if (servable && lastRetired != null && !lastRetired.pastTheLogMarked && lastRetired.mayHaveServedPastTheLog(now) && log.lastLsn() > 0) {
                    // Its clients may be past these records: a recovery must restore none of their connections.
                    lastRetired.pastTheLogMarked = true;
                    markThroughLastRecord(List.of());
                    LOG.log(WARNING, "cluster '" + cluster + "': the primary (logger.on-loss = continue) was last heard "
                            + (now - lastRetired.heardLastAt) / 1_000_000 + " ms ago" + (lastRetired.leaseRanAtItsEnd && lastRetired.livedPastItsChannel
                            ? ", alive after its channel ended while its lease still ran" : "")
                            + ": it may have served its clients past this log, so the records through LSN " + log.lastLsn()
                            + " are marked incomplete; a recovery restores none of their connections and resets their clients");
                }
                if (servable && durableAfterSync(now) && storeIncomplete()) {
                    long epoch = nextEpoch();
                    long through = log.lastLsn();
                    // The records' payloads are read from the log as they are sent (not all in memory, nor in the handshake's time).
                    LogCatchUp records = retained.catchUp(log, through);
                    long before = knownEpoch;
                    try {
                        persistEpoch(epoch);
                    } catch (HandshakeException e) {
                        records.close();
                        throw e;
                    }
                    epochBeforeGrant = before;
                    grantedEpoch = epoch;
                    grantedAt = now;
                    grantPending = true;
                    LOG.log(INFO, "cluster '" + cluster + "': serving a recovery at epoch " + epoch + ": " + records.size()
                            + " record(s) of " + retained.liveConnections() + " live connection(s), through LSN " + through
                            + (incomplete == null ? "" : "; those through LSN " + incomplete.throughLsn() + " incomplete, " + incomplete.roster().size()
                            + " client(s) to reset"));
                    if (through == 0) return new LoggerSessions.Fetch(epoch, 0, List.of());
                    return incomplete == null ? new LoggerSessions.Fetch(epoch, through, records)
                            : new LoggerSessions.Fetch(epoch, through, records, incomplete.throughLsn(), incomplete.roster());
                }
                if (!told && !quietWaits) {
                    quietWaits = true;
                    LOG.log(INFO, "cluster '" + cluster + "': a recovering server waits: " + (primaryUp ? "its primary is connected"
                            : recovering ? "another recovery is on its way" : "the old primary's lease is running out"));
                    told = true;
                }
            } catch (HandshakeException e) {
                throw e;
            } catch (IOException e) {
                noteIfTheLogFailed();
                throw new HandshakeException("cannot force or read the log of cluster '" + cluster + "': " + e.getMessage());
            } finally {
                lock.unlock();
            }
            LockSupport.parkNanos(WAIT_STEP_NANOS);
        }
        throw new HandshakeException("the logger is shutting down");
    }

    /**
     * The answer to {@code fetch} was never sent (its channel closed first: the requester's
     * handshake timed out while the fetch waited). Its grant is withdrawn and its epoch given
     * back: nobody learned of either, and the next recovery would otherwise be told to ask again
     * for the whole grant, the old primary refused as superseded though no one replaced it.
     */
    void withdraw(LoggerSessions.Fetch fetch) {
        lock.lock();
        try {
            if (!grantPending || grantedEpoch != fetch.epoch()) return;
            grantPending = false;
            String epochNow = "";
            if (knownEpoch == grantedEpoch) {
                try {
                    epochFile.write(epochBeforeGrant);
                    knownEpoch = epochBeforeGrant;
                } catch (IOException e) { // a newer epoch than needed only fences harder
                    epochNow = "; epoch " + knownEpoch + " stays (" + e.getMessage() + ")";
                }
            }
            LOG.log(WARNING, "cluster '" + cluster + "': the recovery granted epoch " + fetch.epoch() + " never got the answer (its channel closed"
                    + " first): the grant is withdrawn" + epochNow);
        } finally {
            lock.unlock();
        }
    }

    /** The epoch a recovery is granted now (the caller holds the lock); refused, never wrapped round, once they are used up. */
    private long nextEpoch() throws HandshakeException {
        if (knownEpoch >= LARGEST_EPOCH) {
            throw new HandshakeException("cluster '" + cluster + "' has granted epoch " + knownEpoch + ": its epochs are used up (the largest"
                    + " there is, " + Long.MAX_VALUE + ", is never granted); its EPOCH file must be reset by hand, with every server of the"
                    + " cluster stopped");
        }
        return knownEpoch + 1;
    }

    /**
     * Writes the incomplete mark (the caller holds the lock); false if it could not. A recovery
     * is not served until it is on disk: served, a logger restart before the recovered server
     * had logged its connections given up would forget the mark and restore them the next time.
     */
    private boolean storeIncomplete() {
        if (incompleteStored) return true;
        try {
            incomplete.write(generations.directoryOf(generation));
            incompleteStored = true;
            incompleteFailure = null;
        } catch (IOException e) {
            String said = "could not store the incomplete mark of log generation " + generation + ": " + e.getMessage();
            if (!said.equals(incompleteFailure)) { // once per distinct failure: a waiting recovery asks every few ms
                LOG.log(ERROR, "cluster '" + cluster + "': " + said + "; no recovery is served until it is stored");
            }
            incompleteFailure = said;
        }
        return incompleteStored;
    }

    /** Forces what is stored; true once all of it is durable (background forces complete on the log's thread). */
    private boolean durableAfterSync(long now) throws IOException {
        if (log.durableLsn() >= log.lastLsn()) return true;
        log.sync(now);
        return log.durableLsn() >= log.lastLsn();
    }

    /** The logger is shutting down: no recovery is served from now on (its primary's channel may close first). */
    void stopServing() {
        closed = true;
    }

    @Override
    public void close() throws IOException {
        closed = true;
        LockSupport.unpark(committer);
        lock.lock();
        try {
            if (primary != null) primary.channel.get().close();
            // A re-join's incomplete generation stays on disk as a crash would leave it: the next start removes it.
            if (replaced != null) replaced.log().close();
            log.close();
        } finally {
            lock.unlock();
        }
    }
}
