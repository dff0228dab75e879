package io.fttcp.roles.takeover;

import io.fttcp.replication.record.Accept;
import io.fttcp.replication.record.Close;
import io.fttcp.replication.record.Connect;
import io.fttcp.replication.record.Heartbeat;
import io.fttcp.replication.record.Segment;
import io.fttcp.replication.record.Write;
import io.fttcp.stack.tcp.FourTuple;
import io.fttcp.stack.tcp.TcpCheckpoint;
import io.fttcp.stack.tcp.TcpConfig;
import io.fttcp.stack.tcp.TcpSegment;
import io.fttcp.stack.tcp.TcpState;
import io.fttcp.wrappers.nsw.ConnectionImage;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Materializer's rules, on images the north-side wrapper builds from records. */
class MaterializerTest {
    static final FourTuple T = new FourTuple(0xC6120064, 80, 0xC612000A, 40000);
    static final int CLIENT_ISN = -10, SERVER_ISN = 0x7ffffff0; // both wrap during the test
    static final Connect CONNECT = new Connect(T, CLIENT_ISN, SERVER_ISN, 1460, 1460, 7, 7, true, true, 1000, 555, 65535);
    static final long MS = 1_000_000L;
    static final byte[] OUT = {1, 2, 3, 4, 5, 6, 7, 8};

    static Segment seg(int seqOffset, int ackOffset, int flags, int window, byte[] payload) {
        return new Segment(T, CLIENT_ISN + 1 + seqOffset, SERVER_ISN + 1 + ackOffset, flags | TcpSegment.ACK, window, 600, 1200, payload);
    }

    static Segment seg(int seqOffset, int ackOffset, int flags, byte[] payload) {
        return seg(seqOffset, ackOffset, flags, 100, payload);
    }

    /** A backup that knows the handshake and the accept, and whose primary wrote {@code writes} (offset, count pairs). */
    static ReplayedConnection backup(int... writes) {
        ReplayedConnection b = new ReplayedConnection(T);
        b.apply(CONNECT);
        b.apply(ReplayedConnection.acceptRecord(T));
        for (int i = 0; i < writes.length; i += 2) b.apply(new Write(T, writes[i], writes[i + 1], 0));
        return b;
    }

    static TcpCheckpoint checkpoint(ReplayedConnection b) {
        return Materializer.checkpoint(b.image(), TcpConfig.defaults(), 0, 0);
    }

    @Test
    void rebuildsSequenceSpaceAcrossWrapAroundAndOutOfOrderSegments() {
        ReplayedConnection b = backup(0, 8);
        b.appWrites(1, OUT);
        b.apply(seg(10, 0, 0, new byte[5]));   // ahead of a gap
        assertEquals(0, b.image().clientStreamEnd());
        b.apply(seg(0, 3, 0, new byte[10]));   // fills it
        assertEquals(15, b.image().clientStreamEnd());
        b.apply(seg(15, 5, TcpSegment.FIN, new byte[0]));
        b.apply(seg(0, 4, 0, 7, new byte[0])); // an older segment: its window is stale (RFC 9293 wl1/wl2)
        b.apply(new Heartbeat(0, List.of(new Heartbeat.TsVal(T, 1000))));
        ConnectionImage image = b.image();
        assertTrue(image.clientFin());
        assertEquals(CLIENT_ISN + 1 + 15 + 1, image.rcvNxt());
        assertEquals(SERVER_ISN + 1 + 5, image.sndUna());
        assertEquals(1200, image.clientTsEcr());

        TcpCheckpoint cp = Materializer.checkpoint(image, TcpConfig.defaults(), 10 * MS, 5_000 * MS);
        assertEquals(TcpState.CLOSE_WAIT, cp.state());
        assertArrayEquals(new byte[]{6, 7, 8}, cp.sendQueue(), "output from the client's latest ACK on");
        assertEquals(cp.sndUna() + 3, cp.sndNxt(), "queued output counts as possibly sent");
        assertEquals(100L << 7, cp.sndWnd(), "window from the newest segment");
        assertEquals(CLIENT_ISN + 1 + 15, cp.sndWl1());
        assertEquals(SERVER_ISN + 1 + 5, cp.sndWl2());
        int tsValNow = 5_000 + cp.tsOffset(); // TSval = now in ms + offset
        assertTrue(tsValNow - 1200 > 10, "our clock continues above the echoed TSval plus its age: " + tsValNow);
    }

