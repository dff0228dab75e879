package io.fttcp.stack.tcp;

import static io.fttcp.stack.tcp.TestNet.MS;
import static org.junit.jupiter.api.Assertions.*;

import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Random and adversarial segments never throw and never break the connection's invariants. */
class TcpGarbageInputTest {

    private static TcpSegment randomSegment(SplittableRandom r, TcpConnection c) {
        TcpSegment s = new TcpSegment();
        int near = r.nextBoolean() ? c.rcvNxt() : c.sndUna();
        s.seq = r.nextInt(4) == 0 ? r.nextInt() : near + r.nextInt(-70_000, 70_000);
        s.ack = r.nextInt(4) == 0 ? r.nextInt() : c.sndUna() + r.nextInt(-70_000, 70_000);
        s.flags = r.nextInt(256);
        s.window = r.nextInt(65536);
        s.mss = r.nextInt(3) == 0 ? r.nextInt(-1, 70_000) : -1;
        s.windowScale = r.nextInt(3) == 0 ? r.nextInt(-1, 20) : -1;
        s.sackPermitted = r.nextBoolean();
        s.hasTimestamp = r.nextBoolean();
        s.tsVal = r.nextBoolean() ? c.tsRecent() + r.nextInt(-10, 1000) : r.nextInt();
        s.tsEcr = r.nextInt();
        s.sackBlockCount = r.nextInt(TcpSegment.MAX_SACK_BLOCKS + 1);
        for (int i = 0; i < s.sackBlockCount; i++) {
            s.sackLeft[i] = c.sndUna() + r.nextInt(-100_000, 100_000);
            s.sackRight[i] = r.nextBoolean() ? s.sackLeft[i] + r.nextInt(5000) : r.nextInt();
        }
        if (r.nextBoolean()) {
            byte[] p = new byte[r.nextInt(3000)];
            int off = p.length == 0 ? 0 : r.nextInt(p.length);
            s.payload = ByteBuffer.wrap(p, off, p.length - off);
        }
        return s;
    }

    @Test
    void randomSegmentsAgainstLiveConnections() {
        long base = 8080;
        for (int i = 0; i < 80; i++) {
            long seed = base + i;
            SplittableRandom r = new SplittableRandom(seed);
            TestNet net = new TestNet(seed, TcpRandomTransferPropertyTest.randomConfig(r));
            net.recordSent = false;
            net.a.toSend = TestNet.randomBytes(r, r.nextInt(100_000));
            net.b.toSend = TestNet.randomBytes(r, r.nextInt(100_000));
            net.a.connect();
            net.runFor(r.nextInt(50) * MS);
            for (int k = 0; k < 300; k++) {
                TestNet.Endpoint e = r.nextBoolean() ? net.a : net.b;
                if (e.conn == null) continue;
                TcpSegment g = randomSegment(r, e.conn);
                try {
                    e.conn.onSegment(g, net.now);
                    e.pump();
                } catch (RuntimeException ex) {
                    throw new AssertionError("seed " + seed + " segment " + g, ex);
                }
                TcpConnection c = e.conn;
                assertTrue(Seq.le(c.sndUna(), c.sndNxt()) && Seq.le(c.sndNxt(), c.sndMax()), "seed " + seed + " " + c);
                if (r.nextInt(10) == 0) net.runFor(r.nextInt(20) * MS);
            }
            net.runFor(2_000 * MS);
        }
    }

    /**
     * A sender with 1 MiB in flight to a receiver that answers by hand ({@link #ack}): no
     * timestamps, so 4 SACK blocks fit in an ACK.
     */
    /**
     * From the top of what A has in flight down, ACKs of snd.una that SACK every other segment, four
     * a time (what any client can send); returns the segments SACKed, as indexes from snd.una.
     */
    private static java.util.List<Integer> sackEveryOtherSegmentFromTheTop(TestNet net) {
        TcpConnection a = net.a.conn;
        int mss = a.maxSegmentPayload();
        int una = a.sndUna();
        int segments = (a.sndMax() - una) / mss;
        TcpSegment s = new TcpSegment();
        java.util.List<Integer> sacked = new java.util.ArrayList<>();
        for (int k = segments - 1; k >= 7; k -= 8) {
            int[] blocks = new int[8];
            for (int j = 0; j < 4; j++) {
                blocks[2 * j] = una + (k - 2 * j) * mss;
                blocks[2 * j + 1] = una + (k - 2 * j + 1) * mss;
                sacked.add(k - 2 * j);
            }
            net.ackToA(s, una, blocks);
        }
        return sacked;
    }

