package io.fttcp.replication.retention;

import io.fttcp.replication.record.Accept;
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
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.fttcp.replication.retention.RetentionTraffic.ACK;
import static io.fttcp.replication.retention.RetentionTraffic.FIN;
import static io.fttcp.replication.retention.RetentionTraffic.LISTENER;
import static io.fttcp.replication.retention.RetentionTraffic.RST;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One rule at a time. */
class LiveRecordSetTest {

    private static final FourTuple A = new FourTuple(0x0a000001, 80, 0xc0a80001, 40001);
    private static final FourTuple B = new FourTuple(0x0a000001, 80, 0xc0a80002, 40002);

    /** No lingering: a finished connection goes at once, so each rule of finishing shows alone (lingering has its own tests). */
    private final LiveRecordSet set = new LiveRecordSet(RetentionPolicy.CONNECTION_SCOPED, 0, 0);
    private final List<LoggedRecord> added = new ArrayList<>();
    private long lsn;

    private LoggedRecord add(Record r) {
        set.add(++lsn, r);
        LoggedRecord logged = new LoggedRecord(lsn, r);
        added.add(logged);
        return logged;
    }

    private static Connect connect(FourTuple t, int clientIsn, int serverIsn) {
        return new Connect(t, clientIsn, serverIsn, 1460, 1460, -1, -1, false, false, 0, 0, 65535);
    }

    private static Segment data(FourTuple t, int clientIsn, int offset, int length, int flags, int ack) {
        return new Segment(t, clientIsn + 1 + offset, ack, flags, 65535, 0, 0, new byte[length]);
    }

    private List<LoggedRecord> snapshot() {
        return set.snapshot(Long.MAX_VALUE);
    }

    @Test
    void lsnsMustIncreaseGapsAllowed() {
        set.add(5, new Seed(1));
        set.add(9, new Seed(2));
        assertThrows(IllegalArgumentException.class, () -> set.add(9, new Seed(3)));
        assertThrows(IllegalArgumentException.class, () -> set.add(7, new Seed(3)));
        assertThrows(IllegalArgumentException.class, () -> new LiveRecordSet(RetentionPolicy.EVERYTHING).add(0, new Seed(3)));
    }

    /** Writes 10 bytes, the client sends 5 and its FIN, the application closes, the client acknowledges our FIN. */
    private List<LoggedRecord> fullConnection(FourTuple t, int clientIsn, int serverIsn, boolean ackOurFin) {
        List<LoggedRecord> mine = new ArrayList<>();
        mine.add(add(connect(t, clientIsn, serverIsn)));
        mine.add(add(new Accept(LISTENER, t)));
        mine.add(add(data(t, clientIsn, 0, 5, ACK | FIN, serverIsn + 1)));
        mine.add(add(new Read(t, 5)));
        mine.add(add(new Write(t, 0, 10, 0)));
        mine.add(add(new Read(t, -1)));
        mine.add(add(new Close(t, Close.How.CLOSE)));
        if (ackOurFin) add(data(t, clientIsn, 6, 0, ACK, serverIsn + 1 + 10 + 1));
        return mine;
    }

    @Test
    void closedEndedAndAcknowledgedFinishes() {
        fullConnection(A, 100, 500, true);
        assertEquals(List.of(), snapshot());
        assertEquals(0, set.liveConnections());
        assertEquals(0, set.retainedRecords());
        assertEquals(0, set.oldestRetainedLsn());
    }

    @Test
    void ourFinNotAcknowledgedKeepsTheConnection() {
        List<LoggedRecord> mine = fullConnection(A, 100, 500, false);
        add(data(A, 100, 6, 0, ACK, 500 + 1 + 10)); // acknowledges the data, not the FIN
        List<LoggedRecord> expected = new ArrayList<>(mine);
        expected.add(added.getLast());
        assertEquals(expected, snapshot());
        assertEquals(1, set.liveConnections());
        assertEquals(5, set.retainedPayloadBytes());
        assertEquals(1, set.oldestRetainedLsn());
        add(data(A, 100, 6, 0, ACK, 500 + 1 + 10 + 1));
        assertEquals(List.of(), snapshot());
    }

