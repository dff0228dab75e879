package io.fttcp.stack.tcp;

import static io.fttcp.stack.tcp.TestNet.MS;
import static org.junit.jupiter.api.Assertions.*;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TcpTimersTest {

    private static List<Long> sendTimesOf(TestNet.Endpoint e, java.util.function.Predicate<TcpSegment> which) {
        List<Long> t = new ArrayList<>();
        for (int i = 0; i < e.sent.size(); i++) if (which.test(e.sent.get(i))) t.add(e.sentTimes.get(i));
        return t;
    }

    @Test
    void retransmissionTimeoutBacksOffExponentiallyUpToMaxThenGivesUp() {
        TcpConfig cfg = TcpConfig.defaults().withRto(1_000 * MS, 200 * MS, 2_000 * MS).withRetries(6, 6);
        TestNet net = new TestNet(41, cfg);
        assertTrue(net.handshake());
        net.partitioned = true;
        int seq = net.a.conn.sndNxt();
        net.a.conn.write(ByteBuffer.wrap(new byte[1000]), net.now);
        assertTrue(net.runUntil(() -> net.a.closed != null, 100_000 * MS));
        assertEquals(CloseReason.TIMED_OUT, net.a.closed);
        List<Long> times = sendTimesOf(net.a, s -> s.seq == seq && s.payloadLength() == 1000);
        assertEquals(7, times.size(), "original + 6 retransmissions");
        long[] expected = {200, 400, 800, 1600, 2000, 2000};
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i] * MS, times.get(i + 1) - times.get(i), "interval " + i);
        }
        assertEquals(6, net.a.conn.stats().timeouts);
    }

    /**
     * RFC 5681 3.1: when the timer fires again for a segment it already resent, ssthresh is held
     * where the first timeout set it. Before, each timeout cut it again from the one-segment
     * window, and after three CUBIC sat at two segments when the path came back.
     */
    @Test
    void backToBackTimeoutsHoldTheSlowStartThreshold() {
        for (TcpConfig.CongestionControl kind : TcpConfig.CongestionControl.values()) {
            TestNet net = new TestNet(44, TcpConfig.defaults().withCongestionControl(kind));
            net.delay = 10 * MS;
            assertTrue(net.handshake());
            int mss = net.a.conn.maxSegmentPayload();
            net.a.toSend = new byte[200 * mss];
            assertTrue(net.runUntil(() -> net.b.received.size() == 200 * mss, 10_000 * MS));
            net.partitioned = true;
            net.a.toSend = new byte[100 * mss];
            net.a.sendPos = 0;
            assertTrue(net.runUntil(() -> net.a.conn.stats().timeouts == 1, 10_000 * MS));
            long held = net.a.conn.ssthresh();
            assertTrue(held > 2L * mss, kind + ": the first timeout halves a large window: " + held);
            assertTrue(net.runUntil(() -> net.a.conn.stats().timeouts == 3, 30_000 * MS));
            assertEquals(held, net.a.conn.ssthresh(), kind + ": held across the next two");
            assertEquals((long) mss, net.a.conn.cwnd(), kind + ": one segment");
            net.partitioned = false;
            net.b.received.reset();
            assertTrue(net.runUntil(() -> net.b.received.size() == 100 * mss, 60_000 * MS), kind + ": " + net.describe());
        }
    }

    @Test
    void synRetriesExhausted() {
        TcpConfig cfg = TcpConfig.defaults().withRetries(3, 15);
        TestNet net = new TestNet(42, cfg);
        net.partitioned = true;
        long start = net.now;
        net.a.connect();
        assertTrue(net.runUntil(() -> net.a.closed != null, 100_000 * MS));
        assertEquals(CloseReason.TIMED_OUT, net.a.closed);
        List<Long> syns = sendTimesOf(net.a, s -> s.has(TcpSegment.SYN));
        assertEquals(List.of(start, start + 1_000 * MS, start + 3_000 * MS, start + 7_000 * MS), syns);
        assertEquals(start + 15_000 * MS, net.now);
    }

    @Test
    void lostSynAckIsRetransmittedAndHandshakeCompletes() {
        TestNet net = new TestNet(43, TcpConfig.defaults());
        boolean[] dropped = {false};
        net.dropFilter = s -> s.has(TcpSegment.SYN) && s.has(TcpSegment.ACK) && !dropped[0] && (dropped[0] = true);
        assertTrue(net.handshake());
        assertTrue(dropped[0]);
        assertTrue(net.b.sent.stream().filter(s -> s.has(TcpSegment.SYN)).count() >= 2, "SYN-ACK retransmitted");
    }

    @Test
    void timestampRttEstimate() {
        TestNet net = new TestNet(44, TcpConfig.defaults());
        net.delay = 50 * MS;
        net.recordSent = true;
        net.a.toSend = new byte[2_000_000];
        assertTrue(net.handshake());
        assertTrue(net.runUntil(() -> net.b.received.size() == 2_000_000, 60_000 * MS));
        long srtt = net.a.conn.srtt();
        assertTrue(srtt >= 99 * MS && srtt <= 115 * MS, "srtt " + srtt);
        assertTrue(net.a.conn.currentRto() >= srtt && net.a.conn.currentRto() >= 200 * MS);
        // TSval follows the millisecond clock and TSecr echoes the peer's latest TSval.
        net.a.conn.setNagle(false);
        net.a.conn.write(ByteBuffer.wrap(new byte[10]), net.now);
        TcpSegment first = net.a.sent.get(0), last = net.a.sent.getLast();
        long elapsedMs = (net.a.sentTimes.getLast() - net.a.sentTimes.get(0)) / MS;
        assertEquals(elapsedMs, last.tsVal - first.tsVal);
        assertEquals(net.a.conn.tsRecent(), last.tsEcr);
    }

    @Test
    void karnsRuleIgnoresRetransmittedSegmentsWithoutTimestamps() {
        TcpConfig cfg = TcpConfig.defaults().withOptions(true, false, true).withNagle(false);
        TestNet net = new TestNet(45, cfg);
        net.delay = 10 * MS;
        assertTrue(net.handshake());
        long before = net.a.conn.srtt();
        assertEquals(20 * MS, before);
        int seq = net.a.conn.sndNxt();
        boolean[] dropped = {false};
        net.dropFilter = s -> s.seq == seq && s.payloadLength() > 0 && !dropped[0] && (dropped[0] = true);
        net.a.conn.write(ByteBuffer.wrap(new byte[100]), net.now);
        assertTrue(net.runUntil(() -> net.a.conn.sndUna() == seq + 100, 5_000 * MS));
        assertEquals(1, net.a.conn.stats().timeouts);
        assertEquals(before, net.a.conn.srtt(), "no RTT sample from the retransmitted segment");
        // The next, clean exchange samples again and clears the backoff.
        net.a.conn.write(ByteBuffer.wrap(new byte[100]), net.now);
        assertTrue(net.runUntil(() -> net.a.conn.sndUna() == seq + 200, 5_000 * MS));
        assertNotEquals(before, net.a.conn.srtt());
        assertEquals(200 * MS, net.a.conn.currentRto());
    }

    /**
     * Karn as Linux applies it: the timed segment was sent once, but its ACK also covers a
     * retransmitted one before it, so it waited for that repair (a fast retransmit) and is no RTT
     * sample. Sampled, the timeout counted as path delay: after a takeover, a client's losses
     * then each waited for a timeout seconds long.
     */
    @Test
    void noRttSampleFromAnAckThatAlsoCoversRetransmittedData() {
        TcpConfig cfg = TcpConfig.defaults().withOptions(true, false, false).withNagle(false);
        TestNet net = new TestNet(46, cfg);
        net.delay = 10 * MS;
        assertTrue(net.handshake());
        int mss = 1460;
        int seq = net.a.conn.sndNxt();
        boolean[] dropped = {false};
        net.dropFilter = s -> s.seq == seq + mss && s.payloadLength() > 0 && !dropped[0] && (dropped[0] = true);
        net.a.conn.write(ByteBuffer.wrap(new byte[mss]), net.now); // timed, acknowledged
        net.a.conn.write(ByteBuffer.wrap(new byte[mss]), net.now); // lost once
        assertTrue(net.runUntil(() -> net.a.conn.sndUna() == seq + mss, 5_000 * MS));
        long before = net.a.conn.srtt();
        // The first of these is timed; all wait behind the hole until its fast retransmit (which resends only the lost segment).
        for (int i = 0; i < 4; i++) net.a.conn.write(ByteBuffer.wrap(new byte[mss]), net.now);
        assertTrue(net.runUntil(() -> net.a.conn.sndUna() == seq + 6 * mss, 5_000 * MS), net::describe);
        assertEquals(0, net.a.conn.stats().timeouts);
        assertEquals(1, net.a.conn.stats().fastRetransmits);
        assertEquals(before, net.a.conn.srtt(), "no RTT sample from an ACK that waited for the retransmission");
    }

    @Test
    void pawsRejectsOldTimestamps() {
        TestNet net = new TestNet(46, TcpConfig.defaults());
        assertTrue(net.handshake());
        net.b.conn.write(ByteBuffer.wrap(new byte[10]), net.now);
        net.runFor(100 * MS);
        TcpConnection a = net.a.conn;
        int recent = a.tsRecent();
        TcpSegment old = new TcpSegment();
        old.flags = TcpSegment.ACK;
        old.seq = a.rcvNxt();
        old.ack = a.sndNxt();
        old.window = 1000;
        old.hasTimestamp = true;
        old.tsVal = recent - 5;
        old.payload = ByteBuffer.wrap(new byte[50]);
        int readable = a.readableBytes();
        a.onSegment(old, net.now);
        assertEquals(1, a.stats().pawsRejected);
        assertEquals(readable, a.readableBytes());
        // The same segment with a current timestamp is accepted, also across the 2^32 wrap.
        old.tsVal = recent + 3;
        old.payload = ByteBuffer.wrap(new byte[50]);
        a.onSegment(old, net.now);
        assertEquals(readable + 50, a.readableBytes());
        assertEquals(recent + 3, a.tsRecent());
    }

    @Test
    void keepaliveDetectsDeadPeer() {
        TcpConfig cfg = TcpConfig.defaults().withKeepalive(10_000 * MS, 1_000 * MS, 3);
        TestNet net = new TestNet(47, cfg);
        assertTrue(net.handshake());
        net.a.conn.setKeepalive(true, net.now);
        // While the peer answers, probes keep the connection alive.
        net.runFor(100_000 * MS);
        assertEquals(TcpState.ESTABLISHED, net.a.conn.state());
        long probes = net.a.sent.stream().filter(s -> s.payloadLength() == 0 && s.seq == net.a.conn.sndUna() - 1).count();
        assertTrue(probes >= 9 && probes <= 10, "probes " + probes);
        net.partitioned = true;
        long cut = net.now;
        assertTrue(net.runUntil(() -> net.a.closed != null, 100_000 * MS));
        assertEquals(CloseReason.TIMED_OUT, net.a.closed);
        long lastHeard = net.now - cut;
        assertTrue(lastHeard > 3_000 * MS && lastHeard <= 13_000 * MS, "closed after " + lastHeard);
        assertTrue(net.a.sent.getLast().has(TcpSegment.RST));
    }

    /** A sender whose data fills the window of a peer (20 kB buffer) that stops reading. */
    private static TestNet windowClosedByAReaderThatStopped(long seed) {
        TestNet net = new TestNet(seed, TcpConfig.defaults().withKeepalive(60_000 * MS, 10_000 * MS, 3),
                TcpConfig.defaults().withBuffers(20_000, 1 << 20));
        net.b.autoRead = false;
        net.a.toSend = new byte[200_000];
        assertTrue(net.handshake());
        assertTrue(net.runUntil(() -> net.a.conn.sndWnd() == 0 && net.a.conn.sndUna() == net.a.conn.sndMax(), 5_000 * MS), net::describe);
        return net;
    }

    private static long zeroWindowProbes(TestNet.Endpoint e, int from) {
        int probeSeq = e.conn.sndUna() - 1;
        return e.sent.subList(from, e.sent.size()).stream()
                .filter(s -> s.seq == probeSeq && s.payloadLength() == 0 && !s.has(TcpSegment.RST)).count();
    }

    /**
     * RFC 1122 4.2.2.17: the sender probes a closed window for as long as the receiver answers.
     * But a receiver that vanished behind it (its host gone, the path cut) was probed forever,
     * with keepalive on too (it defers to the retransmission timer while data is queued). As
     * Linux's tcp_probe_timer: as many unanswered probes as data retransmissions, then TIMED_OUT.
     */
    @Test
    void zeroWindowProbesGoOnWhileAnsweredAndTimeOutOnceThePeerIsSilent() {
        for (boolean keepalive : new boolean[] {false, true}) {
            TestNet net = windowClosedByAReaderThatStopped(49);
            net.a.conn.setKeepalive(keepalive, net.now);
            net.runFor(3L * 3600 * 1000 * MS);
            assertEquals(TcpState.ESTABLISHED, net.a.conn.state(), "the reader is alive, if slow");
            assertTrue(zeroWindowProbes(net.a, 0) > 3 * net.a.config.dataRetries(), "probes answered: " + zeroWindowProbes(net.a, 0));
            net.partitioned = true;
            int cut = net.a.sent.size();
            assertTrue(net.runUntil(() -> net.a.closed != null, 3600 * 1000 * MS), "keepalive " + keepalive + ": " + net.describe());
            assertEquals(CloseReason.TIMED_OUT, net.a.closed);
            assertEquals(net.a.config.dataRetries(), zeroWindowProbes(net.a, cut), "unanswered probes before giving up");
            assertTrue(net.a.sent.getLast().has(TcpSegment.RST));
        }
    }

    /**
     * The application closed while its data waited behind a closed window: nobody will read an
     * answer, and the peer that never reads would keep the orphan and its send buffer for good.
     * As Linux (tcp_orphan_retries): 8 probes since the window closed, answered or not, then
     * TIMED_OUT (about 100 s), and an RST tells the peer.
     */
    @Test
    void anOrphanBehindAClosedWindowGivesUpEvenWhileItsPeerAnswers() {
        TestNet net = windowClosedByAReaderThatStopped(50);
        net.runFor(2_000 * MS);
        net.a.conn.close(net.now);
        assertEquals(TcpState.FIN_WAIT_1, net.a.conn.state());
        long closedAt = net.now;
        assertTrue(net.runUntil(() -> net.a.closed != null, 3600 * 1000 * MS), net::describe);
        assertEquals(CloseReason.TIMED_OUT, net.a.closed);
        assertEquals(8, zeroWindowProbes(net.a, 0));
        assertTrue(net.now - closedAt < 120_000 * MS, "gave up " + (net.now - closedAt) / MS + " ms after the close");
        net.runFor(10 * MS);
        assertEquals(TcpState.CLOSED, net.b.conn.state(), "the peer took the RST");
        assertEquals(20_000, net.b.conn.readableBytes(), "and may still read what arrived");
    }

    @Test
    void timestampEchoOfAnOriginalTransmissionAfterTimeoutIsNotAnRttSample() {
        TestNet net = new TestNet(48, TcpConfig.defaults().withNagle(false).withDelayedAck(0));
        net.delay = 10 * MS;
        assertTrue(net.handshake());
        long srtt = net.a.conn.srtt();
        assertEquals(20 * MS, srtt);
        int seq = net.a.conn.sndNxt();
        boolean[] dropped = {false};
        // Lose B's ACK of the segment: A times out and resends; B answers the duplicate echoing the original TSval.
        net.dropFilter = s -> s.ack == seq + 100 && s.payloadLength() == 0 && !dropped[0] && (dropped[0] = true);
        net.a.conn.write(ByteBuffer.wrap(new byte[100]), net.now);
        assertTrue(net.runUntil(() -> net.a.conn.sndUna() == seq + 100, 5_000 * MS));
        assertTrue(dropped[0]);
        assertEquals(1, net.a.conn.stats().timeouts);
        assertEquals(srtt, net.a.conn.srtt(), "SRTT must not absorb the timeout");
        assertEquals(200 * MS, net.a.conn.currentRto(), "progress ends the backoff");
    }
}
