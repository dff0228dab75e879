package io.fttcp.roles.primary;

import io.fttcp.replication.channel.ChannelConfig;
import io.fttcp.replication.channel.PrimaryChannel;
import io.fttcp.replication.record.LoggedRecord;
import io.fttcp.replication.record.Record;
import io.fttcp.replication.retention.LiveRecordSet;
import io.fttcp.replication.retention.RetentionPolicy;
import io.fttcp.replication.stream.RecordStream;
import io.fttcp.roles.config.FtConfig;
import io.fttcp.roles.metrics.Reading;
import io.fttcp.wrappers.nsw.DeterminantLog;
import io.fttcp.wrappers.ssw.RecordSink;

import java.util.List;

import static java.lang.System.Logger.Level.INFO;
import static java.lang.System.Logger.Level.WARNING;

/**
 * The primary's one ordered record stream, as both wrappers see it: the south side's
 * {@link RecordSink} and the north side's {@link DeterminantLog}. Records go to the
 * {@link RecordStream} that the replication channel sends from; while nothing protects the
 * service they are numbered but not sent, and every LSN counts as stable.
 *
 * <p>Every record is also offered to the {@link LiveRecordSet}, which keeps those of the live
 * connections: what a new backup (or logger) catches up from when it joins a primary whose
 * stream already dropped them (re-protection), and what a promoted backup inherits. Past
 * {@code replication.retention-limit} the set is given up; the connections live then are
 * followed without their bytes and a fresh set keeps what comes next, served once they are all
 * finished ({@link #giveUp}, {@link #completeAgain}).
 *
 * <p>Thread-safe. Lock order: this log, then the stream's monitor, then the retained set's.
 * The channel's handshake snapshots the retained set while it holds the stream's monitor.
 */
final class ReplicationLog implements RecordSink, DeterminantLog {
    private static final System.Logger LOG = System.getLogger("fttcp.primary");
    private final ChannelConfig channelConfig;
    private volatile LiveRecordSet retained;
    /** Above this many retained client bytes the retained set is given up (memory, and the collector's work). */
    private final long retentionLimitBytes;
    /** Why no catch-up can be served now, or null while the retained set is complete. */
    private volatile String retentionLost;
    /** Under EVERYTHING, once given up: nothing is retained any more. */
    private boolean lostForGood;
    /** While a given-up set's connections are not all finished: them; else null. */
    private GivenUpConnections givenUp;
    private volatile int givenUpLive;
    private volatile long givenUpLedgerRecords;
    /** First LSN of the records {@link #retained} has (all of them) since the last time a set was given up. */
    private volatile long freshFrom = 1;
    private volatile RecordStream stream;
    /**
     * The retained records through the LSN a joiner's fresh stream began at, as they were then
     * (see {@link #streamForJoiner}); dropped once that stream's stable LSN passed it.
     */
    private volatile JoinerCatchUp joinerCatchUp;
    private volatile PrimaryChannel channel;
    private volatile Protection protection = Protection.AWAITING_BACKUP;
    /** Highest LSN handed out while unprotected (the stream's numbering continues from it). */
    private long unprotectedLsn;
    private long recordsUnprotected;
    private long awaitingSince = System.nanoTime();
    private boolean servedBefore;

    ReplicationLog(RecordStream stream, ChannelConfig channelConfig, FtConfig.Retention retention) {
        this(stream, channelConfig, retention, FtConfig.DEFAULT_RETENTION_LIMIT_BYTES);
    }

    ReplicationLog(RecordStream stream, ChannelConfig channelConfig, FtConfig.Retention retention, long retentionLimitBytes) {
        this.stream = stream;
        this.channelConfig = channelConfig;
        this.retentionLimitBytes = retentionLimitBytes;
        this.retained = new LiveRecordSet(retention.policy());
    }

    @Override
    public long append(Record record, long now) {
        return append(record);
    }

    @Override
    public synchronized long append(Record record, boolean awaited) {
        RecordStream s = stream;
        synchronized (s) {
            long lsn;
            if (protection == Protection.UNPROTECTED || protection == Protection.STEPPED_DOWN) {
                recordsUnprotected++;
                lsn = ++unprotectedLsn;
            } else {
                PrimaryChannel c = channel;
                lsn = c != null ? c.append(record, awaited) : s.append(record, awaited); // the channel wakes its sender for what is awaited
            }
            retain(lsn, record);
            JoinerCatchUp j = joinerCatchUp;
            if (j != null && s.stableLsn() > j.throughLsn()) joinerCatchUp = null; // its joiner holds it all
            return lsn;
        }
    }

