package io.fttcp.replication.retention;

import io.fttcp.replication.record.Accept;
import io.fttcp.replication.record.Checkpoint;
import io.fttcp.replication.record.Close;
import io.fttcp.replication.record.Connect;
import io.fttcp.replication.record.Heartbeat;
import io.fttcp.replication.record.LoggedRecord;
import io.fttcp.replication.record.Read;
import io.fttcp.replication.record.Record;
import io.fttcp.replication.record.Segment;
import io.fttcp.replication.record.Write;
import io.fttcp.stack.tcp.FourTuple;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * The CHECKPOINTED rules written plainly, for checking {@link LiveRecordSet}: every record is
 * remembered with the incarnation it belonged to, and the expected snapshot is recomputed from
 * all of them: everything from the latest applied checkpoint on, and before it the CONNECT and
 * SEGMENT records and the latest heartbeat entry of the incarnations live at that checkpoint.
 * It also writes checkpoints: ones that match the records, and ones spoiled on purpose.
 */
final class CheckpointReference {

    static final class Incarnation {
        final Connect connect;
        final BitSet received = new BitSet();
        long finOffset = -1;
        long maxAck;
        long outputEnd;
        long readOffset;
        boolean accepted;
        boolean shut;
        boolean closed;
        boolean reset;
        long beatLsn = -1;
        long beatSentAt;
        int beatIndex;
        int beatTsVal;
        /** Every SEGMENT naming it, and those an applied checkpoint has not let go (by LSN). */
        final List<Seg> segments = new ArrayList<>();
        java.util.Set<Long> kept = new java.util.HashSet<>();

        Incarnation(Connect connect) {
            this.connect = connect;
        }

        boolean finished() {
            boolean ended = finOffset >= 0 && received.nextClearBit(0) >= finOffset && maxAck > outputEnd;
            return closed && (reset || ended);
        }
    }

    /** A SEGMENT with its stream offset (null before the SYN) and acknowledgement offset (null without ACK or before the SYN). */
    record Seg(long lsn, Segment segment, Long offset, int length, Long ack) {
    }

    /** A heartbeat entry kept for a pinned incarnation. */
    private record Beat(long lsn, long sentAt, int index, Heartbeat.TsVal entry) {
    }

    private final List<LoggedRecord> all = new ArrayList<>();
    /** The incarnation each CONNECT and SEGMENT belonged to (live when added), by LSN. */
    private final Map<Long, Incarnation> owners = new HashMap<>();
    private final Map<FourTuple, Incarnation> live = new LinkedHashMap<>();
    private long appliedLsn = -1;
    private Map<Incarnation, Beat> pinned = new IdentityHashMap<>();
    long applied;
    long refused;

    static boolean listener(FourTuple t) {
        return t.remoteAddress() == 0 && t.remotePort() == 0;
    }

