package io.fttcp.stack.tcp;

import static io.fttcp.stack.tcp.TestNet.MS;
import static org.junit.jupiter.api.Assertions.*;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TcpHandshakeAndTransferTest {

    @Test
    void handshakeNegotiatesOptions() {
        TestNet net = new TestNet(1, TcpConfig.defaults());
        assertTrue(net.handshake());
        assertEquals(1, net.a.established);
        assertEquals(1, net.b.established);
        TcpSegment syn = net.a.sent.get(0);
        assertEquals(TcpSegment.SYN, syn.flags);
        assertEquals(1460, syn.mss);
        assertTrue(syn.windowScale > 0);
        assertTrue(syn.sackPermitted);
        assertTrue(syn.hasTimestamp);
        TcpSegment synAck = net.b.sent.get(0);
        assertEquals(TcpSegment.SYN | TcpSegment.ACK, synAck.flags);
        assertEquals(syn.seq + 1, synAck.ack);
        assertEquals(syn.tsVal, synAck.tsEcr);
        assertEquals(1460 - 12, net.a.conn.maxSegmentPayload());
    }

    @Test
    void handshakeWithoutOptions() {
        TcpConfig plain = TcpConfig.defaults().withOptions(false, false, false).withBuffers(60000, 60000);
        TestNet net = new TestNet(2, plain, TcpConfig.defaults());
        assertTrue(net.handshake());
        TcpSegment synAck = net.b.sent.get(0);
        assertEquals(-1, synAck.windowScale);
        assertFalse(synAck.sackPermitted);
        assertFalse(synAck.hasTimestamp);
        assertEquals(1460, net.b.conn.maxSegmentPayload());
        // Data segments carry no timestamps and an unscaled window.
        net.a.toSend = new byte[100_000];
        net.runUntil(() -> net.b.received.size() == 100_000, 10_000 * MS);
        assertEquals(100_000, net.b.received.size());
        for (TcpSegment s : net.b.sent) assertFalse(s.hasTimestamp);
    }

    @Test
    void bidirectionalTransferIsByteExactAndClosesCleanly() {
        SplittableRandom r = new SplittableRandom(42);
        TestNet net = new TestNet(3, TcpConfig.defaults());
        byte[] up = TestNet.randomBytes(r, 3_000_001);
        byte[] down = TestNet.randomBytes(r, 2_500_003);
        net.a.toSend = up;
        net.b.toSend = down;
        net.a.shutdownWhenDone = true;
        net.b.shutdownWhenDone = true;
        net.a.connect();
        assertTrue(net.runUntil(() -> net.a.eof && net.b.eof, 60_000 * MS), net::describe);
        assertArrayEquals(up, net.b.received.toByteArray());
        assertArrayEquals(down, net.a.received.toByteArray());
        assertTrue(net.runUntil(() -> net.a.closed != null && net.b.closed != null, 200_000 * MS));
        assertEquals(CloseReason.CLOSED, net.a.closed);
        assertEquals(CloseReason.CLOSED, net.b.closed);
    }

    @Test
    void halfCloseKeepsTheOtherDirectionOpen() {
        SplittableRandom r = new SplittableRandom(4);
        TestNet net = new TestNet(4, TcpConfig.defaults());
        assertTrue(net.handshake());
        net.a.toSend = TestNet.randomBytes(r, 10_000);
        net.a.shutdownWhenDone = true;
        assertTrue(net.runUntil(() -> net.b.eof && net.a.conn.state() == TcpState.FIN_WAIT_2, 10_000 * MS));
        assertEquals(TcpState.FIN_WAIT_2, net.a.conn.state());
        assertEquals(TcpState.CLOSE_WAIT, net.b.conn.state());
        byte[] reply = TestNet.randomBytes(r, 500_000);
        net.b.toSend = reply;
        assertTrue(net.runUntil(() -> net.a.received.size() == reply.length, 10_000 * MS));
        assertArrayEquals(reply, net.a.received.toByteArray());
        net.b.conn.shutdownOutput(net.now);
        assertEquals(TcpState.LAST_ACK, net.b.conn.state());
        assertTrue(net.runUntil(() -> net.b.closed != null, 10_000 * MS));
        assertEquals(CloseReason.CLOSED, net.b.closed);
        assertEquals(TcpState.TIME_WAIT, net.a.conn.state());
        assertTrue(net.a.eof);
    }

    /** A and B connected with the given TIME-WAIT; A has closed its side and B has read the end. */
    private static TestNet halfClosedByA(long seed, long timeWait) {
        TestNet net = new TestNet(seed, TcpConfig.defaults().withTimeWait(timeWait));
        assertTrue(net.handshake());
        net.a.conn.shutdownOutput(net.now);
        assertTrue(net.runUntil(() -> net.b.eof, 1_000 * MS));
        return net;
    }

    @Test
    void timeWaitExpiresAfterConfiguredDuration() {
        TestNet net = halfClosedByA(5, 5_000 * MS);
        net.b.conn.shutdownOutput(net.now);
        assertTrue(net.runUntil(() -> net.a.conn.state() == TcpState.TIME_WAIT, 1_000 * MS));
        long entered = net.now;
        assertTrue(net.runUntil(() -> net.a.closed != null, 100_000 * MS));
        assertEquals(CloseReason.CLOSED, net.a.closed);
        long waited = net.now - entered;
        assertTrue(waited >= 5_000 * MS - MS && waited <= 5_000 * MS + 2 * MS, "waited " + waited);
    }

    @Test
    void timeWaitAcknowledgesRetransmittedFinAndRestartsTimer() {
        TestNet net = halfClosedByA(6, 5_000 * MS);
        // Drop A's ACK of B's FIN: B retransmits the FIN, A (in TIME-WAIT) acks it again.
        int[] dropped = {0};
        net.dropFilter = s -> s.has(TcpSegment.ACK) && !s.has(TcpSegment.FIN) && s.ack == net.b.conn.sndNxt() && dropped[0]++ == 0;
        net.b.conn.shutdownOutput(net.now);
        assertTrue(net.runUntil(() -> net.b.closed != null, 10_000 * MS));
        assertEquals(1, dropped[0] > 0 ? 1 : 0);
        assertEquals(CloseReason.CLOSED, net.b.closed);
        assertEquals(TcpState.TIME_WAIT, net.a.conn.state());
    }

    /**
     * Like Linux, a TIME-WAIT restarts its timer for any retransmission from its peer, not only
     * one of the FIN: the peer retransmits from its first unacknowledged segment (data, without
     * the FIN), and as its retransmission timer backs off it can outlast a TIME-WAIT that began
     * when the FIN first came; the next retransmission then found no connection and got a reset,
     * ending a connection whose every byte had arrived (the many-connections simulation, 1 of
     * 2,000 seeds: the server's final acknowledgements lost twice, its retransmissions 26 and
     * 34 s apart against a 60 s TIME-WAIT).
     */
    @Test
    void timeWaitRestartsItsTimerForARetransmittedDataSegment() {
        TestNet net = halfClosedByA(8, 4_000 * MS);
        int bFirst = net.b.conn.sndNxt();
        int[] firstLost = {0}, acksLost = {0};
        net.dropFilter = s -> {
            // B's first data segment, once: A gets the rest and B's FIN out of order, and waits for it.
            if (s.seq == bFirst && s.payloadLength() > 0 && firstLost[0] == 0) {
                firstLost[0]++;
                return true;
            }
            // A's acknowledgements from TIME-WAIT, five times: B goes on retransmitting that data
            // segment, its timer backing off (0.2, 0.4, 0.8, 1.6, 3.2 s) past A's first 4 s.
            if (net.a.conn.state() == TcpState.TIME_WAIT && s.seq == net.a.conn.sndNxt() && !s.has(TcpSegment.RST) && acksLost[0] < 5) {
                acksLost[0]++;
                return true;
            }
            return false;
        };
        net.b.toSend = TestNet.randomBytes(new SplittableRandom(8), 8_000);
        assertTrue(net.runUntil(() -> net.b.sendDone(), 1_000 * MS));
        net.b.conn.shutdownOutput(net.now);
        assertTrue(net.runUntil(() -> net.b.closed != null, 120_000 * MS), net::describe);
        assertEquals(1, firstLost[0]);
        assertEquals(5, acksLost[0]);
        assertEquals(8_000, net.a.received.size());
        assertEquals(CloseReason.CLOSED, net.b.closed, () -> "B's retransmission found A's TIME-WAIT over: " + net.describe());
    }

    @Test
    void simultaneousOpen() {
        TestNet net = new TestNet(7, TcpConfig.defaults());
        net.a.connect();
        net.b.conn = TcpConnection.connect(net.b.config, net.b.tuple, net.b.iss, net.now, net.b, net.b);
        assertTrue(net.runUntil(() -> net.a.conn.state() == TcpState.ESTABLISHED && net.b.conn.state() == TcpState.ESTABLISHED, 5_000 * MS), net::describe);
        SplittableRandom r = new SplittableRandom(7);
        byte[] up = TestNet.randomBytes(r, 200_000), down = TestNet.randomBytes(r, 300_000);
        net.a.toSend = up;
        net.b.toSend = down;
        assertTrue(net.runUntil(() -> net.a.received.size() == down.length && net.b.received.size() == up.length, 10_000 * MS));
        assertArrayEquals(up, net.b.received.toByteArray());
        assertArrayEquals(down, net.a.received.toByteArray());
    }

    @Test
    void simultaneousClose() {
        TestNet net = new TestNet(8, TcpConfig.defaults().withTimeWait(1_000 * MS));
        assertTrue(net.handshake());
        net.a.conn.shutdownOutput(net.now);
        net.b.conn.shutdownOutput(net.now);
        assertEquals(TcpState.FIN_WAIT_1, net.a.conn.state());
        assertEquals(TcpState.FIN_WAIT_1, net.b.conn.state());
        assertTrue(net.runUntil(() -> net.a.conn.state() == TcpState.TIME_WAIT && net.b.conn.state() == TcpState.TIME_WAIT, 1_000 * MS));
        boolean sawClosing = net.a.sent.stream().anyMatch(s -> s.has(TcpSegment.FIN)) && net.b.sent.stream().anyMatch(s -> s.has(TcpSegment.FIN));
        assertTrue(sawClosing);
        assertTrue(net.runUntil(() -> net.a.closed != null && net.b.closed != null, 5_000 * MS));
        assertEquals(CloseReason.CLOSED, net.a.closed);
        assertEquals(CloseReason.CLOSED, net.b.closed);
        assertTrue(net.a.eof && net.b.eof);
    }

    @Test
    void closingStateWhenFinsCross() {
        TestNet net = new TestNet(9, TcpConfig.defaults());
        assertTrue(net.handshake());
        net.a.conn.shutdownOutput(net.now);
        net.b.conn.shutdownOutput(net.now);
        // Deliver only the FINs (not yet the ACKs of them): both must pass through CLOSING.
        net.step(Long.MAX_VALUE);
        net.step(Long.MAX_VALUE);
        assertEquals(TcpState.CLOSING, net.a.conn.state());
        assertEquals(TcpState.CLOSING, net.b.conn.state());
    }

    @Test
    void sequenceNumbersWrapAround() {
        SplittableRandom r = new SplittableRandom(10);
        TestNet net = new TestNet(10, TcpConfig.defaults());
        net.a.iss = -200_000; // 2^32 - 200000: the stream crosses zero
        net.b.iss = Integer.MAX_VALUE - 1000; // and crosses the signed boundary
        byte[] up = TestNet.randomBytes(r, 1_000_000), down = TestNet.randomBytes(r, 1_000_000);
        net.a.toSend = up;
        net.b.toSend = down;
        net.a.connect();
        assertTrue(net.runUntil(() -> net.a.received.size() == down.length && net.b.received.size() == up.length, 10_000 * MS), net::describe);
        assertArrayEquals(up, net.b.received.toByteArray());
        assertArrayEquals(down, net.a.received.toByteArray());
        assertEquals(0, Arrays.compare(up, net.b.received.toByteArray()));
    }
}