    @Test
    void onlyTheApplicationsCloseCounts() {
        add(connect(A, 7, 9));
        add(data(A, 7, 0, 0, ACK | FIN, 10));
        add(new Close(A, Close.How.SHUTDOWN_OUTPUT));
        add(new Close(A, Close.How.SHUTDOWN_INPUT));
        add(data(A, 7, 1, 0, ACK, 11)); // our FIN acknowledged
        add(data(A, 7, 0, 0, RST, 0));
        assertEquals(added, snapshot());
        add(new Close(A, Close.How.CLOSE));
        assertEquals(List.of(), snapshot());
    }

    /**
     * A connection a takeover gave up (its client was reset, the application's socket failed:
     * neither a client RST nor the application's close is ever logged for it) finishes at its
     * CLOSE RESET, with its bytes: before, it stayed live in every later catch-up.
     */
    @Test
    void aConnectionGivenUpAtATakeoverFinishesAtItsReset() {
        add(connect(A, 100, 500));
        add(new Accept(LISTENER, A));
        add(data(A, 100, 0, 5, ACK, 500 + 1));
        add(connect(B, 200, 600));
        assertEquals(2, set.liveConnections());
        add(new Close(A, Close.How.RESET));
        assertEquals(1, set.liveConnections());
        assertEquals(0, set.retainedPayloadBytes());
        assertTrue(snapshot().stream().noneMatch(r -> r.record() instanceof Connect c && c.tuple().equals(A)), snapshot().toString());
    }

    @Test
    void resetAfterCloseFinishesWithoutFin() {
        add(connect(A, 7, 9));
        add(new Close(A, Close.How.CLOSE));
        assertEquals(2, snapshot().size());
        add(data(A, 7, 0, 0, RST, 0));
        assertEquals(List.of(), snapshot());
    }

    @Test
    void appCloseAfterClientFinAndAck() {
        add(connect(A, 7, 9));
        add(data(A, 7, 0, 3, ACK | FIN, 10));
        add(data(A, 7, 4, 0, ACK, 11)); // a bogus early ack of a FIN not sent yet: the rule only compares offsets
        assertEquals(3, snapshot().size());
        add(new Close(A, Close.How.CLOSE));
        assertEquals(List.of(), snapshot());
    }

    @Test
    void clientStreamMustBeContiguousUpToTheFin() {
        int isn = -20; // the stream wraps past 2^32
        add(connect(A, isn, -3));
        add(data(A, isn, 30, 10, ACK | FIN, -2));
        add(data(A, isn, 0, 10, ACK, -2));
        add(data(A, isn, 0, 10, ACK, -2)); // duplicate
        add(new Close(A, Close.How.CLOSE));
        add(data(A, isn, 41, 0, ACK, -1)); // our FIN acknowledged: offset 1 > output end 0
        assertEquals(1, set.liveConnections(), "hole at 10..30");
        add(data(A, isn, 20, 10, ACK, -1));
        assertEquals(1, set.liveConnections(), "hole at 10..20");
        add(data(A, isn, 5, 20, ACK, -1)); // overlaps both sides
        assertEquals(0, set.liveConnections());
        assertEquals(List.of(), snapshot());
    }

    @Test
    void theFirstFinCounts() {
        add(connect(A, 0, 0));
        add(data(A, 0, 10, 0, ACK | FIN, 1));
        add(data(A, 0, 0, 4, ACK | FIN, 1)); // a FIN at 4 later: ignored, the stream ends at 10
        add(new Close(A, Close.How.CLOSE));
        add(data(A, 0, 11, 0, ACK, 2));
        assertEquals(1, set.liveConnections());
        add(data(A, 0, 4, 6, ACK, 2));
        assertEquals(0, set.liveConnections());
    }

    @Test
    void segmentsBeforeTheClientsSynAreIgnoredButTheirResetCounts() {
        add(connect(A, 1000, 0));
        add(new Close(A, Close.How.CLOSE));
        add(new Segment(A, 990, 2, ACK | FIN, 0, 0, 0, new byte[0])); // FIN and ACK before the SYN: garbage
        add(new Segment(A, 1001, 1, ACK, 0, 0, 0, new byte[0]));
        assertEquals(1, set.liveConnections());
        add(new Segment(A, 900, 0, RST, 0, 0, 0, new byte[0]));
        assertEquals(0, set.liveConnections());
    }