    void add(long lsn, Record record) {
        all.add(new LoggedRecord(lsn, record));
        switch (record) {
            case Connect c -> {
                if (listener(c.tuple())) return;
                Incarnation inc = new Incarnation(c);
                live.put(c.tuple(), inc); // supersedes an earlier one
                owners.put(lsn, inc);
            }
            case Segment s -> {
                Incarnation inc = live.get(s.tuple());
                if (inc == null) return;
                owners.put(lsn, inc);
                if ((s.flags() & 0x04) != 0) inc.reset = true;
                long offset = (int) (s.seq() - (inc.connect.clientIsn() + 1));
                int length = s.payload() == null ? 0 : s.payload().length;
                boolean hasAck = (s.flags() & 0x10) != 0;
                inc.segments.add(new Seg(lsn, s, offset >= -1 ? offset : null, length,
                        offset >= -1 && hasAck ? (long) (int) (s.ack() - (inc.connect.serverIsn() + 1)) : null));
                inc.kept.add(lsn);
                if (offset >= -1) {
                    if ((s.flags() & 0x01) != 0 && inc.finOffset < 0) inc.finOffset = offset + length;
                    for (long o = Math.max(0, offset); o < offset + length; o++) inc.received.set((int) o);
                    if ((s.flags() & 0x10) != 0) {
                        inc.maxAck = Math.max(inc.maxAck, (int) (s.ack() - (inc.connect.serverIsn() + 1)));
                    }
                }
                finish(inc);
            }
            case Accept a -> {
                Incarnation inc = live.get(a.connection());
                if (inc != null) inc.accepted = true;
            }
            case Read r -> {
                Incarnation inc = live.get(r.connection());
                if (inc != null && r.count() > 0) inc.readOffset += r.count();
            }
            case Write w -> {
                Incarnation inc = live.get(w.connection());
                if (inc != null && w.count() > 0) inc.outputEnd = Math.max(inc.outputEnd, w.offset() + w.count());
            }
            case Close c -> {
                Incarnation inc = live.get(c.socket());
                if (inc == null) return;
                if (c.how() != Close.How.SHUTDOWN_INPUT) inc.shut = true;
                if (c.how() == Close.How.CLOSE) {
                    inc.closed = true;
                    finish(inc);
                }
            }
            case Heartbeat h -> {
                for (int i = 0; i < h.maxTsVals().size(); i++) {
                    Incarnation inc = live.get(h.maxTsVals().get(i).connection());
                    if (inc == null) continue;
                    inc.beatLsn = lsn;
                    inc.beatSentAt = h.sentAtNanos();
                    inc.beatIndex = i;
                    inc.beatTsVal = h.maxTsVals().get(i).tsVal();
                }
            }
            case Checkpoint c -> {
                if (!matches(c)) {
                    refused++;
                    return;
                }
                applied++;
                appliedLsn = lsn;
                for (Incarnation old : pinned.keySet()) {
                    if (live.get(old.connect.tuple()) != old) old.kept.clear();
                }
                pinned = new IdentityHashMap<>();
                for (Incarnation inc : live.values()) {
                    if (inc.accepted) inc.kept = keptAt(inc, inc.readOffset);
                    pinned.put(inc, inc.beatLsn < 0 ? null
                            : new Beat(inc.beatLsn, inc.beatSentAt, inc.beatIndex, new Heartbeat.TsVal(inc.connect.tuple(), inc.beatTsVal)));
                }
            }
            default -> { }
        }
    }

    private void finish(Incarnation inc) {
        if (inc.finished()) live.remove(inc.connect.tuple(), inc);
    }

    private boolean matches(Checkpoint c) {
        for (Incarnation inc : live.values()) {
            if (!inc.accepted) continue;
            Checkpoint.Entry e = c.entry(inc.connect.tuple());
            if (e == null || e.readOffset() != inc.readOffset || e.outputOffset() != inc.outputEnd || e.outputShut() != inc.shut
                    || e.closed() != inc.closed || e.outputStart() > Math.min(inc.maxAck, inc.outputEnd)) {
                return false;
            }
        }
        for (Checkpoint.Entry e : c.connections()) {
            Incarnation inc = live.get(e.connection());
            if ((inc == null || !inc.accepted) && !e.closed()) return false;
        }
        return true;
    }

