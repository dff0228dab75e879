package io.fttcp.roles.sim;

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
 * <p>To check that retention really let go of something, and of the right things, the whole
 * durable prefix is also replayed into a reference copy of the application (as a hot backup
 * would have followed it): the connections its {@link ReplayNetwork} no longer knows (it forgets
 * a connection once both sides closed it) must have left no CONNECT in the snapshot, and every
 * connection it still knows must have its CONNECT there.
 */
final class LogRecovery {
    /** The highest LSN the recovery read from the log. */
    final long durableLsn;
    final List<LoggedRecord> snapshot;
    final BackupApplication application;
    /** The clients the snapshot names (the recovering host resolves them before it speaks). */
    final Set<Integer> clientAddresses = new LinkedHashSet<>();
    /** Connections with a CONNECT in the durable log that the reference replay forgot as finished. */
    final Set<FourTuple> finished = new LinkedHashSet<>();
    /** The first disagreement between the snapshot and the reference replay, or null. */
    final String retentionMismatch;

    /**
     * @param log        the logger's records
     * @param durableLsn the records read: LSNs 1 to this
     * @param plans      the plan of each connection (the server's four-tuple)
     */
    LogRecovery(LoggerLog log, long durableLsn, Function<FourTuple, Transfers.Plan> plans) {
        this.durableLsn = durableLsn;
        LiveRecordSet retained = new LiveRecordSet(RetentionPolicy.CONNECTION_SCOPED);
        BackupImage fullImage = new BackupImage();
        BackupApplication reference = new BackupApplication(PrimaryWorld.SERVICE_ADDRESS, PrimaryWorld.PORT, plans,
                t -> contiguous(fullImage, t), t -> false);
        Set<FourTuple> connected = new LinkedHashSet<>();
        for (long lsn = 1; lsn <= durableLsn; lsn++) {
            Record r = log.get(lsn);
            retained.add(lsn, r);
            fullImage.accept(lsn, r);
            reference.apply(lsn, r);
            if (r instanceof Connect c) connected.add(c.tuple());
        }
        snapshot = retained.snapshot(durableLsn);
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
        for (FourTuple t : connected) if (!live.contains(t)) finished.add(t);
        retentionMismatch = mismatch(live, inSnapshot);
    }

    private static long contiguous(BackupImage image, FourTuple t) {
        BackupImage.ClientStream s = image.stream(t);
        return s == null ? 0L : (long) s.contiguousLength();
    }

    private String mismatch(Set<FourTuple> live, Set<FourTuple> inSnapshot) {
        for (FourTuple t : finished) {
            if (inSnapshot.contains(t)) return "the snapshot keeps the CONNECT of " + t + ", which the reference replay found finished";
        }
        for (FourTuple t : live) {
            if (!inSnapshot.contains(t)) return "the snapshot lacks the CONNECT of live " + t;
        }
        return null;
    }

    /** Records the snapshot left out (the durable prefix has one record per LSN). */
    long recordsDropped() {
        return durableLsn - snapshot.size();
    }

    @Override
    public String toString() {
        return "recovery from LSN 1-" + durableLsn + ": snapshot of " + snapshot.size() + " records, finished " + new ArrayList<>(finished);
    }
}