    @Test
    void ackMustCoverTheWholeOutputAndTheFin() {
        add(connect(A, 0, -5)); // our sequence space wraps too
        add(new Write(A, 0, 100, 0));
        add(new Write(A, 100, -1, 0)); // a failed write adds nothing
        add(new Write(A, 100, 50, 0));
        add(data(A, 0, 0, 0, ACK | FIN, -4 + 150));
        add(new Close(A, Close.How.CLOSE));
        assertEquals(1, set.liveConnections(), "ack == end of output: our FIN not covered");
        add(data(A, 0, 1, 0, ACK, -4 + 151));
        assertEquals(0, set.liveConnections());
    }

    @Test
    void aNewConnectSupersedesTheOldIncarnation() {
        add(connect(A, 1, 1));
        add(new Write(A, 0, 10, 0));
        add(heartbeat(A));
        LoggedRecord second = add(connect(A, 5000, 7000));
        LoggedRecord read = add(new Read(A, 0));
        assertEquals(List.of(second, read), snapshot());
        assertEquals(1, set.liveConnections());
        assertEquals(second.lsn(), set.oldestRetainedLsn());
        // The new incarnation finishes by its own numbers (the old one's writes do not count).
        add(data(A, 5000, 0, 0, FIN | ACK, 7002));
        add(new Close(A, Close.How.CLOSE));
        assertEquals(List.of(), snapshot());
    }

    private static Heartbeat heartbeat(FourTuple... tuples) {
        List<Heartbeat.TsVal> entries = new ArrayList<>();
        for (FourTuple t : tuples) entries.add(new Heartbeat.TsVal(t, t.remotePort() * 10));
        return new Heartbeat(42, entries);
    }

    @Test
    void globalRecordsLiveWhileAnOlderConnectionDoes() {
        LoggedRecord early = add(new Seed(1));
        LoggedRecord a = add(connect(A, 0, 0));
        LoggedRecord clock = add(new Clock(Clock.Source.WALL_MILLIS, 5));
        LoggedRecord b = add(connect(B, 0, 0));
        LoggedRecord nothing = add(new Accept(LISTENER, new FourTuple(0, 0, 0, 0)));
        LoggedRecord listenerClose = add(new Close(LISTENER, Close.How.CLOSE));
        LoggedRecord listenerClock = add(new Clock(LISTENER, Clock.Source.MONOTONIC_NANOS, 9));
        assertEquals(List.of(a, clock, b, nothing, listenerClose, listenerClock), snapshot());
        assertTrue(early.lsn() < set.oldestRetainedLsn());
        // A finishes: the oldest live connection is B, so only records after B's CONNECT stay.
        add(new Close(A, Close.How.CLOSE));
        add(data(A, 0, 0, 0, RST, 0));
        assertEquals(List.of(b, nothing, listenerClose, listenerClock), snapshot());
        assertEquals(b.lsn(), set.oldestRetainedLsn());
        add(new Close(B, Close.How.CLOSE));
        add(data(B, 0, 0, 0, RST, 0));
        assertEquals(List.of(), snapshot());
        add(new Seed(3)); // nothing live: not kept
        assertEquals(List.of(), snapshot());
        assertEquals(0, set.retainedRecords());
        assertEquals(0, set.recordsNotRetained());
    }

    @Test
    void readyKeepsListenersAndLiveConnections() {
        LoggedRecord a = add(connect(A, 0, 0));
        LoggedRecord b = add(connect(B, 0, 0));
        FourTuple unknown = new FourTuple(1, 2, 3, 4);
        Ready.Entry ea = new Ready.Entry(A, 1), eb = new Ready.Entry(B, 4), el = new Ready.Entry(LISTENER, 16), eu = new Ready.Entry(unknown, 1);
        LoggedRecord both = add(new Ready(0, List.of(ea, eu, eb)));
        LoggedRecord withListener = add(new Ready(1, List.of(el, ea)));
        LoggedRecord onlyA = add(new Ready(0, List.of(ea)));
        LoggedRecord empty = add(new Ready(0, List.of()));
        add(new Ready(0, List.of(eu))); // only an unknown connection
        assertEquals(1, set.recordsNotRetained());
        assertEquals(List.of(a, b, new LoggedRecord(both.lsn(), new Ready(0, List.of(ea, eb))), withListener, onlyA, empty), snapshot());
        // A finishes: its entries go; a READY left with a listener is global (younger than B's CONNECT).
        add(new Close(A, Close.How.CLOSE));
        add(data(A, 0, 0, 0, RST, 0));
        assertEquals(List.of(b, new LoggedRecord(both.lsn(), new Ready(0, List.of(eb))),
                new LoggedRecord(withListener.lsn(), new Ready(1, List.of(el))), empty), snapshot());
        assertEquals(4, set.retainedRecords());
        add(new Close(B, Close.How.CLOSE));
        add(data(B, 0, 0, 0, RST, 0));
        assertEquals(List.of(), snapshot());
        assertEquals(0, set.retainedRecords());
    }