    /**
     * Rule C3: of the segments still kept, those carrying bytes at or beyond the read offset,
     * with SYN, FIN or RST, the latest, the ones the replay takes the client's acknowledgement,
     * window and timestamps from (found again from every segment since the CONNECT), and an
     * anchor before any kept segment 2^30 or more away from the previous kept one.
     */
    private static java.util.Set<Long> keptAt(Incarnation inc, long readOffset) {
        Connect c = inc.connect;
        long ackFrom = -1, windowFrom = -1, tsValFrom = -1, tsEcrFrom = -1;
        long maxAck = 0;
        boolean ackSeen = false;
        int wl1 = c.clientIsn(), wl2 = c.serverIsn() + 1, tsVal = c.clientTsVal(), tsEcr = 0;
        for (Seg g : inc.segments) {
            if (g.offset() == null) continue;
            Segment s = g.segment();
            if (g.ack() != null && g.ack() > maxAck) {
                maxAck = g.ack();
                ackFrom = g.lsn();
            }
            if ((s.flags() & 0x10) != 0) {
                if (!ackSeen || s.seq() - wl1 > 0 || (s.seq() == wl1 && s.ack() - wl2 >= 0)) {
                    wl1 = s.seq();
                    wl2 = s.ack();
                    windowFrom = g.lsn();
                }
                ackSeen = true;
            }
            if (c.timestamps()) {
                if (s.tsVal() != 0 && (tsVal == 0 || s.tsVal() - tsVal > 0)) {
                    tsVal = s.tsVal();
                    tsValFrom = g.lsn();
                }
                if (s.tsEcr() != 0 && (tsEcr == 0 || s.tsEcr() - tsEcr > 0)) {
                    tsEcr = s.tsEcr();
                    tsEcrFrom = g.lsn();
                }
            }
        }
        List<Seg> still = new ArrayList<>();
        for (Seg g : inc.segments) if (inc.kept.contains(g.lsn())) still.add(g);
        java.util.Set<Long> kept = new java.util.HashSet<>();
        for (int i = 0; i < still.size(); i++) {
            Seg g = still.get(i);
            boolean flagged = (g.segment().flags() & (0x01 | 0x02 | 0x04)) != 0;
            boolean unread = g.offset() != null && g.length() > 0 && g.offset() + g.length() > readOffset;
            boolean carrier = g.lsn() == ackFrom || g.lsn() == windowFrom || g.lsn() == tsValFrom || g.lsn() == tsEcrFrom;
            if (flagged || unread || carrier || i == still.size() - 1) kept.add(g.lsn());
        }
        long lastOffset = 0, lastAck = 0;
        int lastTsVal = c.clientTsVal(), lastTsEcr = 0;
        Seg dropped = null;
        for (Seg g : still) {
            if (g.offset() == null) continue;
            Segment s = g.segment();
            boolean far = Math.abs(g.offset() - lastOffset) >= 1L << 30 || (g.ack() != null && Math.abs(g.ack() - lastAck) >= 1L << 30)
                    || (c.timestamps() && (farTs(s.tsVal(), lastTsVal) || farTs(s.tsEcr(), lastTsEcr)));
            if (far && dropped != null) {
                kept.add(dropped.lsn());
                lastOffset = dropped.offset();
                if (dropped.ack() != null) lastAck = dropped.ack();
                if (dropped.segment().tsVal() != 0) lastTsVal = dropped.segment().tsVal();
                if (dropped.segment().tsEcr() != 0) lastTsEcr = dropped.segment().tsEcr();
            }
            if (kept.contains(g.lsn())) {
                lastOffset = g.offset();
                if (g.ack() != null) lastAck = g.ack();
                if (s.tsVal() != 0) lastTsVal = s.tsVal();
                if (s.tsEcr() != 0) lastTsEcr = s.tsEcr();
                dropped = null;
            } else {
                dropped = g;
            }
        }
        return kept;
    }

    private static boolean farTs(int seen, int known) {
        return seen != 0 && known != 0 && Math.abs((long) (seen - known)) >= 1L << 30;
    }

    /** SEGMENT records of incarnations pinned by the latest applied checkpoint that it let go (rule C3 keeps only some). */
    long segmentsLetGoOfPinned() {
        long n = 0;
        for (Incarnation inc : pinned.keySet()) {
            for (Seg g : inc.segments) if (g.lsn() < appliedLsn && !inc.kept.contains(g.lsn())) n++;
        }
        return n;
    }

    int liveConnections() {
        return live.size();
    }

