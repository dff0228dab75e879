package io.fttcp.roles.takeover;

import io.fttcp.replication.record.Connect;
import io.fttcp.replication.record.Segment;
import io.fttcp.stack.tcp.FourTuple;
import io.fttcp.stack.tcp.TcpCheckpoint;
import io.fttcp.stack.tcp.TcpConfig;
import io.fttcp.stack.tcp.TcpSegment;
import io.fttcp.stack.tcp.TcpState;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MaterializerTest {
    static final FourTuple T = new FourTuple(0xC6120064, 80, 0xC612000A, 40000);
    static final int CLIENT_ISN = -10, SERVER_ISN = 0x7ffffff0; // both wrap during the test
    static final Connect CONNECT = new Connect(T, CLIENT_ISN, SERVER_ISN, 1460, 1460, 7, 7, true, true, 1000, 555, 65535);
    static final long MS = 1_000_000L;

    static Segment seg(int seqOffset, int ackOffset, int flags, byte[] payload) {
        return new Segment(T, CLIENT_ISN + 1 + seqOffset, SERVER_ISN + 1 + ackOffset, flags | TcpSegment.ACK, 100, 600, 1200, payload);
    }

    @Test
    void rebuildsSequenceSpaceAcrossWrapAroundAndOutOfOrderSegments() {
        ClientHistory h = new ClientHistory(CONNECT);
        h.onSegment(seg(10, 0, 0, new byte[5]));   // ahead of a gap
        assertEquals(0, h.contiguousBytes());
        h.onSegment(seg(0, 3, 0, new byte[10]));   // fills it
        assertEquals(15, h.contiguousBytes());
        h.onSegment(seg(15, 5, TcpSegment.FIN, new byte[0]));
        assertTrue(h.finReceived());
        assertEquals(CLIENT_ISN + 1 + 15 + 1, h.rcvNxt());
        assertEquals(SERVER_ISN + 1 + 5, h.latestAck());

        byte[] out = {1, 2, 3, 4, 5, 6, 7, 8};
        TcpCheckpoint cp = Materializer.checkpoint(h, new ApplicationOutput(0, out, false), -1, 1000, 10 * MS, TcpConfig.defaults(), 5_000 * MS);
        assertEquals(TcpState.CLOSE_WAIT, cp.state());
        assertArrayEquals(new byte[]{6, 7, 8}, cp.sendQueue(), "output from the client's latest ACK on");
        assertEquals(cp.sndUna() + 3, cp.sndNxt(), "queued output counts as possibly sent");
        assertEquals(100L << 7, cp.sndWnd());
        int tsValNow = 5_000 + cp.tsOffset(); // TSval = now in ms + offset
        assertTrue(tsValNow - 1200 > 10, "our clock continues above the echoed TSval plus its age: " + tsValNow);
    }

    @Test
    void aClosedPrimaryMeansTheFinIsQueuedAndAnApplicationBehindItMustCatchUpFirst() {
        ClientHistory h = new ClientHistory(CONNECT);
        h.onSegment(seg(0, 8, 0, new byte[0]));
        byte[] out = {1, 2, 3, 4, 5, 6, 7, 8};
        assertThrows(IllegalStateException.class,
                () -> Materializer.checkpoint(h, new ApplicationOutput(0, new byte[4], false), 8, 0, 0, TcpConfig.defaults(), 0));
        TcpCheckpoint cp = Materializer.checkpoint(h, new ApplicationOutput(0, out, false), 8, 0, 0, TcpConfig.defaults(), 0);
        assertEquals(TcpState.FIN_WAIT_1, cp.state());
        assertTrue(cp.finQueued());
        h.onSegment(seg(0, 9, 0, new byte[0])); // the client acknowledged our FIN
        assertEquals(TcpState.FIN_WAIT_2, Materializer.checkpoint(h, new ApplicationOutput(0, out, false), 8, 0, 0, TcpConfig.defaults(), 0).state());
    }

    @Test
    void contradictionsAreRefusedNotRestored() {
        ClientHistory h = new ClientHistory(CONNECT);
        h.onSegment(seg(0, 12, 0, new byte[0])); // acknowledges past the FIN the backup wrote at 8
        assertThrows(IllegalStateException.class,
                () -> Materializer.checkpoint(h, new ApplicationOutput(0, new byte[8], true), -1, 0, 0, TcpConfig.defaults(), 0));
        assertThrows(IllegalStateException.class,
                () -> Materializer.checkpoint(h, new ApplicationOutput(0, new byte[20], true), 16, 0, 0, TcpConfig.defaults(), 0),
                "primary and backup closed at different offsets");
        ClientHistory reset = new ClientHistory(CONNECT);
        reset.onSegment(new Segment(T, CLIENT_ISN + 1, 0, TcpSegment.RST, 0, 0, 0, new byte[0]));
        assertThrows(IllegalStateException.class,
                () -> Materializer.checkpoint(reset, new ApplicationOutput(0, new byte[0], false), -1, 0, 0, TcpConfig.defaults(), 0));
    }

    @Test
    void anApplicationBehindTheClientQueuesNothing() {
        ClientHistory h = new ClientHistory(CONNECT);
        h.onSegment(seg(0, 100, 0, new byte[0]));
        TcpCheckpoint cp = Materializer.checkpoint(h, new ApplicationOutput(0, new byte[40], false), -1, 0, 0, TcpConfig.defaults(), 0);
        assertEquals(0, cp.sendQueue().length);
        assertEquals(SERVER_ISN + 1 + 100, cp.sndUna());
    }
}