    @Test
    void readyOfAFinishedConnectionOlderThanTheOldestLiveGoesEvenWithAListener() {
        LoggedRecord b = add(connect(B, 0, 0));
        add(connect(A, 0, 0));
        add(new Ready(0, List.of(new Ready.Entry(LISTENER, 16), new Ready.Entry(A, 1))));
        add(new Close(B, Close.How.CLOSE));
        add(data(B, 0, 0, 0, RST, 0));
        add(new Close(A, Close.How.CLOSE));
        LoggedRecord late = add(connect(B, 9, 9));
        add(data(A, 0, 0, 0, RST, 0));
        assertEquals(List.of(late), snapshot());
        assertTrue(b.lsn() < late.lsn());
    }

    @Test
    void heartbeatsAreCompactedToEachConnectionsLatest() {
        LoggedRecord a = add(connect(A, 0, 0));
        LoggedRecord b = add(connect(B, 0, 0));
        add(new Heartbeat(1, List.of(new Heartbeat.TsVal(A, 1), new Heartbeat.TsVal(B, 2))));
        LoggedRecord second = add(new Heartbeat(2, List.of(new Heartbeat.TsVal(B, 3), new Heartbeat.TsVal(A, 4), new Heartbeat.TsVal(A, 5))));
        LoggedRecord third = add(new Heartbeat(3, List.of(new Heartbeat.TsVal(B, 6), new Heartbeat.TsVal(new FourTuple(1, 2, 3, 4), 7))));
        add(new Heartbeat(4, List.of()));
        add(new Heartbeat(5, List.of(new Heartbeat.TsVal(new FourTuple(1, 2, 3, 4), 7))));
        assertEquals(1, set.recordsNotRetained());
        assertEquals(List.of(a, b, new LoggedRecord(second.lsn(), new Heartbeat(2, List.of(new Heartbeat.TsVal(A, 5)))),
                new LoggedRecord(third.lsn(), new Heartbeat(3, List.of(new Heartbeat.TsVal(B, 6))))), snapshot());
        assertEquals(4, set.retainedRecords());
        assertEquals(List.of(a, b), set.snapshot(second.lsn() - 1));
        add(new Close(B, Close.How.CLOSE));
        add(data(B, 0, 0, 0, RST, 0));
        assertEquals(List.of(a, new LoggedRecord(second.lsn(), new Heartbeat(2, List.of(new Heartbeat.TsVal(A, 5))))), snapshot());
        assertEquals(2, set.retainedRecords());
    }

    @Test
    void recordsOfUnknownConnectionsAreCounted() {
        add(new Segment(A, 1, 1, ACK, 1, 0, 0, new byte[3]));
        add(new Accept(LISTENER, A));
        add(new Read(A, 1));
        add(new Write(A, 0, 1, 0));
        add(new Close(A, Close.How.CLOSE));
        add(new Clock(A, Clock.Source.WALL_MILLIS, 1));
        add(new Seed(A, 1));
        add(connect(LISTENER, 0, 0));
        assertEquals(8, set.recordsNotRetained());
        assertEquals(List.of(), snapshot());
        // Late records of a finished connection are unknown too.
        fullConnection(B, 0, 0, true);
        add(data(B, 0, 5, 0, FIN | ACK, 12));
        assertEquals(9, set.recordsNotRetained());
        assertEquals(0, set.retainedPayloadBytes());
    }

