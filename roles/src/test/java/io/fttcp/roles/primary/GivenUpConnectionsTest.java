package io.fttcp.roles.primary;

import io.fttcp.replication.record.Close;
import io.fttcp.replication.record.Connect;
import io.fttcp.replication.record.Read;
import io.fttcp.replication.record.Record;
import io.fttcp.replication.record.Segment;
import io.fttcp.replication.record.Write;
import io.fttcp.replication.retention.LiveRecordSet;
import io.fttcp.replication.retention.RetentionPolicy;
import io.fttcp.stack.tcp.FourTuple;
import org.junit.jupiter.api.Test;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The given-up connections are followed as a set fed every record with its bytes would follow
 * them: after every record, as many are live (merging what cannot finish a connection changes
 * nothing there), whatever the segments' order, duplicates, holes, garbage and resets.
 */
class GivenUpConnectionsTest {
    private static final int SERVER = 0x0a000001;
    private static final int FIN = 0x01, RST = 0x04, PSH = 0x08, ACK = 0x10;

    /** One connection's records in the order it makes them (interleaved with others' later). */
    private static ArrayDeque<Record> script(FourTuple t, SplittableRandom r, List<Record> connects) {
        int clientIsn = r.nextInt(), serverIsn = r.nextInt();
        connects.add(new Connect(t, clientIsn, serverIsn, 1460, 1460, 7, 7, true, false, 0, 0, 65535));
        ArrayDeque<Record> out = new ArrayDeque<>();
        long total = r.nextInt(4) == 0 ? 0 : r.nextInt(3) == 0 ? r.nextLong(1, 3L << 20) : r.nextInt(1, 20_000);
        boolean hole = r.nextInt(12) == 0; // one segment never arrives: never finished
        long written = 0, acked = 0;
        boolean shut = false;
        List<Segment> data = new ArrayList<>();
        for (long sent = 0; sent < total; ) {
            int length = (int) Math.min(total - sent, r.nextInt(3) == 0 ? r.nextInt(1, 65_000) : r.nextInt(1, 1461));
            data.add(new Segment(t, clientIsn + 1 + (int) sent, serverIsn + 1 + (int) acked, ACK | PSH, 65535, 0, 0, new byte[length]));
            sent += length;
        }
        if (hole && !data.isEmpty()) data.remove(r.nextInt(data.size()));
        for (int i = 0; i < data.size(); i++) {
            if (i + 1 < data.size() && r.nextInt(8) == 0) { // reordered
                out.add(data.get(i + 1));
                out.add(data.get(i));
                i++;
            } else {
                out.add(data.get(i));
            }
            if (r.nextInt(10) == 0) out.add(data.get(r.nextInt(i + 1))); // a retransmission
            if (r.nextInt(6) == 0) out.add(new Read(t, r.nextInt(100)));
            if (r.nextInt(5) == 0) {
                int n = r.nextInt(1, 3000);
                out.add(new Write(t, written, n, 0));
                written += n;
            }
            if (r.nextInt(4) == 0 && acked < written) {
                acked = r.nextLong(acked, written + 1);
                out.add(new Segment(t, clientIsn + 1 + (int) total, serverIsn + 1 + (int) acked, ACK, 65535, 0, 0, new byte[0]));
            }
            if (r.nextInt(40) == 0) { // garbage before the client's SYN, acknowledging everything
                out.add(new Segment(t, clientIsn - 100_000, serverIsn + 1 + (int) written + 100_000, ACK, 65535, 0, 0, new byte[0]));
            }
        }
        if (r.nextInt(3) == 0) {
            out.add(new Close(t, Close.How.SHUTDOWN_OUTPUT));
            shut = true;
        }
        int end = r.nextInt(10);
        int finSeq = clientIsn + 1 + (int) total;
        if (end == 0) {
            out.add(new Segment(t, finSeq, serverIsn + 1, RST, 0, 0, 0, new byte[0]));
        } else if (end > 1) { // else: the client never ends its stream
            out.add(new Segment(t, finSeq, serverIsn + 1 + (int) acked, FIN | ACK, 65535, 0, 0, new byte[0]));
        }
        int finAck = finSeq + (end > 1 ? 1 : 0);
        if (!shut && r.nextBoolean()) {
            int n = r.nextInt(1, 500);
            out.add(new Write(t, written, n, 0));
            written += n;
        }
        Segment ourBytes = new Segment(t, finAck, serverIsn + 1 + (int) written, ACK, 65535, 0, 0, new byte[0]);
        Segment ourFin = new Segment(t, finAck, serverIsn + 1 + (int) written + 1, ACK, 65535, 0, 0, new byte[0]);
        boolean close = r.nextInt(6) != 0;
        if (shut && r.nextBoolean()) { // our FIN went out at the shutdown: the client may acknowledge it before the application closes
            if (r.nextBoolean()) out.add(new Segment(t, clientIsn - 100_000, serverIsn + 1 + (int) written + 100_000, ACK, 65535, 0, 0, new byte[0]));
            out.add(ourBytes);
            out.add(ourFin);
            if (close) out.add(new Close(t, Close.How.CLOSE));
        } else {
            if (close) out.add(new Close(t, Close.How.CLOSE));
            out.add(ourBytes); // our bytes, not our FIN
            if (close || shut) out.add(ourFin);
        }
        return out;
    }

