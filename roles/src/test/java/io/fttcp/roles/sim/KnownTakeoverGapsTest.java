package io.fttcp.roles.sim;

import io.fttcp.api.ListeningSocket;
import io.fttcp.api.StreamSocket;
import io.fttcp.replication.record.Accept;
import io.fttcp.replication.record.Close;
import io.fttcp.replication.record.Connect;
import io.fttcp.replication.record.Heartbeat;
import io.fttcp.replication.record.Read;
import io.fttcp.replication.record.Segment;
import io.fttcp.replication.record.Write;
import io.fttcp.roles.takeover.Materializer;
import io.fttcp.stack.tcp.FourTuple;
import io.fttcp.stack.tcp.TcpCheckpoint;
import io.fttcp.stack.tcp.TcpConfig;
import io.fttcp.wrappers.nsw.ConnectionImage;
import io.fttcp.wrappers.nsw.LiveBinding;
import io.fttcp.wrappers.nsw.OutputHash;
import io.fttcp.wrappers.nsw.ReplayNetwork;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Minimal reproductions of what the failover simulation found in the main code, kept as
 * regression tests now that the gaps are closed (ReplayNetwork lets finished connections linger
 * and offers diverged ones to the binding; the backup's timestamp age is an upper bound and
 * restored connections take no RTT samples from the primary's TSvals). The simulation's
 * takeover still uses its own timestamp clocks (TimestampClocks) and resets diverged clients
 * with an old byte (SimLiveBinding.reset; the real takeover sends an old ACK instead, ClientResets,
 * since the south-side wrapper lets no byte of a connection it does not track leave).
 */
class KnownTakeoverGapsTest {
    private static final int SERVER = 0x0A000064, CLIENT = 0x0A00000A;
    private static final FourTuple LISTENER = new FourTuple(SERVER, 5001, 0, 0);
    private static final FourTuple T = new FourTuple(SERVER, 5001, CLIENT, 40000);
    private static final int CLIENT_ISN = 1_000_000, SERVER_ISN = 5_000_000;
    private static final int ACK = 0x10, FIN = 0x01;
    private static final long MS = 1_000_000L;

    private static Connect connect(int serverTsVal) {
        return new Connect(T, CLIENT_ISN, SERVER_ISN, 1460, 1460, 7, 7, true, true, serverTsVal, 77, 65535);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static ReplayNetwork replay(List<String> diverged) {
        return new ReplayNetwork((t, why) -> diverged.add(t + ": " + why));
    }

    private static ListeningSocket listen(ReplayNetwork replay) throws IOException {
        return replay.listen(new InetSocketAddress(InetAddress.getByAddress(new byte[] {10, 0, 0, 100}), 5001), 8);
    }

    /**
     * ReplayNetwork forgets a connection once the application closed it, the client's FIN is
     * logged and the client acknowledged our FIN (ReplayConnection.finished). But the primary's
     * stack then sat in TIME-WAIT: the client may be in LAST-ACK or CLOSING, waiting for the ACK
     * of its FIN (held by ACK clamping, or lost). goLive offers the binding nothing, so the
     * backup's stack answers the client's FIN retransmission with a reset (simulation: 84 of
     * 5000 seeds, RESET_BY_PEER after a complete transfer). Fix: keep such a connection until 2 MSL
     * after the client's FIN (heartbeat time), and hand it to goLive for a TIME-WAIT restore.
     */
    @Test
    void aConnectionWhoseClientMayStillWaitForTheAckOfItsFinIsOfferedAtTakeover() throws IOException {
        ReplayNetwork replay = replay(new ArrayList<>());
        ListeningSocket listener = listen(replay);
        replay.apply(connect(1000));
        replay.apply(new Accept(LISTENER, T));
        replay.apply(new Read(T, -1));
        replay.apply(new Write(T, 0, 3, 0));
        replay.apply(new Close(T, Close.How.CLOSE));
        // The client's FIN, acknowledging our 3 bytes and our FIN.
        replay.apply(new Segment(T, CLIENT_ISN + 1, SERVER_ISN + 1 + 3 + 1, ACK | FIN, 65535, 9, 8, new byte[0]));
        StreamSocket app = listener.accept();
        app.read(ByteBuffer.allocate(16));
        app.write(ByteBuffer.wrap(ascii("xyz")));
        app.close();
        OfferedImages binding = new OfferedImages();
        replay.goLive(binding);
        assertTrue(binding.offered.stream().anyMatch(i -> i.tuple().equals(T)),
                "the connection was forgotten: the backup cannot acknowledge the client's FIN retransmission");
    }

    /**
     * LiveBinding.restore's contract says a diverged connection "should be reset: return null",
     * but goLive never calls the binding for a diverged connection, and nothing else resets it:
     * a client waiting for data (nothing to retransmit) waits forever instead of being reset
     * (promise 4). Fix: offer the diverged image to the binding (or a reset hook) so that it can
     * reset the client; a reset needs the client's exact rcv.nxt, which an old one-byte segment
     * draws out (the simulation's SimLiveBinding.reset).
     */
    @Test
    void aDivergedConnectionIsOfferedToTheBindingSoThatItCanBeReset() throws IOException {
        List<String> diverged = new ArrayList<>();
        ReplayNetwork replay = replay(diverged);
        ListeningSocket listener = listen(replay);
        replay.apply(connect(1000));
        replay.apply(new Accept(LISTENER, T));
        replay.apply(new Write(T, 0, 3, OutputHash.of(ascii("abc"))));
        StreamSocket app = listener.accept();
        app.write(ByteBuffer.wrap(ascii("abd"))); // the backup's copy writes other bytes
        assertTrue(!diverged.isEmpty(), "precondition: the divergence is detected");
        OfferedImages binding = new OfferedImages();
        replay.goLive(binding);
        assertTrue(binding.offered.stream().anyMatch(i -> i.tuple().equals(T) && i.diverged()),
                "nobody is asked to reset the diverged connection");
    }

    /**
     * Materializer.checkpoint's timestamp clock: the highest TSval known (heartbeats report a
     * connection's TSval only when it changed) plus the time since that knowledge was current.
     * A connection idle over a heartbeat is not in it; if it sends again before the crash, its
     * TSvals run ahead of "last reported + time since the last heartbeat", and the client's PAWS
     * check drops the backup's segments (simulation: a client never saw the ACK of its FIN,
     * then was reset). Here: SYN-ACK TSval 1000 at t=0 (clock = 1000 + ms), reported 1050 in the
     * heartbeat at 100 ms, idle over the heartbeat at 200 ms, a segment with TSval 1230 at 230 ms,
     * crash, takeover at 300 ms with the age of the last heartbeat. Fix: bound the clock from facts
     * with a time: the SYN-ACK's TSval was the clock when CONNECT was logged, after the heartbeat
     * before it; a reported TSval was sent after the previous heartbeat (the simulation's
     * TimestampClocks).
     */
    @Test
    void theRestoredClockIsAboveEveryTsValThePrimarySentWhenTheAgeIsTheBackupsUptime() {
        ReplayNetwork replay = replay(new ArrayList<>());
        replay.apply(connect(1000));
        replay.apply(new Accept(LISTENER, T));
        replay.apply(new Heartbeat(100 * MS, List.of(new Heartbeat.TsVal(T, 1050))));
        replay.apply(new Heartbeat(200 * MS, List.of()));
        long now = 300 * MS;
        // What BackupHost passes: the time since the backup started (here at 0, before the
        // CONNECT), an upper bound of every TSval's age. The jump this can make is harmless:
        // the restored connection takes no RTT sample from echoes of the primary's TSvals
        // (TcpRepairTest.echoesOfThePreviousIncarnationsTimestampsAreNoRttSamples).
        TcpCheckpoint cp = Materializer.checkpoint(replay.image(T), TcpConfig.defaults(), now, now);
        int sentAt230ms = 1230;
        assertTrue(cp.tsValAt(now) - sentAt230ms > 0,
                "restored TSval " + cp.tsValAt(now) + " is below " + sentAt230ms + ", which the primary sent: the client's PAWS drops it");
    }
}