    @Test
    void manyFinishedConnectionsLeaveNothingBehind() {
        for (int i = 0; i < 20_000; i++) {
            FourTuple t = new FourTuple(1, 80, 2, 1000 + i % 50);
            fullConnection(t, i * 7919, i * 104729, true);
            add(new Seed(i));
            add(new Heartbeat(i, List.of(new Heartbeat.TsVal(t, i))));
            add(new Ready(0, List.of(new Ready.Entry(LISTENER, 16))));
        }
        assertEquals(0, set.retainedRecords());
        assertEquals(0, set.liveConnections());
        assertEquals(List.of(), snapshot());
    }

    @Test
    void everythingKeepsFinishedConnectionsAndCountsLiveOnes() {
        LiveRecordSet all = new LiveRecordSet(RetentionPolicy.EVERYTHING);
        List<LoggedRecord> records = new ArrayList<>();
        long n = 0;
        for (Record r : List.of(connect(A, 0, 0), data(A, 0, 0, 7, ACK, 1), new Close(A, Close.How.CLOSE), data(A, 0, 0, 0, RST, 0),
                connect(B, 0, 0), new Heartbeat(1, List.of()), new Seed(2))) {
            all.add(n += 2, r);
            records.add(new LoggedRecord(n, r));
        }
        assertEquals(records, all.snapshot(Long.MAX_VALUE));
        assertEquals(records.subList(0, 3), all.snapshot(6));
        assertEquals(1, all.liveConnections());
        assertEquals(7, all.retainedPayloadBytes());
        assertEquals(2, all.oldestRetainedLsn());
    }

    // ---- lingering --------------------------------------------------------------------------

    /** Feeds {@code into} the records of {@code t}: a finished connection with {@code payload} client bytes (then its late FIN retransmission). */
    private static List<LoggedRecord> finishedConnection(LiveRecordSet into, long[] lsn, FourTuple t, byte[] payload) {
        List<Record> records = List.of(connect(t, 100, 500), new Accept(LISTENER, t),
                new Segment(t, 101, 501, ACK | FIN, 65535, 0, 0, payload),
                new Write(t, 0, 10, 0), new Close(t, Close.How.CLOSE),
                new Segment(t, 101 + payload.length + 1, 500 + 1 + 10 + 1, ACK, 65535, 0, 0, new byte[0]));
        List<LoggedRecord> mine = new ArrayList<>();
        for (Record r : records) {
            into.add(++lsn[0], r);
            mine.add(new LoggedRecord(lsn[0], r));
        }
        return mine;
    }

    private static FourTuple client(int port) {
        return new FourTuple(0x0a000001, 80, 0xc0a80009, port);
    }

    @Test
    void aFinishedConnectionLingersWithItsRecords() {
        LiveRecordSet lingers = new LiveRecordSet(RetentionPolicy.CONNECTION_SCOPED);
        long[] n = {0};
        List<LoggedRecord> mine = finishedConnection(lingers, n, A, new byte[5]);
        assertEquals(mine, lingers.snapshot(Long.MAX_VALUE));
        assertEquals(mine.subList(0, 3), lingers.snapshot(3));
        assertEquals(0, lingers.liveConnections());
        assertEquals(1, lingers.lingeringConnections());
        assertEquals(5, lingers.lingeringPayloadBytes());
        assertEquals(5, lingers.retainedPayloadBytes());
        assertEquals(mine.size(), lingers.retainedRecords());
        assertEquals(1, lingers.oldestRetainedLsn());
        // Records naming it after it finished are not retained, as the backup's replay ignores them.
        lingers.add(++n[0], new Segment(A, 101 + 5, 512, ACK | FIN, 65535, 0, 0, new byte[0]));
        lingers.add(++n[0], new Heartbeat(1, List.of(new Heartbeat.TsVal(A, 9))));
        lingers.add(++n[0], new Ready(0, List.of(new Ready.Entry(A, 1))));
        assertEquals(3, lingers.recordsNotRetained());
        assertEquals(mine, lingers.snapshot(Long.MAX_VALUE));
        assertEquals(0, lingers.evictedConnections());
    }