    @Test
    void aClosedPrimaryMeansTheFinIsQueuedAndAnApplicationBehindItMustCatchUpFirst() {
        ReplayedConnection b = backup(0, 4, 4, 4);
        b.apply(new Close(T, Close.How.SHUTDOWN_OUTPUT));
        b.apply(seg(0, 8, 0, new byte[0]));
        b.appWrites(1, OUT);
        assertEquals(8, b.image().primaryFinOffset());
        assertThrows(IllegalStateException.class, () -> checkpoint(b), "the application has not reached the primary's close");
        b.appWrites(1, OUT);
        TcpCheckpoint cp = checkpoint(b);
        assertEquals(TcpState.FIN_WAIT_1, cp.state());
        assertTrue(cp.finQueued());
        assertEquals(cp.sndUna() + 1, cp.sndNxt(), "the FIN counts as possibly sent");
        // The client acknowledged our FIN, and the backup application has not closed yet: the
        // primary's close offset tells the ACK covers the FIN, not a ninth data byte.
        b.apply(seg(0, 9, 0, new byte[0]));
        cp = checkpoint(b);
        assertEquals(TcpState.FIN_WAIT_2, cp.state());
        assertEquals(0, cp.sendQueue().length);
        assertEquals(cp.sndUna(), cp.sndNxt());
    }

    @Test
    void aClientResetAfterBothFinsIsRestoredInTimeWaitAnyOtherIsRefused() {
        ReplayedConnection b = backup(0, 4);
        b.appWrites(1, OUT);
        b.apply(new Close(T, Close.How.SHUTDOWN_OUTPUT));
        b.apply(new Segment(T, CLIENT_ISN + 1, 0, TcpSegment.RST, 0, 0, 0, new byte[0]));
        assertThrows(IllegalStateException.class, () -> checkpoint(b), "reset before the end: not restored");
        ReplayedConnection ended = backup(0, 4);
        ended.appWrites(1, OUT);
        ended.apply(new Close(T, Close.How.SHUTDOWN_OUTPUT));
        ended.apply(seg(0, 5, TcpSegment.FIN, new byte[3])); // the client's bytes, its FIN, and its ACK of our FIN
        // Then its host answers a late duplicate of ours: the connection is gone there.
        ended.apply(new Segment(T, SERVER_ISN + 1 + 2, 0, TcpSegment.RST, 0, 0, 0, new byte[0]));
        assertTrue(ended.image().clientReset());
        TcpCheckpoint cp = checkpoint(ended);
        assertEquals(TcpState.TIME_WAIT, cp.state());
        assertTrue(cp.finReceived());
    }

    @Test
    void aFinAcknowledgedBeforeTheBackupApplicationCaughtUpIsRefusedUntilItHas() {
        ReplayedConnection b = backup(0, 4, 4, 4);
        b.apply(new Close(T, Close.How.CLOSE));
        b.apply(seg(0, 9, 0, new byte[0]));
        b.appWrites(1, OUT);
        assertThrows(IllegalStateException.class, () -> checkpoint(b));
        b.appWrites(1, OUT);
        b.appShutsDownOutput(); // its own close is then a no-op
        assertEquals(TcpState.FIN_WAIT_2, checkpoint(b).state());
    }

