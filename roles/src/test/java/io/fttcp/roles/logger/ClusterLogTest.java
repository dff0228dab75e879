package io.fttcp.roles.logger;

import io.fttcp.replication.channel.ChannelListener;
import io.fttcp.replication.channel.LoggerChannel;
import io.fttcp.replication.channel.LoggerSessions;
import io.fttcp.replication.channel.ReplicationChannel;
import io.fttcp.replication.codec.Handshake;
import io.fttcp.replication.codec.Role;
import io.fttcp.replication.record.LoggedRecord;
import io.fttcp.replication.record.Record;
import io.fttcp.replication.record.Seed;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Path;
import java.util.List;

import static io.fttcp.roles.logger.LoggerTesting.*;
import static org.junit.jupiter.api.Assertions.*;

/** One cluster's log driven directly, for orderings a socket test cannot force. */
class ClusterLogTest {
    @TempDir
    Path dir;
    @RegisterExtension
    final ClosedAfterEach toClose = new ClosedAfterEach();

    /**
     * A real logger-side channel (its peer says nothing), for the claim's open/closed state. It has
     * no session, so the listeners here never hear onConnected (they would acknowledge to it).
     */
    private LoggerChannel channel(ServerSocketChannel server) throws IOException {
        return LoggerTesting.silentChannel(server, toClose);
    }

    private static Handshake primary(long epoch, long next) {
        return new Handshake(ReplicationChannel.PROTOCOL_VERSION, Role.PRIMARY, "alpha", epoch, next);
    }

    /**
     * The previous channel's reader may still hand over records after the channel counts as
     * closed (closed by the ticker on silence) and a new channel joined: those records must not
     * go into the log, where they would take the LSNs the new channel resends.
     */
    @Test
    void recordsOfAReplacedChannelAreNotStored() throws Exception {
        ServerSocketChannel server = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        toClose.add(server);
        ClusterLog log = LoggerTesting.openClusterLog(dir);
        toClose.add(log);
        LoggerChannel first = channel(server);
        ChannelListener old = log.join(primary(1, 1), () -> first).listener();
        old.onRecords(1, List.of(new Seed(1), new Seed(2)));
        first.close(); // its onClosed comes later, after the reader's last hand-over

        LoggerChannel second = channel(server);
        LoggerSessions.Join join = log.join(primary(1, 1), () -> second);
        assertEquals(2, join.heldLsn());
        ChannelListener current = join.listener();
        old.onRecords(3, List.of(new Seed(30))); // the old reader's last batch
        current.onRecords(3, List.of(new Seed(3), new Seed(4)));
        log.close();
        List<Record> expected = List.of(new Seed(1), new Seed(2), new Seed(3), new Seed(4));
        List<LoggedRecord> stored = readAll(dir, LOG);
        assertEquals(expected, stored.stream().map(LoggedRecord::record).toList());
    }

    /**
     * A grant whose answer never reached its requester (its channel closed first) is withdrawn,
     * its epoch given back: the next recovery is served at once and at that epoch, not told to ask
     * again for the whole grant (10 s) while the old primary counts as superseded.
     */
    @Test
    void aGrantWhoseAnswerWasNeverSentIsWithdrawn() throws Exception {
        ServerSocketChannel server = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        toClose.add(server);
        ClusterLog log = LoggerTesting.openClusterLog(dir);
        toClose.add(log);
        LoggerChannel first = channel(server);
        log.join(primary(1, 1), () -> first).listener().onRecords(1, List.of(new Seed(1)));
        first.close();
        Handshake requester = new Handshake(ReplicationChannel.PROTOCOL_VERSION, Role.BACKUP, "alpha", 1, 0);
        LoggerSessions.Fetch granted = log.fetch(requester, System.nanoTime() + ANSWER_WITHIN); // once the lease from the start is over
        assertEquals(2, granted.epoch());
        granted.source().close(); // as the channel does when it cannot answer
        log.withdraw(granted);
        assertEquals(1, new EpochFile(dir).read(), "the epoch given back");
        long asked = System.nanoTime();
        LoggerSessions.Fetch again = log.fetch(requester, System.nanoTime() + ANSWER_WITHIN);
        assertTrue(System.nanoTime() - asked < 500_000_000L, "served at once");
        assertEquals(2, again.epoch());
        assertEquals(1, again.throughLsn());
        again.source().close();
    }
}