    @Test
    void theOldestFinishedIsEvictedBeyondTheCount() {
        LiveRecordSet lingers = new LiveRecordSet(RetentionPolicy.CONNECTION_SCOPED, 2, Long.MAX_VALUE);
        long[] n = {0};
        FourTuple c = client(1), d = client(2), e = client(3);
        // Live B is older than all: the globals between stay pinned by it, whatever lingers.
        LoggedRecord b = new LoggedRecord(++n[0], connect(B, 0, 0));
        lingers.add(b.lsn(), b.record());
        finishedConnection(lingers, n, c, new byte[1]);
        List<LoggedRecord> second = finishedConnection(lingers, n, d, new byte[2]);
        assertEquals(2, lingers.lingeringConnections());
        List<LoggedRecord> third = finishedConnection(lingers, n, e, new byte[3]);
        assertEquals(2, lingers.lingeringConnections());
        assertEquals(1, lingers.evictedConnections());
        List<LoggedRecord> expected = new ArrayList<>(List.of(b));
        expected.addAll(second);
        expected.addAll(third);
        assertEquals(expected, lingers.snapshot(Long.MAX_VALUE));
        assertEquals(5, lingers.lingeringPayloadBytes());
        assertEquals(5, lingers.retainedPayloadBytes());
        assertEquals(1, lingers.liveConnections());
    }

    @Test
    void theOldestFinishedIsEvictedBeyondTheBytesAndALargeOneAtOnce() {
        LiveRecordSet lingers = new LiveRecordSet(RetentionPolicy.CONNECTION_SCOPED, 100, 100);
        long[] n = {0};
        List<LoggedRecord> first = finishedConnection(lingers, n, client(1), new byte[60]);
        assertEquals(first, lingers.snapshot(Long.MAX_VALUE));
        List<LoggedRecord> second = finishedConnection(lingers, n, client(2), new byte[40]);
        List<LoggedRecord> both = new ArrayList<>(first);
        both.addAll(second);
        assertEquals(both, lingers.snapshot(Long.MAX_VALUE), "exactly at the bound: both kept");
        assertEquals(100, lingers.lingeringPayloadBytes());
        List<LoggedRecord> third = finishedConnection(lingers, n, client(3), new byte[1]);
        List<LoggedRecord> last = new ArrayList<>(second);
        last.addAll(third);
        assertEquals(last, lingers.snapshot(Long.MAX_VALUE));
        assertEquals(second.getFirst().lsn(), lingers.oldestRetainedLsn());
        assertEquals(41, lingers.lingeringPayloadBytes());
        finishedConnection(lingers, n, client(4), new byte[101]); // alone above the bound: evicts all, itself too
        assertEquals(List.of(), lingers.snapshot(Long.MAX_VALUE));
        assertEquals(0, lingers.lingeringConnections());
        assertEquals(0, lingers.lingeringPayloadBytes());
        assertEquals(0, lingers.retainedRecords());
        assertEquals(0, lingers.oldestRetainedLsn());
        assertEquals(4, lingers.evictedConnections());
    }

