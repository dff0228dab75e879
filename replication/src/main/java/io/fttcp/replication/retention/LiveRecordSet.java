package io.fttcp.replication.retention;

import io.fttcp.replication.record.Accept;
import io.fttcp.replication.record.Checkpoint;
import io.fttcp.replication.record.Clock;
import io.fttcp.replication.record.Close;
import io.fttcp.replication.record.Connect;
import io.fttcp.replication.record.Heartbeat;
import io.fttcp.replication.record.LoggedRecord;
import io.fttcp.replication.record.Read;
import io.fttcp.replication.record.Ready;
import io.fttcp.replication.record.Record;
import io.fttcp.replication.record.Seed;
import io.fttcp.replication.record.Segment;
import io.fttcp.replication.record.Write;
import io.fttcp.stack.tcp.FourTuple;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The records a process starting fresh must replay to catch up with a running primary: with
 * {@link RetentionPolicy#CONNECTION_SCOPED}, those of the live connections, of the recently
 * finished ones still lingering, and the global records made while they were retained; with
 * {@link RetentionPolicy#EVERYTHING}, all; with {@link RetentionPolicy#CHECKPOINTED}, every
 * record from the latest applied checkpoint on, and the CONNECT records of the connections live
 * at it with the SEGMENT records a replay from it still needs ({@link CheckpointKeep}). The rules
 * are in the package documentation.
 *
 * <p>Lingering is bounded by a number of connections and by the SEGMENT payload bytes of their
 * records (the oldest finished is evicted first beyond either bound; a single connection above
 * the byte bound is evicted at once): see {@link #DEFAULT_MAX_LINGERING} and
 * {@link #DEFAULT_MAX_LINGERING_PAYLOAD_BYTES}.
 *
 * <p>Fed with every record of the primary's stream in LSN order ({@link #add}, O(1) amortized:
 * an evicted connection's records go all at once, with no scan); read with {@link #snapshot}.
 * Not thread-safe: the owner serializes calls.
 */
public final class LiveRecordSet {
    /**
     * Finished connections kept lingering, at most. A client waiting for our last ACK
     * retransmits within a few retransmission timeouts, so only the connections finished
     * shortly before a crash matter: 1024 keeps them unless a server finishes more than that in
     * those seconds, and keeps the work a recovery replays for finished connections small. (The
     * backup's replay, which holds no records for them, keeps 4096 in {@code ReplayNetwork}.)
     */
    public static final int DEFAULT_MAX_LINGERING = 1024;
    /**
     * SEGMENT payload bytes of the lingering connections' records, at most (32 MiB): a
     * lingering connection replays all its client bytes, so a few large uploads must not make
     * every recovery replay hundreds of megabytes for connections that are done.
     */
    public static final long DEFAULT_MAX_LINGERING_PAYLOAD_BYTES = 32L << 20;

    private final RetentionPolicy policy;
    private final boolean scoped;
    private final boolean checkpointed;
    private final int maxLingering;
    private final long maxLingeringPayloadBytes;
    /** The current live incarnation of each four-tuple. */
    private final Map<FourTuple, LiveConnection> connections = new HashMap<>();
    /** The lingering incarnation of each four-tuple (at most one: a CONNECT drops it). */
    private final Map<FourTuple, LiveConnection> lingering = new HashMap<>();
    /** Retained connections (live and lingering) in CONNECT order (so also LSN order): oldest and newest. */
    private LiveConnection oldest;
    private LiveConnection newest;
    /** Lingering connections in finishing order: the next to evict, and the latest finished. */
    private LiveConnection lingerOldest;
    private LiveConnection lingerNewest;
    private long lingeringPayloadBytes;
    private long evictedConnections;
    /** Records naming no live connection (Record), and READY records naming some (SharedReady), in LSN order. */
    private final LsnQueue<Object> global = new LsnQueue<>(64);
    /** Connections whose records older than the latest applied checkpoint are kept ({@link RetentionPolicy#CHECKPOINTED}). */
    private List<LiveConnection> pinnedConnections = List.of();
    private long pinnedRecords;
    private long pinnedPayloadBytes;
    /** Distinct LSNs of the heartbeat entries kept with the pinned records: one HEARTBEAT each in snapshots. */
    private long pinnedHeartbeats;
    private long checkpointsApplied;
    private long checkpointsRefused;
    private long droppedByCheckpoints;
    /** Everything (since the latest applied checkpoint, under CHECKPOINTED), under {@link RetentionPolicy#EVERYTHING} and CHECKPOINTED. */
    private final LsnQueue<Record> everything;

    private long lastLsn;
    private long retainedRecords;
    private long retainedPayloadBytes;
    private long recordsNotRetained;

    /** With the default lingering bounds. */
    public LiveRecordSet(RetentionPolicy policy) {
        this(policy, DEFAULT_MAX_LINGERING, DEFAULT_MAX_LINGERING_PAYLOAD_BYTES);
    }

    /**
     * @param maxLingering             finished connections kept, at most (0: dropped as they finish)
     * @param maxLingeringPayloadBytes SEGMENT payload bytes of their records, at most
     */
    public LiveRecordSet(RetentionPolicy policy, int maxLingering, long maxLingeringPayloadBytes) {
        this.policy = Objects.requireNonNull(policy, "policy");
        if (maxLingering < 0 || maxLingeringPayloadBytes < 0) {
            throw new IllegalArgumentException("lingering bounds must not be negative: " + maxLingering + ", " + maxLingeringPayloadBytes);
        }
        this.scoped = policy == RetentionPolicy.CONNECTION_SCOPED;
        this.checkpointed = policy == RetentionPolicy.CHECKPOINTED;
        this.maxLingering = maxLingering;
        this.maxLingeringPayloadBytes = maxLingeringPayloadBytes;
        this.everything = scoped ? null : new LsnQueue<>(1024);
    }

    public RetentionPolicy policy() {
        return policy;
    }

    /**
     * The next record of the stream.
     *
     * @throws IllegalArgumentException if {@code lsn} is not above every LSN added before (or below 1)
     */
    public void add(long lsn, Record record) {
        Objects.requireNonNull(record, "record");
        if (lsn < 1 || lsn <= lastLsn) {
            throw new IllegalArgumentException("LSN " + lsn + " after " + lastLsn + ": LSNs must increase");
        }
        lastLsn = lsn;
        if (!scoped) {
            everything.add(lsn, record);
            retainedRecords++;
            if (record instanceof Segment s && s.payload() != null) {
                retainedPayloadBytes += s.payload().length;
            }
        }
        switch (record) {
            case Connect c -> onConnect(lsn, c);
            case Segment s -> {
                LiveConnection conn = named(s.tuple());
                if (conn != null) {
                    keep(conn, lsn, s);
                    if (s.payload() != null && scoped) {
                        conn.payloadBytes += s.payload().length;
                        retainedPayloadBytes += s.payload().length;
                    }
                    conn.onSegment(lsn, s);
                    dropIfFinished(conn);
                }
            }
            case Accept a -> {
                if (isListener(a.connection())) {
                    keepGlobal(lsn, a);
                } else {
                    LiveConnection conn = keepIfNamed(a.connection(), lsn, a);
                    if (conn != null) {
                        conn.accepted = true;
                    }
                }
            }
            case Read r -> {
                LiveConnection conn = keepIfNamed(r.connection(), lsn, r);
                if (conn != null && r.count() > 0) {
                    conn.readOffset += r.count();
                }
            }
            case Write w -> {
                LiveConnection conn = keepIfNamed(w.connection(), lsn, w);
                if (conn != null) {
                    conn.onWrite(w);
                }
            }
            case Close c -> {
                if (isListener(c.socket())) {
                    keepGlobal(lsn, c);
                } else {
                    LiveConnection conn = keepIfNamed(c.socket(), lsn, c);
                    if (conn != null && c.how() != Close.How.SHUTDOWN_INPUT) {
                        conn.outputShut = true;
                    }
                    if (conn != null && c.how() == Close.How.CLOSE) {
                        conn.onClose();
                        dropIfFinished(conn);
                    }
                    if (conn != null && c.how() == Close.How.RESET) {
                        conn.onGivenUp();
                        dropIfFinished(conn);
                    }
                }
            }
            case Clock c -> {
                if (isListener(c.context())) {
                    keepGlobal(lsn, c);
                } else {
                    keepIfNamed(c.context(), lsn, c);
                }
            }
            case Seed s -> {
                if (isListener(s.context())) {
                    keepGlobal(lsn, s);
                } else {
                    keepIfNamed(s.context(), lsn, s);
                }
            }
            case Heartbeat h -> onHeartbeat(lsn, h);
            case Ready r -> onReady(lsn, r);
            case Checkpoint c -> {
                if (checkpointed) {
                    onCheckpoint(lsn, c);
                } else {
                    keepGlobal(lsn, c); // names no connection a catch-up could replay it for
                }
            }
        }
    }

    /**
     * The retained records with LSN at most {@code throughLsn}, in LSN order: what a process
     * starting fresh replays (heartbeats compacted, READY records without the entries of
     * connections no longer retained). This filters what is retained now: a connection's heartbeat
     * above {@code throughLsn} hides its earlier ones, which are no longer kept.
     */
    public List<LoggedRecord> snapshot(long throughLsn) {
        List<LoggedRecord> out = new ArrayList<>();
        if (!scoped) {
            if (checkpointed && !pinnedConnections.isEmpty()) {
                pinnedSnapshot(throughLsn, out);
            }
            for (int i = 0; i < everything.size() && everything.lsn(i) <= throughLsn; i++) {
                out.add(new LoggedRecord(everything.lsn(i), everything.item(i)));
            }
            return out;
        }
        Map<HeartbeatMark, List<LiveConnection>> beats = new IdentityHashMap<>();
        for (LiveConnection c = oldest; c != null; c = c.newer) {
            for (int i = 0; i < c.records.size() && c.records.lsn(i) <= throughLsn; i++) {
                out.add(new LoggedRecord(c.records.lsn(i), c.records.item(i)));
            }
            if (c.heartbeat != null && c.heartbeat.lsn <= throughLsn) {
                beats.computeIfAbsent(c.heartbeat, m -> new ArrayList<>()).add(c);
            }
        }
        for (int i = 0; i < global.size() && global.lsn(i) <= throughLsn; i++) {
            Object item = global.item(i);
            if (item instanceof SharedReady r) {
                Ready current = r.dead ? null : r.current();
                if (current != null) {
                    out.add(new LoggedRecord(global.lsn(i), current));
                }
            } else {
                out.add(new LoggedRecord(global.lsn(i), (Record) item));
            }
        }
        for (Map.Entry<HeartbeatMark, List<LiveConnection>> e : beats.entrySet()) {
            List<LiveConnection> conns = e.getValue();
            conns.sort(Comparator.comparingInt(c -> c.heartbeatEntry));
            List<Heartbeat.TsVal> entries = new ArrayList<>(conns.size());
            for (LiveConnection c : conns) {
                entries.add(new Heartbeat.TsVal(c.tuple, c.heartbeatTsVal));
            }
            out.add(new LoggedRecord(e.getKey().lsn, new Heartbeat(e.getKey().sentAtNanos, entries)));
        }
        out.sort(Comparator.comparingLong(LoggedRecord::lsn));
        return out;
    }

    /** The pinned records and heartbeat entries at or below {@code throughLsn}, in LSN order (all below the checkpoint). */
    private void pinnedSnapshot(long throughLsn, List<LoggedRecord> out) {
        java.util.TreeMap<Long, List<LiveConnection>> beats = new java.util.TreeMap<>();
        for (LiveConnection c : pinnedConnections) {
            for (int i = 0; i < c.pinned.size() && c.pinned.lsn(i) <= throughLsn; i++) {
                out.add(new LoggedRecord(c.pinned.lsn(i), c.pinned.item(i)));
            }
            if (c.pinnedBeatLsn >= 0 && c.pinnedBeatLsn <= throughLsn) {
                beats.computeIfAbsent(c.pinnedBeatLsn, l -> new ArrayList<>()).add(c);
            }
        }
        for (Map.Entry<Long, List<LiveConnection>> e : beats.entrySet()) {
            List<LiveConnection> conns = e.getValue();
            conns.sort(Comparator.comparingInt(c -> c.pinnedBeatIndex));
            List<Heartbeat.TsVal> entries = new ArrayList<>(conns.size());
            for (LiveConnection c : conns) {
                entries.add(new Heartbeat.TsVal(c.tuple, c.pinnedBeatTsVal));
            }
            out.add(new LoggedRecord(e.getKey(), new Heartbeat(conns.getFirst().pinnedBeatSentAt, entries)));
        }
        out.sort(Comparator.comparingLong(LoggedRecord::lsn));
    }

    /** The lowest retained LSN (0 if none): log segments entirely below it are no longer needed. */
    public long oldestRetainedLsn() {
        if (checkpointed && !pinnedConnections.isEmpty()) {
            long oldest = Long.MAX_VALUE;
            for (LiveConnection c : pinnedConnections) {
                if (c.pinned.size() > 0) {
                    oldest = Math.min(oldest, c.pinned.lsn(0)); // its CONNECT, pinned first
                }
            }
            return Math.min(oldest, everything.isEmpty() ? Long.MAX_VALUE : everything.lsn(0));
        }
        if (!scoped) {
            return everything.isEmpty() ? 0 : everything.lsn(0);
        }
        // Every retained record is a retained connection's (its CONNECT first) or younger than the oldest one's CONNECT.
        return oldest == null ? 0 : oldest.connectLsn;
    }

    /** Connections with a CONNECT and not finished (nor superseded by a later CONNECT of their four-tuple). */
    public int liveConnections() {
        return connections.size();
    }

    /** Finished connections whose records are still retained (always 0 under EVERYTHING and CHECKPOINTED, which linger none). */
    public int lingeringConnections() {
        return lingering.size();
    }

    /** SEGMENT payload bytes among the lingering connections' records. */
    public long lingeringPayloadBytes() {
        return lingeringPayloadBytes;
    }

    /** Lingering connections dropped so far to stay within the bounds. */
    public long evictedConnections() {
        return evictedConnections;
    }

    /** Records a snapshot of everything would hold now (heartbeats counted compacted). */
    public long retainedRecords() {
        return retainedRecords;
    }

    /** SEGMENT payload bytes among the retained records. */
    public long retainedPayloadBytes() {
        return retainedPayloadBytes;
    }

    /** CHECKPOINT records that matched the records and let the older ones go (CHECKPOINTED). */
    public long checkpointsApplied() {
        return checkpointsApplied;
    }

    /** CHECKPOINT records that did not match the records, kept as any other record (CHECKPOINTED). */
    public long checkpointsRefused() {
        return checkpointsRefused;
    }

    /** Records let go by applied checkpoints so far (CHECKPOINTED). */
    public long droppedByCheckpoints() {
        return droppedByCheckpoints;
    }

    /** Records dropped on arrival because the connections they name have no retained CONNECT (always 0 under EVERYTHING and CHECKPOINTED). */
    public long recordsNotRetained() {
        return scoped ? recordsNotRetained : 0;
    }

    // ---- the rules ------------------------------------------------------------------------

    private static boolean isListener(FourTuple t) {
        return t.remoteAddress() == 0 && t.remotePort() == 0;
    }

    private void onConnect(long lsn, Connect c) {
        if (isListener(c.tuple())) {
            recordsNotRetained++; // names no connection: nothing could ever finish it
            return;
        }
        LiveConnection previous = connections.get(c.tuple());
        if (previous == null) {
            previous = lingering.get(c.tuple());
        }
        if (previous != null) {
            drop(previous); // a new incarnation supersedes it, lingering or not (the backup's replay too)
        }
        LiveConnection conn = new LiveConnection(lsn, c, scoped);
        if (checkpointed) {
            conn.trackSegments();
        }
        connections.put(c.tuple(), conn);
        if (newest == null) {
            oldest = conn;
        } else {
            newest.newer = conn;
            conn.older = newest;
        }
        newest = conn;
        keep(conn, lsn, c);
    }

    private void onHeartbeat(long lsn, Heartbeat h) {
        if (checkpointed) {
            List<Heartbeat.TsVal> entries = h.maxTsVals();
            for (int i = 0; i < entries.size(); i++) {
                LiveConnection conn = isListener(entries.get(i).connection()) ? null : connections.get(entries.get(i).connection());
                if (conn != null) {
                    conn.lastBeatLsn = lsn;
                    conn.lastBeatSentAt = h.sentAtNanos();
                    conn.lastBeatTsVal = entries.get(i).tsVal();
                    conn.lastBeatIndex = i;
                }
            }
        }
        if (!scoped) {
            return; // nothing about liveness
        }
        HeartbeatMark mark = null;
        boolean namedUnknown = false;
        List<Heartbeat.TsVal> entries = h.maxTsVals();
        for (int i = 0; i < entries.size(); i++) {
            Heartbeat.TsVal t = entries.get(i);
            LiveConnection conn = isListener(t.connection()) ? null : connections.get(t.connection());
            if (conn == null) {
                namedUnknown = true;
                continue;
            }
            if (mark == null) {
                mark = new HeartbeatMark(lsn, h.sentAtNanos());
            }
            if (conn.heartbeat != mark) {
                releaseHeartbeat(conn);
                if (mark.connections++ == 0) {
                    retainedRecords++;
                }
                conn.heartbeat = mark;
            }
            conn.heartbeatTsVal = t.tsVal(); // a later entry for the same connection wins, as on the backup
            conn.heartbeatEntry = i;
        }
        if (mark == null && namedUnknown) {
            recordsNotRetained++;
        }
        // A heartbeat naming nothing carries nothing a replay uses: not retained.
    }

    private void releaseHeartbeat(LiveConnection conn) {
        if (conn.heartbeat != null && --conn.heartbeat.connections == 0) {
            retainedRecords--;
        }
    }

    /**
     * A CHECKPOINT under CHECKPOINTED: applied when it matches the records (rule C2), then every
     * older record goes except, per connection live now, its CONNECT, the SEGMENT records rule C3
     * keeps ({@link CheckpointKeep}) and its latest heartbeat entry. O(records since the previous
     * applied checkpoint + segments it kept): each is looked at once more per applied checkpoint
     * that keeps it.
     */
    private void onCheckpoint(long lsn, Checkpoint c) {
        if (!matches(c)) {
            checkpointsRefused++;
            return; // kept in everything, as any record
        }
        checkpointsApplied++;
        List<LiveConnection> pinning = new ArrayList<>(connections.values());
        pinning.sort(Comparator.comparingLong(x -> x.connectLsn));
        long letGo = 0;
        for (LiveConnection conn : pinnedConnections) {
            if (conn.pinned != null) {
                letGo += conn.pinned.size();
                if (connections.get(conn.tuple) != conn) {
                    letGo += conn.pinnedBeatLsn >= 0 ? 1 : 0;
                    conn.pinned = null;
                    conn.pinnedBeatLsn = -1;
                }
            }
        }
        // The checkpoint itself is the last record added to everything: keep it, let the rest go.
        while (everything.size() > 1) {
            everything.removeFirst();
            letGo++;
        }
        pinnedRecords = 0;
        pinnedPayloadBytes = 0;
        java.util.Set<Long> beatLsns = new java.util.HashSet<>();
        for (LiveConnection conn : pinning) {
            SegmentTrail trail = conn.trail;
            if (conn.accepted) { // its entry's read offset is the connection's (rule C2)
                trail.retain(CheckpointKeep.select(trail, conn.readOffset, conn.replayed, conn.connect));
            } // else no entry: everything stays
            LsnQueue<Record> pinned = new LsnQueue<>(trail.size() + 1);
            pinned.add(conn.connectLsn, conn.connect);
            for (int i = 0; i < trail.size(); i++) {
                pinned.add(trail.lsn(i), trail.segment(i));
            }
            conn.pinned = pinned;
            pinnedRecords += pinned.size();
            pinnedPayloadBytes += trail.payloadBytes();
            if (conn.lastBeatLsn >= 0) {
                conn.pinnedBeatLsn = conn.lastBeatLsn;
                conn.pinnedBeatSentAt = conn.lastBeatSentAt;
                conn.pinnedBeatTsVal = conn.lastBeatTsVal;
                conn.pinnedBeatIndex = conn.lastBeatIndex;
                beatLsns.add(conn.pinnedBeatLsn);
            }
        }
        droppedByCheckpoints += letGo - pinnedRecords;
        pinnedHeartbeats = beatLsns.size();
        pinnedConnections = pinning;
        retainedPayloadBytes = pinnedPayloadBytes; // everything holds the checkpoint alone
        retainedRecords = pinnedRecords + pinnedHeartbeats + everything.size();
    }

    /**
     * Rule C2: every live connection an ACCEPT named has an entry that agrees with its records,
     * whose output reaches down to the client's latest acknowledgement, and every entry of a
     * socket the application still held names such a connection.
     */
    private boolean matches(Checkpoint c) {
        int entriesOfLive = 0;
        for (Checkpoint.Entry e : c.connections()) {
            LiveConnection conn = connections.get(e.connection());
            if (conn == null || !conn.accepted) {
                if (!e.closed()) {
                    return false; // the application holds a connection the records do not show it has
                }
                continue; // one it closed, finished since (or never known here)
            }
            entriesOfLive++;
            if (e.readOffset() != conn.readOffset || e.outputOffset() != conn.outputEnd() || e.outputShut() != conn.outputShut
                    || e.closed() != conn.closed() || e.outputStart() > Math.min(Math.max(conn.clientAcked(), 0), e.outputOffset())) {
                return false;
            }
        }
        int accepted = 0;
        for (LiveConnection conn : connections.values()) {
            if (conn.accepted) {
                accepted++;
            }
        }
        return accepted == entriesOfLive;
    }

    private void onReady(long lsn, Ready r) {
        if (!scoped) {
            return; // nothing about liveness
        }
        List<Ready.Entry> entries = r.ready();
        int unknown = 0;
        int connectionEntries = 0;
        for (Ready.Entry e : entries) {
            if (!isListener(e.socket())) {
                if (connections.containsKey(e.socket())) {
                    connectionEntries++;
                } else {
                    unknown++;
                }
            }
        }
        if (unknown > 0 && unknown == entries.size()) {
            recordsNotRetained++; // only connections without a retained CONNECT
            return;
        }
        Ready ready = r;
        if (unknown > 0) { // leave out entries of unknown connections
            List<Ready.Entry> known = new ArrayList<>(entries.size() - unknown);
            for (Ready.Entry e : entries) {
                if (isListener(e.socket()) || connections.containsKey(e.socket())) {
                    known.add(e);
                }
            }
            ready = new Ready(r.poller(), known);
        }
        if (connectionEntries == 0) {
            keepGlobal(lsn, ready); // listeners only, or an empty poll
            return;
        }
        LiveConnection[] owners = new LiveConnection[ready.ready().size()];
        for (int i = 0; i < owners.length; i++) {
            FourTuple socket = ready.ready().get(i).socket();
            owners[i] = isListener(socket) ? null : connections.get(socket);
        }
        SharedReady shared = new SharedReady(ready, owners);
        global.add(lsn, shared);
        retainedRecords++;
        for (LiveConnection conn : owners) {
            if (conn != null) {
                conn.addReady(shared);
            }
        }
    }

    private LiveConnection named(FourTuple tuple) {
        LiveConnection conn = connections.get(tuple);
        if (conn == null) {
            recordsNotRetained++;
        }
        return conn;
    }

    private LiveConnection keepIfNamed(FourTuple tuple, long lsn, Record record) {
        LiveConnection conn = named(tuple);
        if (conn != null) {
            keep(conn, lsn, record);
        }
        return conn;
    }

    private void keep(LiveConnection conn, long lsn, Record record) {
        if (scoped) {
            conn.keep(lsn, record);
            retainedRecords++;
        }
    }

    /** A record naming no connection: kept while a connection older than it is retained. */
    private void keepGlobal(long lsn, Record record) {
        if (scoped && oldest != null) {
            global.add(lsn, record);
            retainedRecords++;
        }
    }

    private void dropIfFinished(LiveConnection conn) {
        if (!conn.finished()) {
            return;
        }
        if (!scoped) {
            drop(conn); // everything is kept anyway: only the count of live ones changes
            return;
        }
        // It lingers: no longer live (later records naming it are not retained, as the backup
        // ignores them), its records kept, newest in the eviction order.
        connections.remove(conn.tuple, conn);
        conn.lingering = true;
        lingering.put(conn.tuple, conn);
        lingeringPayloadBytes += conn.payloadBytes;
        if (lingerNewest == null) {
            lingerOldest = conn;
        } else {
            lingerNewest.lingerNewer = conn;
            conn.lingerOlder = lingerNewest;
        }
        lingerNewest = conn;
        while (lingerOldest != null && (lingering.size() > maxLingering || lingeringPayloadBytes > maxLingeringPayloadBytes)) {
            evictedConnections++;
            drop(lingerOldest);
        }
    }

    /** Forgets an evicted or superseded connection: its records at once, its share of heartbeats and READY records. */
    private void drop(LiveConnection conn) {
        if (conn.lingering) {
            lingering.remove(conn.tuple, conn);
            lingeringPayloadBytes -= conn.payloadBytes;
            if (conn.lingerOlder == null) {
                lingerOldest = conn.lingerNewer;
            } else {
                conn.lingerOlder.lingerNewer = conn.lingerNewer;
            }
            if (conn.lingerNewer == null) {
                lingerNewest = conn.lingerOlder;
            } else {
                conn.lingerNewer.lingerOlder = conn.lingerOlder;
            }
            conn.lingerOlder = null;
            conn.lingerNewer = null;
        } else {
            connections.remove(conn.tuple, conn);
        }
        if (conn.older == null) {
            oldest = conn.newer;
        } else {
            conn.older.newer = conn.newer;
        }
        if (conn.newer == null) {
            newest = conn.older;
        } else {
            conn.newer.older = conn.older;
        }
        conn.older = null;
        conn.newer = null;
        if (scoped) {
            retainedRecords -= conn.records.size();
            retainedPayloadBytes -= conn.payloadBytes;
            releaseHeartbeat(conn);
            if (conn.readies != null) {
                for (SharedReady r : conn.readies) {
                    r.connectionGone();
                    if (!r.dead && !r.hasRetainedConnection() && !r.namesListener) {
                        r.dead = true;
                        retainedRecords--;
                    }
                }
            }
        }
        conn.release();
        pruneGlobal();
    }

    /** Drops global records no longer younger than the oldest retained connection's CONNECT, and dead READY records at the head. */
    private void pruneGlobal() {
        long floor = oldest == null ? Long.MAX_VALUE : oldest.connectLsn;
        while (!global.isEmpty()) {
            Object head = global.item(0);
            boolean dead = head instanceof SharedReady r && r.dead;
            if (!dead && global.lsn(0) > floor) {
                return;
            }
            global.removeFirst();
            if (!dead) {
                retainedRecords--;
            }
        }
    }

    @Override
    public String toString() {
        return "live record set (" + policy + ", " + connections.size() + " live and " + lingering.size() + " lingering connections, "
                + retainedRecords + " records)";
    }
}
