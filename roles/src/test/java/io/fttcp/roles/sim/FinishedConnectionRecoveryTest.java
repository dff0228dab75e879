package io.fttcp.roles.sim;

import io.fttcp.api.ListeningSocket;
import io.fttcp.api.StreamSocket;
import io.fttcp.replication.record.Accept;
import io.fttcp.replication.record.Close;
import io.fttcp.replication.record.Connect;
import io.fttcp.replication.record.LoggedRecord;
import io.fttcp.replication.record.Read;
import io.fttcp.replication.record.Record;
import io.fttcp.replication.record.Segment;
import io.fttcp.replication.record.Write;
import io.fttcp.replication.retention.LiveRecordSet;
import io.fttcp.replication.retention.RetentionPolicy;
import io.fttcp.stack.tcp.FourTuple;
import io.fttcp.wrappers.nsw.ConnectionImage;
import io.fttcp.wrappers.nsw.ReplayNetwork;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Regression for what {@link LoggerRecoverySimulationTest} found (1-2 % of seeds): retention
 * forgot a finished connection at once, so a server recovered from the logger's snapshot reset
 * the FIN retransmission of a client that had every byte. A finished connection now lingers in
 * {@link LiveRecordSet} (package io.fttcp.replication.retention, rule 3) and the recovered
 * server restores it in TIME-WAIT, as a hot backup does; once evicted, it is gone.
 */
class FinishedConnectionRecoveryTest {
    private static final int SERVER = 0x0A000064, CLIENT = 0x0A00000A;
    private static final FourTuple LISTENER = new FourTuple(SERVER, 5001, 0, 0);
    private static final FourTuple T = new FourTuple(SERVER, 5001, CLIENT, 40000);
    private static final int CLIENT_ISN = 1_000_000, SERVER_ISN = 5_000_000;
    private static final int ACK = 0x10, FIN = 0x01;

    /** The stream of a connection both sides closed: the server wrote 3 bytes and closed; the client's FIN acknowledges them and our FIN. */
    private static List<Record> finishedConnection() {
        return List.of(
                new Connect(T, CLIENT_ISN, SERVER_ISN, 1460, 1460, 7, 7, true, true, 1000, 77, 65535),
                new Accept(LISTENER, T),
                new Write(T, 0, 3, 0),
                new Close(T, Close.How.CLOSE),
                new Segment(T, CLIENT_ISN + 1, SERVER_ISN + 1 + 3 + 1, ACK | FIN, 65535, 9, 8, new byte[0]),
                new Read(T, -1));
    }

    /** The tuples a wrapper fed {@code records} offers its binding at takeover, after its application replayed them. */
    private static List<FourTuple> offeredAtTakeover(List<Record> records) throws IOException {
        ReplayNetwork replay = new ReplayNetwork((t, why) -> { });
        ListeningSocket listener = replay.listen(new InetSocketAddress(InetAddress.getByAddress(new byte[] {10, 0, 0, 100}), 5001), 8);
        listener.configureBlocking(false);
        for (Record r : records) replay.apply(r);
        // The application: accept (a replayed accept waits for its ACCEPT record), write, close.
        StreamSocket app = records.stream().anyMatch(r -> r instanceof Accept) ? listener.accept() : null;
        if (app != null) {
            app.configureBlocking(false);
            app.write(ByteBuffer.wrap("xyz".getBytes(StandardCharsets.US_ASCII)));
            app.close();
        }
        OfferedImages offered = new OfferedImages();
        replay.goLive(offered);
        return offered.offered.stream().map(ConnectionImage::tuple).toList();
    }

    /** The records {@code retained} keeps of {@code stream}. */
    private static List<Record> snapshotOf(LiveRecordSet retained, List<Record> stream) {
        for (int i = 0; i < stream.size(); i++) retained.add(i + 1, stream.get(i));
        List<Record> snapshot = new ArrayList<>();
        for (LoggedRecord r : retained.snapshot(stream.size())) snapshot.add(r.record());
        return snapshot;
    }

    /**
     * A connection is finished for retention (rule 2) once the application closed it, the
     * client's FIN is logged and the client acknowledged our FIN. But the primary's stack sat in
     * TIME-WAIT: the client may be in LAST-ACK or CLOSING, waiting for the ACK of its FIN (held
     * for stability, or lost). A hot backup's ReplayNetwork keeps such a connection lingering and
     * restores it in TIME-WAIT (KnownTakeoverGapsTest); a server recovered from the logger's
     * snapshot must too, or its stack answers the client's FIN retransmission with a reset.
     */
    @Test
    void aFinishedConnectionWhoseClientMayStillWaitForTheAckOfItsFinSurvivesRetention() throws IOException {
        List<Record> stream = finishedConnection();
        assertTrue(offeredAtTakeover(stream).contains(T), "precondition: replaying the whole stream offers the finished connection");
        LiveRecordSet retained = new LiveRecordSet(RetentionPolicy.CONNECTION_SCOPED);
        List<Record> snapshot = snapshotOf(retained, stream);
        // All its records up to the segment that finished it; the READ logged after is not retained (the backup ignores it too).
        assertEquals(stream.subList(0, stream.size() - 1), snapshot, "the lingering connection's records");
        assertEquals(1, retained.lingeringConnections());
        assertTrue(offeredAtTakeover(snapshot).contains(T),
                "retention forgot the connection: a server recovered from the snapshot resets the client's FIN retransmission; snapshot " + snapshot);
    }

    /** The price of the bounds: once evicted, the connection is gone (a reset answers its client, who has every byte). */
    @Test
    void anEvictedConnectionIsNotRestored() throws IOException {
        LiveRecordSet retained = new LiveRecordSet(RetentionPolicy.CONNECTION_SCOPED, 0, LiveRecordSet.DEFAULT_MAX_LINGERING_PAYLOAD_BYTES);
        List<Record> snapshot = snapshotOf(retained, finishedConnection());
        assertEquals(List.of(), snapshot);
        assertEquals(1, retained.evictedConnections());
        assertFalse(offeredAtTakeover(snapshot).contains(T));
    }
}