    @Test
    void globalsReadiesAndHeartbeatsStayWhileTheConnectionLingers() {
        LiveRecordSet lingers = new LiveRecordSet(RetentionPolicy.CONNECTION_SCOPED, 1, Long.MAX_VALUE);
        long[] n = {0};
        List<LoggedRecord> expected = new ArrayList<>();
        LoggedRecord early = new LoggedRecord(++n[0], new Seed(1));
        lingers.add(early.lsn(), early.record());
        for (Record r : List.of(connect(A, 0, 0), new Seed(2), new Ready(0, List.of(new Ready.Entry(A, 1), new Ready.Entry(LISTENER, 16))),
                new Ready(1, List.of(new Ready.Entry(A, 1))), new Heartbeat(7, List.of(new Heartbeat.TsVal(A, 70))),
                new Close(A, Close.How.CLOSE), data(A, 0, 0, 0, RST, 0))) {
            lingers.add(++n[0], r);
            expected.add(new LoggedRecord(n[0], r));
        }
        LoggedRecord after = new LoggedRecord(++n[0], new Seed(3));
        lingers.add(after.lsn(), after.record());
        expected.add(after);
        assertEquals(1, lingers.lingeringConnections());
        assertEquals(expected, lingers.snapshot(Long.MAX_VALUE), "the lingering connection pins what the application did since its CONNECT");
        assertEquals(expected.size(), lingers.retainedRecords());
        assertEquals(expected.getFirst().lsn(), lingers.oldestRetainedLsn());
        // B finishes and evicts A: A's own records and READY entries go; what is younger than B's CONNECT stays.
        LoggedRecord b = new LoggedRecord(++n[0], connect(B, 0, 0));
        lingers.add(b.lsn(), b.record());
        LoggedRecord listenerReady = new LoggedRecord(++n[0], new Ready(0, List.of(new Ready.Entry(LISTENER, 16), new Ready.Entry(B, 1))));
        lingers.add(listenerReady.lsn(), listenerReady.record());
        lingers.add(++n[0], new Close(B, Close.How.CLOSE));
        lingers.add(++n[0], data(B, 0, 0, 0, RST, 0));
        LoggedRecord closeB = new LoggedRecord(n[0] - 1, new Close(B, Close.How.CLOSE));
        LoggedRecord rstB = new LoggedRecord(n[0], data(B, 0, 0, 0, RST, 0));
        assertEquals(List.of(b, listenerReady, closeB, rstB), lingers.snapshot(Long.MAX_VALUE));
        assertEquals(b.lsn(), lingers.oldestRetainedLsn());
        assertEquals(1, lingers.evictedConnections());
    }

    @Test
    void aConnectSupersedesALingeringIncarnation() {
        LiveRecordSet lingers = new LiveRecordSet(RetentionPolicy.CONNECTION_SCOPED);
        long[] n = {0};
        finishedConnection(lingers, n, A, new byte[7]);
        assertEquals(1, lingers.lingeringConnections());
        LoggedRecord again = new LoggedRecord(++n[0], connect(A, 9000, 9000));
        lingers.add(again.lsn(), again.record());
        assertEquals(List.of(again), lingers.snapshot(Long.MAX_VALUE));
        assertEquals(0, lingers.lingeringConnections());
        assertEquals(0, lingers.lingeringPayloadBytes());
        assertEquals(1, lingers.liveConnections());
        assertEquals(0, lingers.evictedConnections(), "superseded, not evicted");
    }

    @Test
    void lingeringBoundsMustNotBeNegative() {
        assertThrows(IllegalArgumentException.class, () -> new LiveRecordSet(RetentionPolicy.CONNECTION_SCOPED, -1, 0));
        assertThrows(IllegalArgumentException.class, () -> new LiveRecordSet(RetentionPolicy.CONNECTION_SCOPED, 0, -1));
    }

    @Test
    void theDefaultBoundsHoldOverManyConnections() {
        LiveRecordSet lingers = new LiveRecordSet(RetentionPolicy.CONNECTION_SCOPED);
        long[] n = {0};
        byte[] small = new byte[5];
        for (int i = 0; i < 5_000; i++) {
            finishedConnection(lingers, n, new FourTuple(1, 80, 2 + i / 60_000, 1000 + i), small);
            lingers.add(++n[0], new Seed(i));
        }
        assertEquals(LiveRecordSet.DEFAULT_MAX_LINGERING, lingers.lingeringConnections());
        assertEquals(5_000 - LiveRecordSet.DEFAULT_MAX_LINGERING, lingers.evictedConnections());
        // 6 records each, and the SEED after each (the last one's too), all younger than the oldest lingering CONNECT.
        assertEquals(LiveRecordSet.DEFAULT_MAX_LINGERING * 7L, lingers.retainedRecords());
        assertEquals(lingers.snapshot(Long.MAX_VALUE).size(), lingers.retainedRecords());
        byte[] large = new byte[1 << 20]; // shared: the set keeps references, not copies
        for (int i = 0; i < 100; i++) finishedConnection(lingers, n, new FourTuple(1, 80, 3, 1000 + i), large);
        long limit = LiveRecordSet.DEFAULT_MAX_LINGERING_PAYLOAD_BYTES;
        assertEquals(limit / large.length, lingers.lingeringConnections(), "the byte bound: 32 of 1 MiB");
        assertEquals(limit, lingers.lingeringPayloadBytes());
        assertEquals(limit, lingers.retainedPayloadBytes());
    }
}
