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
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The retention rules written as plainly as possible, for checking {@link LiveRecordSet}: every
 * record is remembered with what it names, byte offsets received are a bit set, sequence numbers
 * are read relative to the ISN (streams here are far below 2^31 bytes), lingering connections are
 * a list in finishing order whose bounds are recounted from scratch, and the expected snapshot is
 * recomputed from scratch each time.
 */
final class RetentionReference {
    private final int maxLingering;
    private final long maxLingeringBytes;
    /** Finished connections still retained, in the order they finished. */
    private final List<Incarnation> lingering = new ArrayList<>();
    long evictedByCount;
    long evictedByBytes;

    RetentionReference(int maxLingering, long maxLingeringBytes) {
        this.maxLingering = maxLingering;
        this.maxLingeringBytes = maxLingeringBytes;
    }

    static final class Incarnation {
        final long connectLsn;
        final Connect connect;
        final BitSet received = new BitSet();
        long finOffset = -1;
        long maxAck;
        long outputEnd;
        boolean closed;
        boolean reset;
        /** Not finished (nor superseded). */
        boolean live = true;
        /** Its records kept: live, or finished and lingering. */
        boolean retained = true;
        long payload;
        long heartbeatLsn = -1;
        long heartbeatSentAt;
        int heartbeatIndex;
        int heartbeatTsVal;

        Incarnation(long connectLsn, Connect connect) {
            this.connectLsn = connectLsn;
            this.connect = connect;
        }

        boolean finished() {
            boolean ended = finOffset >= 0 && received.nextClearBit(0) >= finOffset && maxAck > outputEnd;
            return closed && (reset || ended);
        }
    }

    /** What one record is to the rules: a connection's own, global, or a READY with its entries' owners. */
    private record Event(long lsn, Record record, Incarnation owner, boolean global, List<Ready.Entry> readyEntries,
                         List<Incarnation> readyOwners) {
    }

    private final List<Event> events = new ArrayList<>();
    private final Map<FourTuple, Incarnation> current = new HashMap<>();
    private final List<Incarnation> all = new ArrayList<>();
    long notRetained;

    static boolean listener(FourTuple t) {
        return t.remoteAddress() == 0 && t.remotePort() == 0;
    }

    void add(long lsn, Record record) {
        switch (record) {
            case Connect c -> {
                if (listener(c.tuple())) {
                    notRetained++;
                    return;
                }
                Incarnation old = current.remove(c.tuple());
                if (old != null) {
                    old.live = false;
                    old.retained = false;
                }
                for (Incarnation l : lingering) {
                    if (l.connect.tuple().equals(c.tuple())) l.retained = false; // superseded too
                }
                lingering.removeIf(l -> !l.retained);
                Incarnation inc = new Incarnation(lsn, c);
                current.put(c.tuple(), inc);
                all.add(inc);
                own(lsn, c, inc);
            }
            case Segment s -> {
                Incarnation inc = own(lsn, s, s.tuple());
                if (inc == null) return;
                inc.payload += s.payload().length;
                if ((s.flags() & 0x04) != 0) inc.reset = true;
                long offset = (int) (s.seq() - (inc.connect.clientIsn() + 1));
                if (offset >= -1) {
                    int length = s.payload() == null ? 0 : s.payload().length;
                    if ((s.flags() & 0x01) != 0 && inc.finOffset < 0) inc.finOffset = offset + length;
                    for (long o = Math.max(0, offset); o < offset + length; o++) inc.received.set((int) o);
                    if ((s.flags() & 0x10) != 0) {
                        inc.maxAck = Math.max(inc.maxAck, (int) (s.ack() - (inc.connect.serverIsn() + 1)));
                    }
                }
                finish(inc);
            }
            case Accept a -> {
                if (listener(a.connection())) global(lsn, a);
                else own(lsn, a, a.connection());
            }
            case Checkpoint c -> global(lsn, c);
            case Read r -> own(lsn, r, r.connection());
            case Write w -> {
                Incarnation inc = own(lsn, w, w.connection());
                if (inc != null && w.count() > 0) inc.outputEnd = Math.max(inc.outputEnd, w.offset() + w.count());
            }
            case Close c -> {
                if (listener(c.socket())) {
                    global(lsn, c);
                    return;
                }
                Incarnation inc = own(lsn, c, c.socket());
                if (inc != null && c.how() == Close.How.CLOSE) {
                    inc.closed = true;
                    finish(inc);
                }
            }
            case Clock c -> {
                if (listener(c.context())) global(lsn, c);
                else own(lsn, c, c.context());
            }
            case Seed s -> {
                if (listener(s.context())) global(lsn, s);
                else own(lsn, s, s.context());
            }
            case Heartbeat h -> {
                boolean any = false;
                boolean unknown = false;
                for (int i = 0; i < h.maxTsVals().size(); i++) {
                    Heartbeat.TsVal t = h.maxTsVals().get(i);
                    Incarnation inc = listener(t.connection()) ? null : current.get(t.connection());
                    if (inc == null) {
                        unknown = true;
                        continue;
                    }
                    any = true;
                    inc.heartbeatLsn = lsn;
                    inc.heartbeatSentAt = h.sentAtNanos();
                    inc.heartbeatIndex = i;
                    inc.heartbeatTsVal = t.tsVal();
                }
                if (!any && unknown) notRetained++;
            }
            case Ready r -> {
                List<Ready.Entry> entries = new ArrayList<>();
                List<Incarnation> owners = new ArrayList<>();
                boolean connection = false;
                for (Ready.Entry e : r.ready()) {
                    if (listener(e.socket())) {
                        entries.add(e);
                        owners.add(null);
                    } else if (current.containsKey(e.socket())) {
                        entries.add(e);
                        owners.add(current.get(e.socket()));
                        connection = true;
                    }
                }
                if (entries.isEmpty() && !r.ready().isEmpty()) {
                    notRetained++;
                    return;
                }
                events.add(new Event(lsn, r, null, !connection, entries, owners));
            }
        }
    }