    private static TestNet megabyteInFlight(long seed) {
        TcpConfig d = TcpConfig.defaults().withOptions(true, false, true);
        // An initial window of 1000 segments only puts 1 MiB in flight at once; a real peer gets there by ACKing normally first.
        TcpConfig sender = new TcpConfig(d.mss(), d.receiveBuffer(), d.sendBuffer(), true, false, true, d.congestionControl(), 1000,
                d.nagle(), d.delayedAck(), d.initialRto(), d.minRto(), d.maxRto(), d.synRetries(), d.dataRetries(),
                d.keepaliveIdle(), d.keepaliveInterval(), d.keepaliveProbes(), d.timeWait());
        TestNet net = new TestNet(seed, sender, d);
        assertTrue(net.handshake());
        net.b.conn.sendAck(net.now); // its scaled 4 MiB window
        net.runFor(10 * MS);
        net.partitioned = true;
        net.a.conn.write(ByteBuffer.wrap(new byte[1 << 20]), net.now);
        assertTrue(net.a.conn.sndMax() - net.a.conn.sndUna() >= 1_000_000, "in flight: " + (net.a.conn.sndMax() - net.a.conn.sndUna()));
        return net;
    }

    /**
     * A receiver (any client downloading something) that SACKs every other byte of what is in
     * flight made the sender's scoreboard one range per two bytes, every operation on it linear:
     * quadratic CPU under the host's lock (20,000 such ACKs took 3.8 s). Now the scoreboard holds
     * at most one range per segment in flight; further blocks are counted and ignored.
     */
    @Test
    void sackFloodIsBoundedBySegmentsInFlight() {
        TestNet net = megabyteInFlight(82);
        TcpConnection a = net.a.conn;
        int una = a.sndUna();
        int flight = a.sndMax() - una;
        TcpSegment s = new TcpSegment();
        for (int j = 0; j < 20_000; j += 4) {
            int x = una + 2 * j + 1;
            net.ackToA(s, una, x, x + 1, x + 2, x + 3, x + 4, x + 5, x + 6, x + 7);
        }
        assertTrue(a.sackRanges() <= flight / a.maxSegmentPayload() + 1, "scoreboard ranges: " + a.sackRanges());
        assertEquals(20_000 - a.sackRanges(), a.stats().sackBlocksIgnored);
        net.ackToA(s, a.sndMax()); // an honest acknowledgement of everything still ends it all
        assertEquals(a.sndMax(), a.sndUna());
        assertEquals(0, a.sackRanges());
        assertEquals(TcpState.ESTABLISHED, a.state());
    }

    /**
     * SACK blocks that split our segments leave holes of a byte or two: the recovery sent one
     * segment per hole, each a byte long (a flood of tiny segments a receiver can ask for). Now
     * a hole goes out as a whole segment from its start, as Linux resends whole buffers.
     */
    @Test
    void tinySackHolesAreRetransmittedAsWholeSegments() {
        TestNet net = megabyteInFlight(83);
        TcpConnection a = net.a.conn;
        int mss = a.maxSegmentPayload();
        int una = a.sndUna();
        int mark = net.a.sent.size();
        TcpSegment s = new TcpSegment();
        // The second segment comes back as 200 one-byte holes between SACKed bytes, then a 1048-byte hole...
        for (int j = 0; j < 200; j += 4) {
            int x = una + mss + 2 * j + 1;
            net.ackToA(s, una, x, x + 1, x + 2, x + 3, x + 4, x + 5, x + 6, x + 7);
        }
        // ...and everything after it arrived: all below is lost.
        net.ackToA(s, una, una + 2 * mss, a.sndMax());
        assertEquals(0, a.stats().sackBlocksIgnored);
        var sent = net.a.sent.subList(mark, net.a.sent.size()).stream().filter(x -> x.payloadLength() > 0).toList();
        assertEquals(2, sent.size(), "the first segment (fast retransmit) and the second, once: " + sent.size() + " segments");
        assertEquals(una, sent.get(0).seq);
        assertEquals(una + mss, sent.get(1).seq);
        assertTrue(sent.stream().allMatch(x -> x.payloadLength() == mss), sent::toString);
    }