    private record JoinerCatchUp(long throughLsn, List<LoggedRecord> records) {
    }

    private void retain(long lsn, Record record) {
        if (lostForGood) return;
        LiveRecordSet r = retained;
        synchronized (r) {
            long checkpointsBefore = r.checkpointsApplied();
            r.add(lsn, record);
            GivenUpConnections g = givenUp;
            if (g != null) {
                g.add(record);
                givenUpLive = g.live();
                givenUpLedgerRecords = g.ledgerRecords();
                // Under CHECKPOINTED the checkpoint must come after the last given-up connection went (it is not fed to g).
                if (g.live() == 0 && (r.policy() != RetentionPolicy.CHECKPOINTED || r.checkpointsApplied() > checkpointsBefore)) {
                    completeAgain();
                }
            }
            if (r.retainedPayloadBytes() > retentionLimitBytes) {
                giveUp(r, lsn);
            }
        }
    }

    /**
     * The retained set passed the limit at {@code lsn}: the records of connections live now would
     * be missing from any catch-up. Under EVERYTHING a catch-up needs the whole history: lost for
     * good. Otherwise those connections are followed without their bytes ({@link GivenUpConnections},
     * with those of an earlier given-up set still followed) and a fresh set keeps the records from
     * the next LSN on; catch-ups are served from it once it is complete ({@link #completeAgain}).
     */
    private void giveUp(LiveRecordSet r, long lsn) {
        String passed = "the live connections' records passed " + (retentionLimitBytes >> 20) + " MiB of client bytes at LSN " + lsn
                + " (replication.retention-limit)";
        if (r.policy() == RetentionPolicy.EVERYTHING) {
            lostForGood = true;
            retentionLost = passed + "; under replication.retention = everything a joiner needs the whole history: none can join"
                    + " until this primary restarts";
            retained = new LiveRecordSet(r.policy());
            LOG.log(WARNING, "retained records given up: " + retentionLost);
            return;
        }
        GivenUpConnections g = givenUp != null ? givenUp : new GivenUpConnections();
        g.take(r.snapshot(lsn), r.policy() == RetentionPolicy.CHECKPOINTED && r.checkpointsApplied() > 0);
        boolean checkpointed = r.policy() == RetentionPolicy.CHECKPOINTED;
        // Lost before the fresh set is in place: a joiner reading in between must not be served an empty one.
        retentionLost = passed + "; a backup or logger can join again once the " + g.live() + " connections live then are finished"
                + (checkpointed ? " and a checkpoint is applied after that" : "");
        givenUp = g;
        givenUpLive = g.live();
        givenUpLedgerRecords = g.ledgerRecords();
        freshFrom = lsn + 1;
        retained = new LiveRecordSet(r.policy());
        LOG.log(WARNING, "retained records given up: " + retentionLost);
        if (g.live() == 0 && !checkpointed) completeAgain();
    }

    /**
     * Every connection whose records were given up is finished or superseded (a lingering one
     * is not waited for: restoring it in TIME-WAIT is best-effort, as after an eviction, rule 3),
     * and under CHECKPOINTED the fresh set applied a checkpoint since. The fresh set, which has
     * every record from {@link #freshFrom} on, now holds all a catch-up needs: every live
     * connection's CONNECT is at or after {@link #freshFrom}, so it has all their records, and
     * the global records a catch-up needs are those younger than the oldest retained CONNECT
     * (rule 5), all within it. Under CHECKPOINTED a catch-up starts from the fresh set's latest
     * applied checkpoint, taken when every connection live was one it knows (C2 ignores only
     * entries marked closed of connections it does not know), with its pinned records (C3) and
     * everything since (C4). Connections finished before then are not restored in TIME-WAIT.
     */
    private void completeAgain() {
        givenUp = null;
        givenUpLive = 0;
        retentionLost = null; // volatile: after retained (the fresh set) was written
        LOG.log(INFO, "retained records complete again from LSN " + freshFrom + ": a backup/logger can join");
    }

