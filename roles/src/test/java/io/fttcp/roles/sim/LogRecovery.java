package io.fttcp.roles.sim;

import io.fttcp.replication.record.Close;
import io.fttcp.replication.record.Connect;
import io.fttcp.replication.record.LoggedRecord;
import io.fttcp.replication.record.Record;
import io.fttcp.replication.retention.LiveRecordSet;
import io.fttcp.replication.retention.RetentionPolicy;
import io.fttcp.stack.tcp.FourTuple;
import io.fttcp.wrappers.nsw.ConnectionImage;
import io.fttcp.wrappers.nsw.ReplayNetwork;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * A recovering server catching up from a logger (issue 4, recovery): the logger keeps the live
 * connections' records in a {@link LiveRecordSet} (connection-scoped retention), fed with its
 * durable records in LSN order; the server takes {@code snapshot(lastDurableLsn)} and replays it
 * into a fresh copy of the application on a fresh north-side wrapper ({@link BackupApplication}
 * on its {@code ReplayNetwork}), which consumes every determinant at once (nothing blocks,
 * nothing waits for packets or timers).
 *
 * <p>To check that retention keeps the right things, the whole durable prefix is also replayed
 * into a reference copy of the application (as a hot backup would have followed it): every
 * connection its {@link ReplayNetwork} still knows must have its CONNECT in the snapshot, and so
 * must every one it finished (both sides closed it), as it lingers: the logger's bounds (1024
 * connections, 32 MiB) are far above what one seed finishes, so nothing is evicted, and the
 * recovered server restores them in TIME-WAIT as a hot backup would. To check that retention
 * really lets go of finished connections once evicted, the same records also go through a
 * witness {@link LiveRecordSet} that keeps none lingering: its snapshot must hold no CONNECT of
 * a finished connection, and be smaller than the log when there are some.
 */
final class LogRecovery {
    /** The highest LSN the recovery read from the log. */
    final long durableLsn;
    final List<LoggedRecord> snapshot;
    final BackupApplication application;
    /** The clients the snapshot names (the recovering host resolves them before it speaks). */
    final Set<Integer> clientAddresses = new LinkedHashSet<>();
    /**
     * Connections with a CONNECT in the durable log that the reference replay forgot as finished,
     * and whose application's close is logged too: retention acts on what the records say, and
     * the application may close a connection after its client's last segment (it reads the
     * client's FIN first), so a torn tail can keep that close from the log while the reference,
     * running the application, closes it again. Such a connection is live to retention, and
     * must be kept (a recovery's replay closes it again).
     */
    final Set<FourTuple> finished = new LinkedHashSet<>();
    /** Finished connections the snapshot keeps (lingering), and those it let go of to stay within its bounds. */
    final int lingering;
    final long evicted;
    /** Records in the snapshot of the witness that keeps no finished connection. */
    final int snapshotWithoutLingering;
    /** The first disagreement between the snapshot and the reference replay, or null. */
    final String retentionMismatch;