    /**
     * A receiver that SACKs, from the top down, every other segment of what is in flight (what
     * any client can send) made the sender resend nearly every outstanding retransmission on
     * each ACK: a SACK of a range retransmitted later than others counted as that
     * retransmission's arrival (it may be the original's), so all earlier ones were marked lost,
     * sent again, and marked lost again by the next ACK: 89 such ACKs drew 22,101
     * retransmissions of a 718-segment flight. Now a retransmission found lost is sent again
     * once; if that is lost too, the timer repairs it.
     */
    @Test
    void sackingOlderSegmentsLastCannotMultiplyRetransmissions() {
        TestNet net = megabyteInFlight(84);
        TcpConnection a = net.a.conn;
        int segments = (a.sndMax() - a.sndUna()) / a.maxSegmentPayload();
        int acks = sackEveryOtherSegmentFromTheTop(net).size() / 4;
        long retransmits = a.stats().retransmits;
        assertTrue(retransmits <= 2L * segments,
                retransmits + " retransmissions of " + segments + " segments in flight, drawn by " + acks + " ACKs");
        assertEquals(TcpState.ESTABLISHED, a.state());
    }

    /**
     * A peer that SACKs the data at snd.una but never acknowledges it looks like one that reneged
     * (its ACK stops where SACKed data begins), and the timeout brought forward for that spent no
     * retry and did not back off: the connection resent every 10 ms for good and never timed
     * out. A reneging timeout counts as a retry (still without backing off).
     */
    @Test
    void aPeerThatSacksButNeverAcknowledgesSndUnaStillTimesOut() {
        TestNet net = TestNet.sackingPairWithScriptedB(85); // B's answers are scripted
        TcpConnection a = net.a.conn;
        int una = a.sndUna();
        int mss = a.maxSegmentPayload();
        a.write(ByteBuffer.wrap(new byte[mss]), net.now);
        TcpSegment s = new TcpSegment();
        long limit = net.now + 3_600_000 * MS;
        int answered = 0;
        while (a.state() != TcpState.CLOSED && net.now < limit) {
            if (net.a.sent.size() > answered) { // each transmission is answered: SACKed, not acknowledged
                answered = net.a.sent.size();
                net.ackToA(s, una, una, una + mss);
                continue;
            }
            net.now = Math.max(net.now, a.nextDeadline());
            a.onTimer(net.now);
        }
        assertEquals(TcpState.CLOSED, a.state(), "after an hour, " + a.stats().retransmits + " retransmissions");
        assertEquals(CloseReason.TIMED_OUT, net.a.closed);
    }

    /**
     * Every ACK made the retransmission ledger look up each of its entries in the scoreboard:
     * with thousands of retransmissions outstanding (a receiver SACKing every other segment of a
     * large flight) a duplicate ACK cost some 100 us, a hundred times what it did without the
     * ledger, the cost the SACK-flood bound above had removed. An ACK that changes neither
     * snd.una nor the scoreboard now leaves the ledger alone.
     */
    @Test
    void duplicateAcksDoNotWalkTheRetransmissionLedger() {
        TestNet net = megabyteInFlight(86);
        TcpConnection a = net.a.conn;
        int mss = a.maxSegmentPayload();
        int una = a.sndUna();
        int segments = (a.sndMax() - una) / mss;
        TcpSegment s = new TcpSegment();
        java.util.List<Integer> sacked = sackEveryOtherSegmentFromTheTop(net);
        assertTrue(a.retransmissionsRecorded() >= segments / 4, "retransmissions outstanding: " + a.retransmissionsRecorded());
        long passes = a.retransmissionLedgerPasses();
        long started = System.nanoTime();
        for (int i = 0; i < 20_000; i++) {
            int k = sacked.get(i % sacked.size());
            net.ackToA(s, una, una + k * mss, una + (k + 1) * mss); // SACKed already
        }
        long micros = (System.nanoTime() - started) / 1000;
        assertEquals(passes, a.retransmissionLedgerPasses(), "20,000 duplicate ACKs took " + micros / 1000 + " ms");
    }

    @Test
    void tinyOutOfOrderFloodIsBounded() {
        TcpConfig cfg = TcpConfig.defaults().withBuffers(1 << 20, 1 << 20);
        TestNet net = new TestNet(81, cfg);
        assertTrue(net.handshake());
        TcpConnection a = net.a.conn;
        int base = a.rcvNxt();
        for (int i = 0; i < 100_000; i++) {
            TcpSegment s = new TcpSegment();
            s.flags = TcpSegment.ACK;
            s.seq = base + 2 + 2 * i;
            s.ack = a.sndNxt();
            s.window = 1000;
            s.hasTimestamp = true;
            s.tsVal = a.tsRecent();
            s.payload = ByteBuffer.wrap(new byte[1]);
            a.onSegment(s, net.now);
        }
        assertTrue(a.stats().outOfOrderSegments <= (1 << 20) / 512, "held " + a.stats().outOfOrderSegments);
        assertTrue(a.stats().invalidSegments > 90_000);
        assertEquals(TcpState.ESTABLISHED, a.state());
        assertEquals(0, a.readableBytes());
    }
}