    /** Why a joiner can not be caught up now (the retained set was given up, and is not complete again yet), or null. */
    String retentionLost() {
        return retentionLost;
    }

    /** A record a replica applied (before it serves): kept for the catch-ups it will serve. */
    synchronized void retainApplied(long lsn, Record record) {
        retain(lsn, record);
    }

    /** The retained records up to {@code throughLsn}: a catch-up (call with the stream's monitor held, as the channel's handshake does). */
    List<LoggedRecord> retainedThrough(long throughLsn) {
        JoinerCatchUp j = joinerCatchUp;
        if (j != null && j.throughLsn() == throughLsn) return j.records();
        String lost = retentionLost;
        if (lost != null) throw new IllegalStateException("no catch-up: " + lost);
        LiveRecordSet r = retained;
        synchronized (r) {
            return r.snapshot(throughLsn);
        }
    }

    /** The kept records as numbers (see {@link #retentionStatus}). */
    List<Reading> retentionReadings() {
        boolean lost = retentionLost != null;
        long connections = 0, records = 0, bytes = 0;
        if (!lost) {
            LiveRecordSet r = retained;
            synchronized (r) {
                connections = r.liveConnections();
                records = r.retainedRecords();
                bytes = r.retainedPayloadBytes();
            }
        }
        return List.of(
                Reading.flag("fttcp_retention_given_up", "1 while the kept records are given up (past replication.retention-limit): no backup can join", lost),
                Reading.gauge("fttcp_retained_connections", "Live connections whose records are kept for a joining backup", connections),
                Reading.gauge("fttcp_retained_records", "Records kept for a joining backup", records),
                Reading.gauge("fttcp_retained_client_bytes", "Client bytes in the kept records", bytes),
                Reading.gauge("fttcp_given_up_connections_live", "While given up: the connections live then that have not finished", lost ? givenUpLive : 0));
    }

    /** For the status line: live connections and records kept; while given up, the given-up connections still live. */
    String retentionStatus() {
        String lost = retentionLost;
        if (lost != null) {
            return "retained=none givenUpConnectionsLive=" + givenUpLive + " givenUpLedgerRecords=" + givenUpLedgerRecords
                    + " keptFromLsn=" + freshFrom + " (given up: " + lost + ")";
        }
        LiveRecordSet r = retained;
        synchronized (r) {
            return "retainedConnections=" + r.liveConnections() + " retainedRecords=" + r.retainedRecords()
                    + " retainedPayloadBytes=" + r.retainedPayloadBytes();
        }
    }

    /**
     * Whether the backup or logger holds every record kept for it: a joiner's catch-up (the
     * retained records of connections served unprotected, whose output has left already) only
     * once a record after it is acknowledged (the joiner's stream starts stable at the catch-up's
     * end, and acknowledges in order: the catch-up first).
     */
    boolean replicaHoldsTheCatchUp() {
        JoinerCatchUp j = joinerCatchUp;
        return j == null || stableLsn() > j.throughLsn();
    }

    @Override
    public long stableLsn() {
        if (protection == Protection.UNPROTECTED) return Long.MAX_VALUE;
        RecordStream s = stream;
        synchronized (s) {
            return s.stableLsn();
        }
    }

    /**
     * What the south-side wrapper is told is stable ({@code onStable}): as {@link #stableLsn()},
     * but while unprotected the last LSN handed out rather than "everything". The wrapper keeps
     * the highest LSN it was told; told "everything" once, it would never hold output or clamp
     * ACKs again after a re-protection. (While unprotected it still releases what is appended
     * later, as it reads {@link #stableLsn()} too.)
     */
    synchronized long stableLsnForWrapper() {
        // Under this log's monitor: a re-protection cannot slip in between reading the protection and the last LSN.
        return protection == Protection.UNPROTECTED ? lastLsn() : stableLsn();
    }

    Protection protection() {
        return protection;
    }

    /** Where this primary stands, as operators are shown it: CATCHING_UP until the joiner holds the catch-up. */
    synchronized Protection reported() {
        return protection == Protection.PROTECTED && !replicaHoldsTheCatchUp() ? Protection.CATCHING_UP : protection;
    }