    @Test
    void contradictionsAreRefusedNotRestored() {
        ReplayedConnection pastFin = backup(0, 8);
        pastFin.appWrites(1, OUT);
        pastFin.appShutsDownOutput();
        pastFin.apply(seg(0, 12, 0, new byte[0])); // acknowledges past the FIN the backup wrote at 8
        assertThrows(IllegalStateException.class, () -> checkpoint(pastFin));

        ReplayedConnection closedElsewhere = backup(0, 8, 8, 8);
        closedElsewhere.apply(new Close(T, Close.How.SHUTDOWN_OUTPUT));
        closedElsewhere.appWrites(1, new byte[16]);
        closedElsewhere.appShutsDownOutput();
        assertThrows(IllegalStateException.class, () -> checkpoint(closedElsewhere), "primary and backup closed at different offsets");

        ReplayedConnection reset = backup();
        reset.apply(new Segment(T, CLIENT_ISN + 1, 0, TcpSegment.RST, 0, 0, 0, new byte[0]));
        assertThrows(IllegalStateException.class, () -> checkpoint(reset));

        ReplayedConnection noConnect = new ReplayedConnection(T);
        noConnect.apply(new Accept(new FourTuple(T.localAddress(), T.localPort(), 0, 0), T));
        assertThrows(IllegalStateException.class, () -> checkpoint(noConnect), "accepted without a logged handshake");
    }

    @Test
    void anApplicationBehindTheClientQueuesNothing() {
        ReplayedConnection b = backup(0, 40, 40, 60);
        b.appWrites(1, new byte[100]);
        b.apply(seg(0, 100, 0, new byte[0]));
        TcpCheckpoint cp = checkpoint(b);
        assertEquals(0, cp.sendQueue().length);
        assertEquals(SERVER_ISN + 1 + 100, cp.sndUna());
        assertEquals(TcpState.ESTABLISHED, cp.state());
    }

    @Test
    void anApplicationThatWroteBeyondThePrimarysCloseHasDiverged() {
        ReplayedConnection b = backup(0, 4);
        b.apply(new Close(T, Close.How.SHUTDOWN_OUTPUT)); // the primary closed after 4 bytes
        b.appWrites(1, OUT);
        assertEquals(4, b.image().appOutputOffset());
        assertEquals(TcpState.FIN_WAIT_1, checkpoint(b).state(), "caught up exactly: restorable");
        // An image whose application wrote past the primary's close (records that contradict
        // each other could say so): the client may hold a FIN in the middle of its output.
        ReplayedConnection full = backup(0, 8);
        full.appWrites(1, OUT);
        ConnectionImage i = full.image();
        ConnectionImage past = new ConnectionImage(i.tuple(), i.connect(), i.accepted(), i.clientStreamEnd(), i.clientFin(), i.clientReset(),
                i.appReadOffset(), i.unreadClientBytes(), i.outOfOrder(), i.clientAckedOffset(), i.clientWindow(), i.clientWindowSeq(),
                i.clientWindowAck(), i.clientTsVal(), i.clientTsEcr(), i.primaryMaxTsVal(), 4, i.appOutputOffset(), i.bufferedOutputStart(),
                i.bufferedOutput(), i.appShutOutput(), i.appClosed(), i.diverged(), i.divergence());
        assertEquals(8, past.appOutputOffset());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Materializer.checkpoint(past, TcpConfig.defaults(), 0, 0));
        assertTrue(e.getMessage().contains("diverged"), e.getMessage());
    }

    @Test
    void theTimestampJumpIsCappedSoItNeverLooksOlderModulo2To32() {
        ReplayedConnection b = backup(0, 8);
        b.appWrites(1, OUT);
        long now = 5_000 * MS;
        long age = 40L * 24 * 3600 * 1000 * MS; // 40 days of backup uptime: more than 2^31 ms
        TcpCheckpoint cp = Materializer.checkpoint(b.image(), TcpConfig.defaults(), age, now);
        int tsValNow = (int) (now / MS) + cp.tsOffset();
        int known = 1200; // what the client echoed
        assertTrue(tsValNow - known > 0, "our TSval stays ahead of what the primary sent, modulo 2^32: " + (tsValNow - known));
        assertTrue(tsValNow - known <= (1 << 30) + 2, "by at most 2^30 ms");
    }
}
