package io.fttcp.roles.sim;

import io.fttcp.api.ListeningSocket;
import io.fttcp.api.StreamSocket;
import io.fttcp.replication.record.Accept;
import io.fttcp.replication.record.Close;
import io.fttcp.replication.record.Connect;
import io.fttcp.replication.record.Read;
import io.fttcp.replication.record.Record;
import io.fttcp.replication.record.Segment;
import io.fttcp.replication.record.Write;
import io.fttcp.replication.retention.LiveRecordSet;
import io.fttcp.replication.retention.RetentionPolicy;
import io.fttcp.sim.net.LinkConditions;
import io.fttcp.sim.stack.BulkEndpoint;
import io.fttcp.sim.stack.SimStackHost;
import io.fttcp.stack.tcp.CloseReason;
import io.fttcp.stack.tcp.FourTuple;
import io.fttcp.wrappers.nsw.ReplayNetwork;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static io.fttcp.roles.sim.PrimaryWorld.MS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A client that vanishes mid-download (a phone out of coverage): the primary's stack
 * retransmits until it gives up and closes the connection on its own. No FIN exchange follows and
 * no RST comes from the client, so only the south-side wrapper's CLOSE of kind RESET tells the log
 * the connection is over. Before it, the records kept for the next backup or logger (connection
 * scoped) kept such a connection for as long as the service ran, and a takeover restored it.
 */
class StackEndedConnectionTest {

    @Test
    void aConnectionTheStackTimedOutIsLoggedAsOverAndLeavesTheRetainedRecords() {
        Transfers transfers = new Transfers();
        PrimaryWorld world = new PrimaryWorld(7, LinkConditions.ideal(), new long[] {MS, 0, MS}, transfers::serverAppFor);
        transfers.attach(world);
        LiveRecordSet retained = new LiveRecordSet(RetentionPolicy.CONNECTION_SCOPED);
        List<Close> closes = new ArrayList<>();
        world.log.onBackupRecord((lsn, record) -> {
            retained.add(lsn, record);
            if (record instanceof Close c) closes.add(c);
        }, () -> { });
        SimStackHost[] client = world.addClient("client", 10, LinkConditions.ideal().withDelay(2 * MS));
        transfers.open(client, new Transfers.Plan(100, 4 * 1024 * 1024, null, 1, 2), 0);
        BulkEndpoint download = (BulkEndpoint) transfers.clients.getFirst();
        assertTrue(world.sim.runUntil(() -> download.received() > 256 * 1024, Duration.ofSeconds(10)), "the download started: " + download);
        assertEquals(1, retained.liveConnections(), "the live download's records are kept");

        world.sim.host("client").crash(); // gone without a word

        assertTrue(world.sim.runUntil(() -> world.acceptor.apps().getFirst().isClosed(), Duration.ofMinutes(40)),
                "the primary's stack gives up on the vanished client: " + world.acceptor.apps());
        assertEquals(CloseReason.TIMED_OUT, world.acceptor.apps().getFirst().closeReason());
        world.sim.runFor(Duration.ofSeconds(1)); // the record reaches the backup
        FourTuple tuple = PrimaryWorld.serverTuple(download.connection());
        // The application had written everything and closed (its FIN never acknowledged): the
        // log says so, and then that the connection is over.
        assertEquals(List.of(new Close(tuple, Close.How.SHUTDOWN_OUTPUT), new Close(tuple, Close.How.CLOSE), new Close(tuple, Close.How.RESET)),
                closes.stream().filter(c -> c.socket().equals(tuple)).toList());
        assertEquals(0, retained.liveConnections(), "nothing of it is kept for the next backup or logger");
        assertEquals(1, world.primary.ssw().stats().stackResetsLogged);
        assertEquals(0, world.primary.ssw().connectionCount());
    }

    private static final int SERVER = 0x0A000064, CLIENT = 0x0A00000A, CLIENT_ISN = 1_000_000, SERVER_ISN = 5_000_000;
    private static final FourTuple LISTENER = new FourTuple(SERVER, 5001, 0, 0);
    private static final FourTuple T = new FourTuple(SERVER, 5001, CLIENT, 40000);
    private static final Connect HANDSHAKE = new Connect(T, CLIENT_ISN, SERVER_ISN, 1460, 1460, 7, 7, true, true, 1000, 77, 65535);
    private static final Segment CLIENT_ACK = new Segment(T, CLIENT_ISN + 1, SERVER_ISN + 1, 0x10, 65535, 9, 8, new byte[0]);