    /** The expected snapshot, recomputed from every record seen. */
    List<LoggedRecord> expected(long through) {
        TreeMap<Long, Record> out = new TreeMap<>();
        TreeMap<Long, TreeMap<Integer, Heartbeat.TsVal>> beats = new TreeMap<>();
        Map<Long, Long> sentAt = new HashMap<>();
        for (LoggedRecord r : all) {
            if (r.lsn() > through) break;
            if (r.lsn() >= appliedLsn) {
                out.put(r.lsn(), r.record());
            } else if (r.record() instanceof Connect && pinned.containsKey(owners.get(r.lsn()))) {
                out.put(r.lsn(), r.record());
            } else if (r.record() instanceof Segment && pinned.containsKey(owners.get(r.lsn())) && owners.get(r.lsn()).kept.contains(r.lsn())) {
                out.put(r.lsn(), r.record());
            }
        }
        for (Beat b : pinned.values()) {
            if (b != null && b.lsn <= through) {
                beats.computeIfAbsent(b.lsn, k -> new TreeMap<>()).put(b.index, b.entry);
                sentAt.put(b.lsn, b.sentAt);
            }
        }
        beats.forEach((lsn, entries) -> out.put(lsn, new Heartbeat(sentAt.get(lsn), new ArrayList<>(entries.values()))));
        List<LoggedRecord> list = new ArrayList<>();
        out.forEach((lsn, r) -> list.add(new LoggedRecord(lsn, r)));
        return list;
    }

    /**
     * A checkpoint of the primary's application now: one matching the records, or (when
     * {@code spoil}) one that differs in one way the rules refuse.
     */
    Checkpoint checkpoint(SplittableRandom random, boolean spoil) {
        List<Checkpoint.Entry> entries = new ArrayList<>();
        for (Incarnation inc : live.values()) {
            if (!inc.accepted) continue;
            long floor = Math.min(inc.maxAck, inc.outputEnd);
            long start = Math.max(0, floor - random.nextInt(40));
            byte[] output = new byte[(int) (inc.outputEnd - start)];
            random.nextBytes(output);
            entries.add(new Checkpoint.Entry(inc.connect.tuple(), inc.readOffset, inc.outputEnd, inc.shut, inc.closed, start, output));
        }
        if (spoil) {
            int way = random.nextInt(5);
            if (entries.isEmpty() || way == 0) {
                entries.add(new Checkpoint.Entry(new FourTuple(RetentionTraffic.SERVER, 80, 0x0c000001, 1 + random.nextInt(60000)),
                        0, 0, false, false, 0, new byte[0])); // held open, unknown to the records
            } else {
                int i = random.nextInt(entries.size());
                Checkpoint.Entry e = entries.get(i);
                entries.set(i, switch (way) {
                    case 1 -> new Checkpoint.Entry(e.connection(), e.readOffset() + 1, e.outputOffset(), e.outputShut(), e.closed(), e.outputStart(), e.output());
                    case 2 -> new Checkpoint.Entry(e.connection(), e.readOffset(), e.outputOffset() + 1, e.outputShut(), e.closed(), e.outputStart(),
                            java.util.Arrays.copyOf(e.output(), e.output().length + 1));
                    case 3 -> {
                        long floor = Math.min(live.get(e.connection()).maxAck, e.outputOffset());
                        yield floor < e.outputOffset() // output that starts above the client's acknowledgement
                                ? new Checkpoint.Entry(e.connection(), e.readOffset(), e.outputOffset(), e.outputShut(), e.closed(), floor + 1,
                                new byte[(int) (e.outputOffset() - floor - 1)])
                                : null;
                    }
                    default -> null;
                });
                if (entries.get(i) == null || way == 4) {
                    entries.remove(i); // a connection the application has left out
                }
            }
        }
        if (random.nextInt(3) == 0) { // a connection the application closed and the records show finished (or never had): ignored
            entries.add(new Checkpoint.Entry(new FourTuple(RetentionTraffic.SERVER, 80, 0x0b000000 | random.nextInt(1 << 16), 1 + random.nextInt(60000)),
                    3, 5, true, true, 5, new byte[0]));
        }
        java.util.Collections.shuffle(entries, new java.util.Random(random.nextLong()));
        return new Checkpoint(RetentionTraffic.NOTHING, new byte[random.nextInt(30)], entries);
    }
}