    private Incarnation own(long lsn, Record record, FourTuple tuple) {
        Incarnation inc = current.get(tuple);
        if (inc == null) {
            notRetained++;
            return null;
        }
        own(lsn, record, inc);
        return inc;
    }

    private void own(long lsn, Record record, Incarnation inc) {
        events.add(new Event(lsn, record, inc, false, null, null));
    }

    private void global(long lsn, Record record) {
        events.add(new Event(lsn, record, null, true, null, null));
    }

    private void finish(Incarnation inc) {
        if (inc.finished()) {
            inc.live = false;
            current.remove(inc.connect.tuple(), inc);
            lingering.add(inc);
            while (!lingering.isEmpty()) {
                long bytes = 0;
                for (Incarnation l : lingering) bytes += l.payload;
                if (lingering.size() > maxLingering) {
                    evictedByCount++;
                } else if (bytes > maxLingeringBytes) {
                    evictedByBytes++;
                } else {
                    break;
                }
                lingering.removeFirst().retained = false;
            }
        }
    }

    int liveConnections() {
        return current.size();
    }

    int lingeringConnections() {
        return lingering.size();
    }

    long lingeringBytes() {
        long bytes = 0;
        for (Incarnation l : lingering) bytes += l.payload;
        return bytes;
    }

    /** The expected snapshot, recomputed from every record seen. */
    List<LoggedRecord> expected(long through) {
        long oldestConnect = Long.MAX_VALUE;
        for (Incarnation inc : all) if (inc.retained) oldestConnect = Math.min(oldestConnect, inc.connectLsn);
        TreeMap<Long, Record> out = new TreeMap<>();
        for (Event e : events) {
            if (e.lsn > through) break;
            if (e.readyEntries != null) {
                List<Ready.Entry> kept = new ArrayList<>();
                boolean retainedConnection = false;
                for (int i = 0; i < e.readyEntries.size(); i++) {
                    Incarnation owner = e.readyOwners.get(i);
                    if (owner == null || owner.retained) kept.add(e.readyEntries.get(i));
                    if (owner != null && owner.retained) retainedConnection = true;
                }
                boolean listenerEntries = e.readyOwners.contains(null);
                boolean keep = retainedConnection || ((listenerEntries || e.readyEntries.isEmpty()) && e.lsn > oldestConnect);
                if (keep) out.put(e.lsn, kept.equals(((Ready) e.record).ready()) ? e.record : new Ready(((Ready) e.record).poller(), kept));
            } else if (e.global) {
                if (e.lsn > oldestConnect) out.put(e.lsn, e.record);
            } else if (e.owner.retained) {
                out.put(e.lsn, e.record);
            }
        }
        TreeMap<Long, TreeMap<Integer, Heartbeat.TsVal>> beats = new TreeMap<>();
        Map<Long, Long> sentAt = new HashMap<>();
        for (Incarnation inc : all) {
            if (inc.retained && inc.heartbeatLsn >= 0 && inc.heartbeatLsn <= through) {
                beats.computeIfAbsent(inc.heartbeatLsn, k -> new TreeMap<>())
                        .put(inc.heartbeatIndex, new Heartbeat.TsVal(inc.connect.tuple(), inc.heartbeatTsVal));
                sentAt.put(inc.heartbeatLsn, inc.heartbeatSentAt);
            }
        }
        beats.forEach((lsn, entries) -> out.put(lsn, new Heartbeat(sentAt.get(lsn), new ArrayList<>(entries.values()))));
        List<LoggedRecord> list = new ArrayList<>();
        out.forEach((lsn, r) -> list.add(new LoggedRecord(lsn, r)));
        return list;
    }
}