    /** The backup forgets a connection the primary's stack aborted before its application accepted it (a full accept queue, a closed listener). */
    @Test
    void aBackupForgetsAConnectionEndedBeforeItWasAccepted() throws IOException {
        ReplayNetwork replay = new ReplayNetwork((t, why) -> { });
        replay.listen(new InetSocketAddress(InetAddress.getByAddress(new byte[] {10, 0, 0, 100}), 5001), 8);
        replay.apply(HANDSHAKE);
        replay.apply(CLIENT_ACK);
        assertEquals(1, replay.connectionCount());
        replay.apply(new Close(T, Close.How.RESET));
        assertEquals(0, replay.connectionCount(), "kept for as long as the backup ran");
        OfferedImages offered = new OfferedImages();
        replay.goLive(offered);
        assertEquals(List.of(), offered.offered, "nor restored");
    }

    /** One the application holds is followed until the application lets go of it (its reads replay the failure), then forgotten. */
    @Test
    void aBackupForgetsAnAcceptedConnectionTheStackEndedOnceItsApplicationClosesIt() throws IOException {
        ReplayNetwork replay = new ReplayNetwork((t, why) -> { });
        ListeningSocket listener = replay.listen(new InetSocketAddress(InetAddress.getByAddress(new byte[] {10, 0, 0, 100}), 5001), 8);
        for (Record r : List.of(HANDSHAKE, new Accept(LISTENER, T), CLIENT_ACK, new Write(T, 0, 3, 0), new Close(T, Close.How.RESET),
                new Read(T, -3))) {
            replay.apply(r);
        }
        StreamSocket app = listener.accept();
        app.write(ByteBuffer.wrap(new byte[] {1, 2, 3}));
        assertEquals(1, replay.connectionCount(), "its application still holds it");
        assertThrows(IOException.class, () -> app.read(ByteBuffer.allocate(10)), "the read fails as on the primary");
        app.close();
        assertEquals(0, replay.connectionCount(), "kept, with its output, for as long as the backup ran");
        OfferedImages offered = new OfferedImages();
        replay.goLive(offered);
        assertEquals(List.of(), offered.offered.stream().filter(i -> i.tuple().equals(T)).toList(), "nor restored");
    }

    /**
     * Its RST may never have reached the client (lost, or above the client's rcv.nxt: a challenge
     * ACK that only the old primary could have answered), and a client with nothing to send then
     * waits for good: the takeover resets it. Not one whose four-tuple a later handshake reused.
     */
    @Test
    void aTakeoverResetsTheClientsOfConnectionsTheStackEnded() throws IOException {
        ReplayNetwork replay = new ReplayNetwork((t, why) -> { });
        ListeningSocket listener = replay.listen(new InetSocketAddress(InetAddress.getByAddress(new byte[] {10, 0, 0, 100}), 5001), 8);
        FourTuple reused = new FourTuple(SERVER, 5001, CLIENT, 40001);
        for (Record r : List.of(HANDSHAKE, new Accept(LISTENER, T), CLIENT_ACK, new Write(T, 0, 3, 0), new Close(T, Close.How.CLOSE),
                new Close(T, Close.How.RESET),
                new Connect(reused, CLIENT_ISN, SERVER_ISN, 1460, 1460, 7, 7, true, true, 1000, 77, 65535), new Accept(LISTENER, reused),
                new Close(reused, Close.How.RESET),
                new Connect(reused, CLIENT_ISN + 5_000_000, SERVER_ISN + 5_000_000, 1460, 1460, 7, 7, true, true, 1000, 77, 65535))) {
            replay.apply(r);
        }
        StreamSocket app = listener.accept();
        app.write(ByteBuffer.wrap(new byte[] {1, 2, 3}));
        app.close();
        listener.accept().close();
        OfferedImages offered = new OfferedImages();
        replay.goLive(offered);
        assertEquals(List.of(T), offered.clientsToReset.stream().map(i -> i.tuple()).toList(),
                "the client of the connection the stack ended, and not the one whose four-tuple came back");
        assertEquals(CLIENT_ISN + 1, offered.clientsToReset.getFirst().rcvNxt(), "its sequence space is known");
    }
}