    RecordStream stream() {
        return stream;
    }

    /**
     * A replica that took over serves from here: its records continue after {@code lastLsn} (the
     * last it applied), unprotected until a backup or logger joins.
     */
    synchronized void promoted(long lastLsn) {
        unprotectedLsn = lastLsn;
        protection = Protection.UNPROTECTED;
        servedBefore = true;
        channel = null;
    }

    /**
     * A backup's (or logger's) channel is up: records flow to it. Only from AWAITING_BACKUP
     * (see {@link #streamForJoiner} for a primary that runs unprotected).
     *
     * @return false if this primary takes no backup now (stepped down, or protected already)
     */
    synchronized boolean protectedBy(PrimaryChannel channel) {
        if (protection != Protection.AWAITING_BACKUP) return false;
        this.channel = channel;
        this.protection = Protection.PROTECTED;
        servedBefore = true;
        return true;
    }

    /**
     * The stream a joining channel must be opened on. A primary running unprotected is
     * re-protected: a fresh stream continues the numbering and keeps what is appended from now
     * on for the joiner, which the channel's handshake first sends the retained records; until
     * the joiner acknowledges, output waits (AWAITING_BACKUP).
     */
    synchronized RecordStream streamForJoiner(long now) {
        if (protection == Protection.UNPROTECTED) {
            RecordStream fresh = channelConfig.newRecordStream();
            fresh.resetTo(unprotectedLsn);
            // The joiner's catch-up is the retained records through here, taken now: under
            // CHECKPOINTED a checkpoint appended before its handshake would, once applied, drop the
            // determinants below it that the catch-up must still carry (the joiner gets that
            // checkpoint later, from the stream, after them).
            if (retentionLost == null) {
                LiveRecordSet r = retained;
                synchronized (r) {
                    joinerCatchUp = new JoinerCatchUp(unprotectedLsn, r.snapshot(unprotectedLsn));
                }
            }
            stream = fresh;
            protection = Protection.AWAITING_BACKUP;
            awaitingSince = now;
        }
        return stream;
    }

    /** When this primary began waiting for a backup (its start, or a re-protection). */
    synchronized long awaitingSince() {
        return awaitingSince;
    }

    /** Whether this primary ever served (protected or not): a failed joiner then returns it to unprotected rather than holding clients. */
    synchronized boolean servedBefore() {
        return servedBefore;
    }

    /**
     * No backup any more: stop keeping records; every LSN is stable from now on. From PROTECTED
     * by {@code lost} (the channel that was lost, still the current one), or, with null, from
     * AWAITING_BACKUP (no backup came).
     *
     * @return whether the primary is now unprotected because of this call
     */
    synchronized boolean unprotected(PrimaryChannel lost) {
        if (lost == null ? protection != Protection.AWAITING_BACKUP : protection != Protection.PROTECTED || channel != lost) return false;
        RecordStream s = stream;
        synchronized (s) {
            unprotectedLsn = Math.max(unprotectedLsn, s.lastLsn());
            protection = Protection.UNPROTECTED;
        }
        servedBefore = true;
        channel = null;
        return true;
    }

    /** The channel failed before it protected anything, or the logger is away and clients stall: wait for the next (if {@code lost} is still the current one). */
    synchronized boolean awaiting(PrimaryChannel lost) {
        if (protection != Protection.PROTECTED && protection != Protection.AWAITING_BACKUP) return false;
        if (lost != null && channel != lost) return false;
        channel = null;
        protection = Protection.AWAITING_BACKUP;
        return true;
    }

    /** Terminal: this primary emits nothing more. */
    synchronized void steppedDown() {
        RecordStream s = stream;
        synchronized (s) {
            // Records still appended (the application winding down) are numbered on, after the stream's.
            unprotectedLsn = Math.max(unprotectedLsn, s.lastLsn());
            protection = Protection.STEPPED_DOWN;
        }
        channel = null;
    }

    PrimaryChannel channel() {
        return channel;
    }

    /** Records appended while unprotected (numbered, not sent). */
    synchronized long recordsUnprotected() {
        return recordsUnprotected;
    }

    synchronized long lastLsn() {
        RecordStream s = stream;
        synchronized (s) {
            return Math.max(s.lastLsn(), unprotectedLsn);
        }
    }
}