    @Test
    void asManyAreLiveAsASetFedEveryRecordWithItsBytesHasAfterEveryRecord() {
        for (long seed = 1; seed <= 150; seed++) {
            SplittableRandom r = new SplittableRandom(seed);
            List<Record> connects = new ArrayList<>();
            List<ArrayDeque<Record>> scripts = new ArrayList<>();
            int n = r.nextInt(1, 9);
            for (int i = 0; i < n; i++) scripts.add(script(new FourTuple(SERVER, 80, 0x0a000002, 40000 + i), r, connects));
            List<Record> stream = new ArrayList<>(connects);
            List<ArrayDeque<Record>> active = new ArrayList<>(scripts);
            active.removeIf(ArrayDeque::isEmpty);
            while (!active.isEmpty()) {
                ArrayDeque<Record> s = active.get(r.nextInt(active.size()));
                stream.add(s.poll());
                if (s.isEmpty()) active.remove(s);
            }
            int takeAt = r.nextInt(connects.size(), stream.size() + 1); // every CONNECT before: only given-up connections
            LiveRecordSet whole = new LiveRecordSet(RetentionPolicy.CONNECTION_SCOPED);
            GivenUpConnections given = new GivenUpConnections();
            for (int i = 0; i < stream.size(); i++) {
                whole.add(i + 1, stream.get(i));
                if (i + 1 == takeAt) given.take(whole.snapshot(i + 1), false);
                if (i + 1 >= takeAt) {
                    if (i + 1 > takeAt) given.add(stream.get(i));
                    assertEquals(whole.liveConnections(), given.live(), "seed " + seed + ": live after record " + (i + 1) + " of "
                            + stream.size() + " (given up after " + takeAt + "): " + stream.get(i));
                }
            }
        }
    }

    /** A long upload in order costs the ledger a record per MiB, not one per segment. */
    @Test
    void anUploadInOrderIsMergedBeforeTheLedger() {
        for (long seed = 1; seed <= 5; seed++) {
            SplittableRandom r = new SplittableRandom(seed);
            FourTuple t = new FourTuple(SERVER, 80, 0x0a000002, 40000);
            int clientIsn = r.nextInt(), serverIsn = r.nextInt();
            LiveRecordSet whole = new LiveRecordSet(RetentionPolicy.CONNECTION_SCOPED);
            GivenUpConnections given = new GivenUpConnections();
            whole.add(1, new Connect(t, clientIsn, serverIsn, 1460, 1460, 7, 7, true, false, 0, 0, 65535));
            given.take(whole.snapshot(1), false);
            long sent = 0;
            int segments = 0;
            byte[] payload = new byte[1460];
            while (sent < (8L << 20)) {
                int length = r.nextInt(500, 1461);
                given.add(new Segment(t, clientIsn + 1 + (int) sent, serverIsn + 1, ACK | PSH, 65535, 0, 0, java.util.Arrays.copyOf(payload, length)));
                sent += length;
                segments++;
                if (segments % 20 == 0) given.add(new Write(t, segments, 10, 0));
            }
            assertTrue(given.ledgerRecords() <= 2 + (sent >> 20), "seed " + seed + ": " + segments + " segments cost the ledger "
                    + given.ledgerRecords() + " records");
            assertEquals(1, given.live(), "seed " + seed);
        }
    }

    /**
     * A download past several multiples of 2^31 bytes, acknowledged as it goes, then both ends
     * closed: the connection finishes in the ledger as in a set fed everything. Merged into one
     * acknowledgement, 2 GiB and more of them read as going backwards, and it never finished.
     */
    @Test
    void aDownloadOfSeveralGibibytesFinishes() {
        for (long seed = 1; seed <= 5; seed++) {
            SplittableRandom r = new SplittableRandom(seed);
            FourTuple t = new FourTuple(SERVER, 80, 0x0a000002, 40000);
            int clientIsn = r.nextInt(), serverIsn = r.nextInt();
            List<Record> stream = new ArrayList<>();
            stream.add(new Connect(t, clientIsn, serverIsn, 1460, 1460, 7, 7, true, false, 0, 0, 65535));
            stream.add(new Segment(t, clientIsn + 1, serverIsn + 1, ACK | PSH, 65535, 0, 0, new byte[100])); // the request
            stream.add(new Read(t, 100));
            long total = (5L << 30) + r.nextInt(1 << 20), written = 0;
            while (written < total) {
                int n = (int) Math.min(total - written, r.nextInt(1 << 20, 64 << 20));
                stream.add(new Write(t, written, n, 0));
                written += n;
                stream.add(new Segment(t, clientIsn + 101, serverIsn + 1 + (int) written, ACK, 65535, 0, 0, new byte[0]));
            }
            stream.add(new Close(t, Close.How.CLOSE));
            stream.add(new Segment(t, clientIsn + 101, serverIsn + 1 + (int) written + 1, FIN | ACK, 65535, 0, 0, new byte[0]));
            LiveRecordSet whole = new LiveRecordSet(RetentionPolicy.CONNECTION_SCOPED);
            GivenUpConnections given = new GivenUpConnections();
            int takeAt = 3;
            for (int i = 0; i < stream.size(); i++) {
                whole.add(i + 1, stream.get(i));
                if (i + 1 == takeAt) given.take(whole.snapshot(i + 1), false);
                if (i + 1 > takeAt) given.add(stream.get(i));
            }
            assertEquals(0, whole.liveConnections(), "seed " + seed + ": the set fed everything sees it finished");
            assertEquals(0, given.live(), "seed " + seed + ": the ledger still waits for a connection that finished after "
                    + written + " bytes");
        }
    }
}
