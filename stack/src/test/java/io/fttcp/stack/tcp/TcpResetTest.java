package io.fttcp.stack.tcp;

import static io.fttcp.stack.tcp.TestNet.MS;
import static org.junit.jupiter.api.Assertions.*;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

class TcpResetTest {

    private static TcpSegment rst(int seq) {
        TcpSegment s = new TcpSegment();
        s.flags = TcpSegment.RST;
        s.seq = seq;
        return s;
    }

    private TestNet established(long seed) {
        TestNet net = new TestNet(seed, TcpConfig.defaults());
        assertTrue(net.handshake());
        net.runFor(100 * MS);
        return net;
    }

    @Test
    void abortSendsResetAndPeerSeesResetByPeer() {
        TestNet net = established(21);
        net.a.conn.abort(net.now);
        assertEquals(CloseReason.ABORTED, net.a.closed);
        assertEquals(TcpState.CLOSED, net.a.conn.state());
        assertTrue(net.runUntil(() -> net.b.closed != null, 100 * MS));
        assertEquals(CloseReason.RESET_BY_PEER, net.b.closed);
        assertEquals(Long.MAX_VALUE, net.b.conn.nextDeadline());
    }

    @Test
    void connectionRefused() {
        TestNet net = new TestNet(22, TcpConfig.defaults());
        net.refuse = true;
        net.a.connect();
        assertTrue(net.runUntil(() -> net.a.closed != null, 1_000 * MS));
        assertEquals(CloseReason.REFUSED, net.a.closed);
    }

    @Test
    void resetWithWrongAckInSynSentIsIgnored() {
        TestNet net = new TestNet(23, TcpConfig.defaults());
        net.partitioned = true;
        net.a.connect();
        TcpSegment r = rst(0);
        r.flags |= TcpSegment.ACK;
        r.ack = net.a.conn.sndNxt() + 5;
        net.a.conn.onSegment(r, net.now);
        assertEquals(TcpState.SYN_SENT, net.a.conn.state());
    }

    @Test
    void exactResetCloses() {
        TestNet net = established(24);
        net.a.conn.onSegment(rst(net.a.conn.rcvNxt()), net.now);
        assertEquals(CloseReason.RESET_BY_PEER, net.a.closed);
    }

    @Test
    void inWindowResetGetsChallengeAck() {
        TestNet net = established(25);
        int sentBefore = net.a.sent.size();
        net.a.conn.onSegment(rst(net.a.conn.rcvNxt() + 1000), net.now);
        assertEquals(TcpState.ESTABLISHED, net.a.conn.state());
        assertEquals(1, net.a.conn.stats().challengeAcks);
        assertEquals(sentBefore + 1, net.a.sent.size());
        TcpSegment ack = net.a.sent.getLast();
        assertEquals(TcpSegment.ACK, ack.flags);
        assertEquals(net.a.conn.rcvNxt(), ack.ack);
    }

    @Test
    void outOfWindowResetIsDroppedSilently() {
        TestNet net = established(26);
        int sentBefore = net.a.sent.size();
        net.a.conn.onSegment(rst(net.a.conn.rcvNxt() + (64 << 20)), net.now);
        net.a.conn.onSegment(rst(net.a.conn.rcvNxt() - 10), net.now);
        assertEquals(TcpState.ESTABLISHED, net.a.conn.state());
        assertEquals(sentBefore, net.a.sent.size());
    }

    @Test
    void synInSynchronizedStateGetsChallengeAck() {
        TestNet net = established(27);
        TcpSegment syn = new TcpSegment();
        syn.flags = TcpSegment.SYN;
        syn.seq = net.a.conn.rcvNxt() + 100;
        net.a.conn.onSegment(syn, net.now);
        assertEquals(TcpState.ESTABLISHED, net.a.conn.state());
        assertEquals(1, net.a.conn.stats().challengeAcks);
    }

    @Test
    void dataWithAckFarBelowWindowIsRejected() {
        TestNet net = established(28);
        TcpSegment data = new TcpSegment();
        data.flags = TcpSegment.ACK;
        data.seq = net.a.conn.rcvNxt();
        data.ack = net.a.conn.sndUna() - (1 << 30);
        data.window = 1000;
        data.payload = ByteBuffer.wrap(new byte[100]);
        net.a.conn.onSegment(data, net.now);
        assertEquals(0, net.a.conn.readableBytes(), "blind data injection must not be accepted");
        assertEquals(1, net.a.conn.stats().challengeAcks);
    }

    @Test
    void challengeAcksAreRateLimited() {
        TestNet net = established(29);
        for (int i = 0; i < 1500; i++) net.a.conn.onSegment(rst(net.a.conn.rcvNxt() + 1 + i), net.now);
        assertEquals(1000, net.a.conn.stats().challengeAcks);
        net.now += 1_000 * MS;
        net.a.conn.onSegment(rst(net.a.conn.rcvNxt() + 1), net.now);
        assertEquals(1001, net.a.conn.stats().challengeAcks);
        assertEquals(TcpState.ESTABLISHED, net.a.conn.state());
    }

    @Test
    void closeWithUnreadDataResets() {
        TestNet net = established(30);
        net.a.autoRead = false;
        net.b.conn.write(ByteBuffer.wrap(new byte[500]), net.now);
        net.runFor(100 * MS);
        assertEquals(500, net.a.conn.readableBytes());
        net.a.conn.close(net.now);
        assertEquals(CloseReason.ABORTED, net.a.closed);
        assertTrue(net.runUntil(() -> net.b.closed != null, 100 * MS));
        assertEquals(CloseReason.RESET_BY_PEER, net.b.closed);
    }

    @Test
    void resetInTimeWaitKeepsWhatTheApplicationHasNotReadYet() {
        // The connection ended in order (every byte and the FIN received and acknowledged): an
        // RST in TIME-WAIT (answering a stray segment of ours) must not discard them, or the
        // application reads a clean end of stream with bytes missing.
        TestNet net = established(32);
        net.a.autoRead = false;
        net.a.conn.shutdownOutput(net.now);
        net.b.conn.write(ByteBuffer.wrap(new byte[700]), net.now);
        net.runFor(50 * MS);
        net.b.conn.close(net.now);
        assertTrue(net.runUntil(() -> net.a.conn.state() == TcpState.TIME_WAIT, 100 * MS));
        assertEquals(700, net.a.conn.readableBytes());
        net.a.conn.onSegment(rst(net.a.conn.rcvNxt()), net.now);
        assertEquals(CloseReason.CLOSED, net.a.closed);
        ByteBuffer into = ByteBuffer.allocate(1000);
        assertEquals(700, net.a.conn.read(into, net.now));
        assertEquals(-1, net.a.conn.read(into, net.now));
    }

    @Test
    void resetInTimeWaitEndsIt() {
        TestNet net = established(31);
        net.a.conn.close(net.now);
        net.runFor(50 * MS);
        net.b.conn.close(net.now);
        assertTrue(net.runUntil(() -> net.a.conn.state() == TcpState.TIME_WAIT, 100 * MS));
        net.a.conn.onSegment(rst(net.a.conn.rcvNxt()), net.now);
        assertEquals(TcpState.CLOSED, net.a.conn.state());
    }
}
