package io.fttcp.roles.sim;

import io.fttcp.replication.record.Close;
import io.fttcp.replication.retention.LiveRecordSet;
import io.fttcp.replication.retention.RetentionPolicy;
import io.fttcp.sim.net.LinkConditions;
import io.fttcp.sim.stack.BulkEndpoint;
import io.fttcp.sim.stack.SimStackHost;
import io.fttcp.stack.tcp.CloseReason;
import io.fttcp.stack.tcp.FourTuple;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static io.fttcp.roles.sim.PrimaryWorld.MS;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
}
