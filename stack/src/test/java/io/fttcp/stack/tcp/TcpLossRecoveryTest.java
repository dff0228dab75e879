package io.fttcp.stack.tcp;

import static io.fttcp.stack.tcp.TestNet.MS;
import static org.junit.jupiter.api.Assertions.*;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TcpLossRecoveryTest {

    /** Drops the first transmission of the segments numbered in {@code which} (counted from the first data segment). */
    private static void dropFirstTransmissions(TestNet net, int firstSeq, int mss, int... which) {
        Set<Integer> targets = new HashSet<>();
        for (int k : which) targets.add(firstSeq + k * mss);
        net.dropFilter = s -> s.payloadLength() > 0 && targets.remove(s.seq);
    }

    private static List<Long> retransmitTimes(TestNet.Endpoint e) {
        Set<Integer> seen = new HashSet<>();
        java.util.ArrayList<Long> t = new java.util.ArrayList<>();
        for (int i = 0; i < e.sent.size(); i++) {
            TcpSegment s = e.sent.get(i);
            if (s.payloadLength() > 0 && !seen.add(s.seq)) t.add(e.sentTimes.get(i));
        }
        return t;
    }

    @Test
    void fastRetransmitOnThirdDuplicateAck() {
        TcpConfig cfg = TcpConfig.defaults().withOptions(true, true, false).withCongestionControl(TcpConfig.CongestionControl.NEWRENO);
        TestNet net = new TestNet(51, cfg);
        net.delay = 10 * MS;
        assertTrue(net.handshake());
        int mss = net.a.conn.maxSegmentPayload();
        int first = net.a.conn.sndNxt();
        dropFirstTransmissions(net, first, mss, 2);
        byte[] data = TestNet.randomBytes(new SplittableRandom(51), 10 * mss);
        net.a.toSend = data;
        assertTrue(net.runUntil(() -> net.b.received.size() == data.length, 5_000 * MS));
        assertArrayEquals(data, net.b.received.toByteArray());
        assertEquals(1, net.a.conn.stats().fastRetransmits);
        assertEquals(0, net.a.conn.stats().timeouts);
        assertEquals(1, net.a.conn.stats().retransmits);
        // The retransmission left when the third duplicate ACK arrived.
        List<TcpSegment> dup = net.b.sent.stream().filter(s -> s.ack == first + 2 * mss && s.payloadLength() == 0).toList();
        assertTrue(dup.size() >= 4);
        int thirdDupIndex = net.b.sent.indexOf(dup.get(3));
        long thirdDupArrives = net.b.sentTimes.get(thirdDupIndex) + net.delay;
        assertEquals(List.of(thirdDupArrives), retransmitTimes(net.a));
    }

    @Test
    void sackRepairsSeveralLossesInOneRoundTrip() {
        long sackRepair = repairTime(true);
        long renoRepair = repairTime(false);
        assertTrue(sackRepair < 25 * MS, "SACK repaired all holes within one RTT: " + sackRepair);
        assertTrue(renoRepair >= 2 * 40 * MS, "NewReno needs an RTT per hole: " + renoRepair);
    }

    /** Time between the first and last retransmission when four segments of one window are lost. */
    private static long repairTime(boolean sack) {
        TcpConfig cfg = TcpConfig.defaults().withOptions(true, true, sack);
        TestNet net = new TestNet(52, cfg);
        net.delay = 20 * MS;
        assertTrue(net.handshake());
        int mss = net.a.conn.maxSegmentPayload();
        byte[] warm = TestNet.randomBytes(new SplittableRandom(52), 400 * mss);
        net.a.toSend = warm;
        assertTrue(net.runUntil(() -> net.b.received.size() == warm.length, 10_000 * MS));
        net.runFor(1_000 * MS);
        net.a.sent.clear();
        net.a.sentTimes.clear();
        int first = net.a.conn.sndNxt();
        dropFirstTransmissions(net, first, mss, 3, 6, 10, 15);
        byte[] data = TestNet.randomBytes(new SplittableRandom(53), 40 * mss);
        net.b.received.reset();
        net.a.toSend = data;
        net.a.sendPos = 0;
        assertTrue(net.runUntil(() -> net.b.received.size() == data.length, 10_000 * MS), net::describe);
        assertArrayEquals(data, net.b.received.toByteArray());
        TcpStats st = net.a.conn.stats();
        assertEquals(0, st.timeouts, "no timeout, sack=" + sack);
        assertEquals(1, st.fastRetransmits, "one recovery episode, sack=" + sack);
        List<Long> rtx = retransmitTimes(net.a);
        assertEquals(4, rtx.size(), "exactly the lost segments were resent, sack=" + sack);
        return rtx.getLast() - rtx.getFirst();
    }

    /**
     * A timeout in the middle of a SACK recovery: going back N resends only the holes, not what the
     * peer holds. Resending all of a large flight after a timeout (every segment a retransmission,
     * which Karn's rule cannot time) made a simulated client on a lossy link crawl from timeout
     * to timeout for minutes: each lost resend doubled a timer no sample ever reset.
     */
    @Test
    void aTimeoutResendsOnlyTheHolesThePeerHasNotSacked() {
        TestNet net = warmSackConnection(56);
        int mss = net.a.conn.maxSegmentPayload();
        int first = net.a.conn.sndNxt();
        // Three segments are lost, and so is each one's first retransmission: nothing sent after
        // them arrives to tell, so the recovery ends in a timeout.
        Set<Integer> holes = Set.of(first + 3 * mss, first + 10 * mss, first + 30 * mss);
        dropTransmissions(net, holes, 2);
        long retransmitsBefore = net.a.conn.stats().retransmits;
        transfer(net, 57, 40);
        assertEquals(1, net.a.conn.stats().timeouts);
        assertEquals(2 * holes.size(), net.a.conn.stats().retransmits - retransmitsBefore,
                "each hole resent once in the recovery and once after the timeout, nothing the peer SACKed");
    }

    /** A warmed-up SACK connection (a large window) whose next data segments are numbered from its snd.nxt. */
    private static TestNet warmSackConnection(long seed) {
        TestNet net = new TestNet(seed, TcpConfig.defaults().withOptions(true, true, true));
        net.delay = 10 * MS;
        assertTrue(net.handshake());
        byte[] warm = TestNet.randomBytes(new SplittableRandom(seed), 400 * net.a.conn.maxSegmentPayload());
        net.a.toSend = warm;
        assertTrue(net.runUntil(() -> net.b.received.size() == warm.length, 10_000 * MS));
        net.runFor(1_000 * MS);
        return net;
    }

    /** Drops the first {@code times} transmissions of each segment starting at one of {@code seqs}. */
    private static void dropTransmissions(TestNet net, Set<Integer> seqs, int times) {
        java.util.Map<Integer, Integer> transmissions = new java.util.HashMap<>();
        net.dropFilter = x -> x.payloadLength() > 0 && seqs.contains(x.seq) && transmissions.merge(x.seq, 1, Integer::sum) <= times;
    }

    /** Sends {@code segments} segments of fresh data from A to B and waits for all of it. */
    private static void transfer(TestNet net, long seed, int segments) {
        byte[] data = TestNet.randomBytes(new SplittableRandom(seed), segments * net.a.conn.maxSegmentPayload());
        net.b.received.reset();
        net.a.toSend = data;
        net.a.sendPos = 0;
        assertTrue(net.runUntil(() -> net.b.received.size() == data.length, 20_000 * MS), net::describe);
        assertArrayEquals(data, net.b.received.toByteArray());
    }

    /**
     * The fast retransmission is lost too: new data sent after it arrives and is SACKed, so it
     * was overtaken and goes again at once, as Linux's RACK does. Before, only the timeout
     * (backed off, and never reset by Karn's rule on a lossy link) repaired it.
     */
    @Test
    void aLostFastRetransmissionOvertakenByNewDataIsResentWithoutATimeout() {
        TestNet net = warmSackConnection(59);
        int mss = net.a.conn.maxSegmentPayload();
        dropTransmissions(net, Set.of(net.a.conn.sndNxt() + 5 * mss), 2);
        long retransmitsBefore = net.a.conn.stats().retransmits;
        transfer(net, 60, 1000); // more than one window: new data follows the fast retransmission
        TcpStats st = net.a.conn.stats();
        assertEquals(0, st.timeouts);
        assertEquals(1, st.lostRetransmissions);
        assertEquals(2, st.retransmits - retransmitsBefore, "the lost segment twice, nothing else");
    }

    /** With no new data to follow, a later retransmission that arrives shows an earlier one was lost. */
    @Test
    void aLostRetransmissionOvertakenByALaterOneIsResentWithoutATimeout() {
        TestNet net = warmSackConnection(61);
        int mss = net.a.conn.maxSegmentPayload();
        int first = net.a.conn.sndNxt();
        java.util.Map<Integer, Integer> transmissions = new java.util.HashMap<>();
        // Segment 3 loses its first two transmissions; segment 20 only its first, so its
        // retransmission (sent after segment 3's) arrives.
        net.dropFilter = x -> x.payloadLength() > 0 && (x.seq == first + 3 * mss || x.seq == first + 20 * mss)
                && transmissions.merge(x.seq, 1, Integer::sum) <= (x.seq == first + 3 * mss ? 2 : 1);
        transfer(net, 62, 40);
        TcpStats st = net.a.conn.stats();
        assertEquals(0, st.timeouts);
        assertEquals(1, st.lostRetransmissions);
    }

    /**
     * A receiver may drop data it SACKed (Linux does under memory pressure; a backup taking over
     * drops what the primary SACKed but never logged): its cumulative ACK then stops where the
     * SACKed data began. A timeout soon after forgets the scoreboard and resends it all; skipping
     * what was SACKed would wait for good.
     */
    @Test
    void aPeerThatDropsWhatItSackedIsResentEverythingAfterTheTimeout() {
        TestNet net = TestNet.sackingPairWithScriptedB(58); // B's answers are scripted below
        TcpConnection a = net.a.conn;
        int mss = a.maxSegmentPayload();
        int una = a.sndUna();
        a.write(java.nio.ByteBuffer.wrap(new byte[10 * mss]), net.now);
        assertEquals(una + 10 * mss, a.sndMax());
        TcpSegment s = new TcpSegment();
        net.ackToA(s, una, una + 2 * mss, una + 10 * mss); // segments 0 and 1 lost, the rest SACKed
        net.ackToA(s, una + 2 * mss, una + 2 * mss, una + 10 * mss); // then 0 and 1 arrive, but the ACK stops at the SACKed data
        long renegedAt = net.now;
        int mark = net.a.sent.size();
        net.runFor(10_000 * MS);
        assertEquals(1, a.stats().sackRenegings);
        long firstResend = -1;
        Set<Integer> resent = new HashSet<>();
        for (int i = mark; i < net.a.sent.size(); i++) {
            TcpSegment x = net.a.sent.get(i);
            if (x.payloadLength() == 0) continue;
            resent.add(x.seq);
            if (firstResend < 0) firstResend = net.a.sentTimes.get(i);
        }
        assertTrue(resent.contains(una + 2 * mss), "the dropped data is resent from where the ACK stopped: " + resent);
        // As Linux: the timeout comes after max(srtt/16, 10 ms), not after a whole (200 ms or more) RTO.
        assertTrue(firstResend - renegedAt <= 20 * MS, "resent " + (firstResend - renegedAt) / MS + " ms after the reneging ACK");
    }

    /**
     * After a timeout no fast recovery starts until everything sent before it is acknowledged
     * (RFC 6582 4.1's recover, RFC 6675 5.1's RecoveryPoint). Only snd.nxt != snd.max held it off,
     * and going back N now skips what the peer SACKed, so snd.nxt reaches snd.max as soon as the
     * holes are resent: one duplicate ACK then entered recovery with NewReno's ssthresh half the
     * flight (mostly SACKed), lifting cwnd from the few segments of slow start to half the flight
     * at once, and a burst of new data left in one go.
     */
    @Test
    void noFastRecoveryBeforeTheDataOutstandingAtATimeoutIsAcknowledged() {
        TcpConfig d = TcpConfig.defaults().withOptions(true, false, true);
        TcpConfig sender = new TcpConfig(d.mss(), d.receiveBuffer(), d.sendBuffer(), true, false, true, TcpConfig.CongestionControl.NEWRENO, 1000,
                d.nagle(), d.delayedAck(), d.initialRto(), d.minRto(), d.maxRto(), d.synRetries(), d.dataRetries(),
                d.keepaliveIdle(), d.keepaliveInterval(), d.keepaliveProbes(), d.timeWait());
        TestNet net = new TestNet(63, sender, d);
        assertTrue(net.handshake());
        net.b.conn.sendAck(net.now); // its scaled window
        net.runFor(10 * MS);
        net.partitioned = true; // B's answers are scripted
        TcpConnection a = net.a.conn;
        int mss = a.maxSegmentPayload();
        int una = a.sndUna();
        a.write(java.nio.ByteBuffer.wrap(new byte[100 * mss]), net.now);
        assertEquals(una + 100 * mss, a.sndMax());
        TcpSegment s = new TcpSegment();
        // Segments 0 and 50 are lost, and so are their fast retransmissions: the timer fires.
        net.ackToA(s, una, una + mss, una + 50 * mss, una + 51 * mss, una + 100 * mss);
        assertTrue(net.runUntil(() -> a.stats().timeouts == 1, 10_000 * MS));
        a.write(java.nio.ByteBuffer.wrap(new byte[100 * mss]), net.now); // more to send
        net.ackToA(s, una + 50 * mss, una + 51 * mss, una + 100 * mss); // segment 0 arrived; 50 is resent
        assertEquals(a.sndMax(), a.sndNxt(), "the holes are resent");
        long cwnd = a.cwnd();
        int mark = net.a.sent.size();
        net.ackToA(s, una + 50 * mss, una + 51 * mss, una + 100 * mss); // a duplicate
        long sent = net.a.sent.subList(mark, net.a.sent.size()).stream().filter(x -> x.payloadLength() > 0).count();
        assertFalse(a.inRecovery(), "no fast recovery before snd.una passes what was outstanding at the timeout (cwnd "
                + cwnd / mss + " -> " + a.cwnd() / mss + " segments, " + sent + " sent at once)");
        assertTrue(a.cwnd() <= cwnd, "cwnd " + cwnd / mss + " -> " + a.cwnd() / mss + " segments");
        assertTrue(sent * mss <= cwnd, sent + " segments sent at once with cwnd " + cwnd / mss);
    }

    /**
     * Going back N after a timeout skips what the peer SACKed up to snd.max. Whether the peer's
     * SACK covered the FIN too (as a Linux receiver's does for an out-of-order segment carrying
     * it) or stopped before it (the FIN lost), the FIN is acknowledged in the end, never skipped.
     */
    @Test
    void goingBackOverSackedDataToTheFinStillDeliversTheFin() {
        for (boolean finSacked : new boolean[] {true, false}) {
            TestNet net = TestNet.sackingPairWithScriptedB(64); // B's answers are scripted
            TcpConnection a = net.a.conn;
            int mss = a.maxSegmentPayload();
            int una = a.sndUna();
            a.write(java.nio.ByteBuffer.wrap(new byte[9 * mss]), net.now); // the FIN fits the initial window too
            a.shutdownOutput(net.now);
            int dataEnd = una + 9 * mss;
            assertEquals(dataEnd + 1, a.sndMax(), "data and FIN sent");
            TcpSegment s = new TcpSegment();
            // Segment 0 is lost (and its fast retransmission); the rest arrived, the FIN perhaps.
            net.ackToA(s, una, una + mss, finSacked ? dataEnd + 1 : dataEnd);
            assertTrue(net.runUntil(() -> a.stats().timeouts == 1, 10_000 * MS));
            net.ackToA(s, finSacked ? dataEnd + 1 : dataEnd); // segment 0 arrived
            if (!finSacked) {
                assertTrue(net.runUntil(() -> net.a.sent.getLast().has(TcpSegment.FIN), 10_000 * MS), "the FIN is resent");
                assertEquals(dataEnd, net.a.sent.getLast().seq);
                net.ackToA(s, dataEnd + 1);
            }
            assertEquals(TcpState.FIN_WAIT_2, a.state(), "FIN sacked: " + finSacked);
        }
    }

    @Test
    void sackBlocksReportMostRecentFirst() {
        TestNet net = new TestNet(54, TcpConfig.defaults().withNagle(false));
        assertTrue(net.handshake());
        int mss = net.a.conn.maxSegmentPayload();
        int first = net.a.conn.sndNxt();
        dropFirstTransmissions(net, first, mss, 0, 2, 4, 6);
        net.a.toSend = new byte[8 * mss];
        net.runFor(5 * MS); // one-way delay 1 ms: the window's segments arrive, nothing is repaired yet
        // After segments 1,3,5,7 arrived out of order, the last duplicate ACK lists 7 first, then 5, 3.
        TcpSegment lastDup = null;
        for (TcpSegment s : net.b.sent) if (s.ack == first && s.sackBlockCount > 0) lastDup = s;
        assertNotNull(lastDup);
        assertEquals(3, lastDup.sackBlockCount, "three blocks fit next to timestamps");
        assertEquals(first + 7 * mss, lastDup.sackLeft[0]);
        assertEquals(first + 5 * mss, lastDup.sackLeft[1]);
        assertEquals(first + 3 * mss, lastDup.sackLeft[2]);
        assertTrue(net.runUntil(() -> net.b.received.size() == 8 * mss, 5_000 * MS));
    }

    @Test
    void congestionWindowHalvesOrShrinksByBetaOnLoss() {
        for (TcpConfig.CongestionControl kind : TcpConfig.CongestionControl.values()) {
            TestNet net = new TestNet(55, TcpConfig.defaults().withCongestionControl(kind));
            net.delay = 10 * MS;
            assertTrue(net.handshake());
            int mss = net.a.conn.maxSegmentPayload();
            net.a.toSend = new byte[200 * mss];
            assertTrue(net.runUntil(() -> net.b.received.size() == 200 * mss, 10_000 * MS));
            long cwnd = net.a.conn.cwnd();
            int first = net.a.conn.sndNxt();
            dropFirstTransmissions(net, first, mss, 1);
            net.a.toSend = new byte[400 * mss];
            net.a.sendPos = 0;
            net.b.received.reset();
            long[] before = {0, 0};
            assertTrue(net.runUntil(() -> {
                if (!net.a.conn.inRecovery() && before[1] == 0) before[0] = net.a.conn.cwnd();
                else if (net.a.conn.inRecovery() && before[1] == 0) before[1] = net.a.conn.ssthresh();
                return net.b.received.size() == 400 * mss;
            }, 10_000 * MS));
            assertTrue(before[1] > 0, kind + " entered recovery");
            assertTrue(cwnd >= 20L * mss, kind + " cwnd grew: " + cwnd);
            double ratio = (double) before[1] / before[0];
            if (kind == TcpConfig.CongestionControl.CUBIC) assertEquals(0.7, ratio, 0.01, "CUBIC beta");
            else assertEquals(0.5, ratio, 0.06, "NewReno halves");
        }
    }
}