    /**
     * @param log        the logger's records
     * @param durableLsn the records read: LSNs 1 to this
     * @param plans      the plan of each connection (the server's four-tuple)
     */
    LogRecovery(LoggerLog log, long durableLsn, Function<FourTuple, Transfers.Plan> plans) {
        this.durableLsn = durableLsn;
        LiveRecordSet retained = new LiveRecordSet(RetentionPolicy.CONNECTION_SCOPED); // as the logger's
        LiveRecordSet witness = new LiveRecordSet(RetentionPolicy.CONNECTION_SCOPED, 0, 0);
        BackupImage fullImage = new BackupImage();
        BackupApplication reference = new BackupApplication(PrimaryWorld.SERVICE_ADDRESS, PrimaryWorld.PORT, plans,
                t -> contiguous(fullImage, t), t -> false);
        Set<FourTuple> connected = new LinkedHashSet<>();
        Set<FourTuple> closedInLog = new HashSet<>();
        for (long lsn = 1; lsn <= durableLsn; lsn++) {
            Record r = log.get(lsn);
            retained.add(lsn, r);
            witness.add(lsn, r);
            fullImage.accept(lsn, r);
            reference.apply(lsn, r);
            if (r instanceof Connect c) connected.add(c.tuple());
            if (r instanceof Close c && c.how() != Close.How.SHUTDOWN_OUTPUT) closedInLog.add(c.socket());
        }
        snapshot = retained.snapshot(durableLsn);
        lingering = retained.lingeringConnections();
        evicted = retained.evictedConnections();
        List<LoggedRecord> withoutLingering = witness.snapshot(durableLsn);
        snapshotWithoutLingering = withoutLingering.size();
        Set<FourTuple> inWitness = new HashSet<>();
        for (LoggedRecord r : withoutLingering) if (r.record() instanceof Connect c) inWitness.add(c.tuple());
        reference.pump();

        BackupImage image = new BackupImage(); // the client bytes the snapshot holds, for the replayed READs' precondition
        application = new BackupApplication(PrimaryWorld.SERVICE_ADDRESS, PrimaryWorld.PORT, plans, t -> contiguous(image, t), t -> false);
        long renumbered = 0;
        Set<FourTuple> inSnapshot = new HashSet<>();
        for (LoggedRecord r : snapshot) {
            image.accept(++renumbered, r.record()); // the image wants consecutive numbers; only the order matters to it
            application.apply(r.lsn(), r.record());
            if (r.record() instanceof Connect c) {
                clientAddresses.add(c.tuple().remoteAddress());
                inSnapshot.add(c.tuple());
            }
        }
        application.pump();

        Set<FourTuple> live = new HashSet<>();
        for (ConnectionImage i : reference.images()) live.add(i.tuple());
        for (FourTuple t : connected) {
            if (live.contains(t)) continue;
            if (closedInLog.contains(t)) finished.add(t);
            else live.add(t); // closed only by the replay (see finished)
        }
        retentionMismatch = mismatch(live, inSnapshot, inWitness);
    }

    private static long contiguous(BackupImage image, FourTuple t) {
        BackupImage.ClientStream s = image.stream(t);
        return s == null ? 0L : (long) s.contiguousLength();
    }

    private String mismatch(Set<FourTuple> live, Set<FourTuple> inSnapshot, Set<FourTuple> inWitness) {
        if (evicted > 0) return "retention evicted " + evicted + " finished connection(s), far below its bounds";
        for (FourTuple t : finished) {
            if (!inSnapshot.contains(t)) return "the snapshot lacks the CONNECT of " + t + ", finished: it should linger";
            if (inWitness.contains(t)) return "without lingering, the snapshot keeps the CONNECT of " + t + ", which the reference replay found finished";
        }
        for (FourTuple t : live) {
            if (!inSnapshot.contains(t)) return "the snapshot lacks the CONNECT of live " + t;
            if (!inWitness.contains(t)) return "without lingering, the snapshot lacks the CONNECT of live " + t;
        }
        if (inSnapshot.size() != live.size() + finished.size()) return "the snapshot names connections the reference replay never had: " + inSnapshot;
        if (lingering != finished.size()) return lingering + " lingering, but the reference replay finished " + finished;
        if (!finished.isEmpty() && snapshotWithoutLingering >= durableLsn) {
            return "connections finished, yet without lingering the snapshot (" + snapshotWithoutLingering
                    + " records) is not smaller than the durable log (" + durableLsn + ")";
        }
        return null;
    }

    /** Records the snapshot left out (the durable prefix has one record per LSN). */
    long recordsDropped() {
        return durableLsn - snapshot.size();
    }

    @Override
    public String toString() {
        return "recovery from LSN 1-" + durableLsn + ": snapshot of " + snapshot.size() + " records (" + snapshotWithoutLingering
                + " without lingering), finished " + new ArrayList<>(finished);
    }
}
