package io.fttcp.stack.tcp;

import static io.fttcp.stack.tcp.TestNet.MS;
import static org.junit.jupiter.api.Assertions.*;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TcpRepairTest {

    /** Replaces an endpoint's connection by one restored from its checkpoint; the old object is dropped. */
    private static TcpCheckpoint swap(TestNet net, TestNet.Endpoint e) {
        TcpCheckpoint cp = e.conn.checkpoint(net.now);
        e.conn = TcpConnection.restore(e.config, cp, net.now, e, e);
        return cp;
    }

    @Test
    void checkpointMidTransferBothDirectionsThenRestore() {
        SplittableRandom r = new SplittableRandom(61);
        TestNet net = new TestNet(61, TcpConfig.defaults().withBuffers(4 << 20, 512 << 10));
        net.delay = 5 * MS;
        byte[] up = TestNet.randomBytes(r, 3_000_000), down = TestNet.randomBytes(r, 2_000_000);
        net.a.toSend = up;
        net.b.toSend = down;
        net.a.shutdownWhenDone = net.b.shutdownWhenDone = true;
        net.a.autoRead = false; // leave unread data in A's receive queue
        net.a.connect();
        assertTrue(net.runUntil(() -> net.b.received.size() > 500_000 && net.a.conn.readableBytes() > 100_000, 10_000 * MS));
        assertTrue(net.a.conn.sndMax() != net.a.conn.sndUna(), "data in flight at the checkpoint");
        TcpConnection old = net.a.conn;
        TcpCheckpoint cp = swap(net, net.a);
        assertNotSame(old, net.a.conn);
        assertEquals(TcpState.ESTABLISHED, cp.state());
        assertTrue(cp.receiveQueue().length > 100_000);
        assertTrue(cp.sendQueue().length >= cp.sndNxt() - cp.sndUna());
        assertEquals(2, net.a.established);
        net.a.autoRead = true;
        assertTrue(net.runUntil(() -> net.a.eof && net.b.eof, 60_000 * MS), net::describe);
        assertArrayEquals(up, net.b.received.toByteArray());
        assertArrayEquals(down, net.a.received.toByteArray());
        assertTrue(net.runUntil(() -> net.a.closed != null && net.b.closed != null, 300_000 * MS));
        assertEquals(CloseReason.CLOSED, net.a.closed);
    }

    @Test
    void restoredConnectionRetransmitsWhenItsTimerFiresAfterLosingEverythingInFlight() {
        SplittableRandom r = new SplittableRandom(62);
        TestNet net = new TestNet(62, TcpConfig.defaults());
        net.delay = 5 * MS;
        byte[] up = TestNet.randomBytes(r, 2_000_000), down = TestNet.randomBytes(r, 2_000_000);
        net.a.toSend = up;
        net.b.toSend = down;
        net.a.connect();
        assertTrue(net.runUntil(() -> net.b.received.size() > 700_000 && net.a.received.size() > 700_000, 10_000 * MS));
        swap(net, net.a);
        net.queue.clear(); // the old host died with its packets
        long t = net.now;
        assertTrue(net.runUntil(() -> net.b.received.size() == up.length && net.a.received.size() == down.length, 60_000 * MS), net::describe);
        assertArrayEquals(up, net.b.received.toByteArray());
        assertArrayEquals(down, net.a.received.toByteArray());
        assertTrue(net.a.conn.stats().timeouts >= 1 || net.b.conn.stats().timeouts >= 1);
        assertTrue(net.now - t > 0);
    }

    @Test
    void retransmitNowAndSendAckResumeWithoutWaitingForTimers() {
        SplittableRandom r = new SplittableRandom(63);
        TestNet net = new TestNet(63, TcpConfig.defaults().withNagle(false));
        net.delay = 5 * MS;
        byte[] up = TestNet.randomBytes(r, 1_000_000);
        net.a.toSend = up;
        net.a.connect();
        assertTrue(net.runUntil(() -> net.b.received.size() > 300_000, 10_000 * MS));
        swap(net, net.a);
        net.queue.clear();
        int mark = net.a.sent.size();
        net.a.conn.retransmitNow(net.now);
        net.a.conn.sendAck(net.now);
        assertTrue(net.a.sent.size() > mark + 1);
        assertEquals(net.a.conn.sndUna(), net.a.sent.get(mark).seq, "first resend starts at snd.una");
        assertTrue(net.a.sent.get(mark).payloadLength() > 0);
        TcpSegment ack = net.a.sent.getLast();
        assertEquals(0, ack.payloadLength());
        assertTrue(net.runUntil(() -> net.b.received.size() == up.length, 150 * MS), "done well before any RTO: " + net.describe());
        assertArrayEquals(up, net.b.received.toByteArray());
        assertEquals(0, net.a.conn.stats().timeouts);
    }

    /**
     * A takeover's restored connection resends what the previous incarnation may have sent; to a
     * peer without SACK or timestamps a loss among those bytes must still be repaired by fast
     * retransmit, not by a timeout. Sent as retransmissions, they left RFC 6582's recover point at
     * the end of the queue (no fast retransmit below it) and gave Karn no RTT sample: every loss
     * waited for a backed-off timeout, and a failover simulation's client stalled for minutes.
     */
    @Test
    void aRestoredConnectionRepairsALossByFastRetransmitForAPeerWithoutSackOrTimestamps() {
        SplittableRandom r = new SplittableRandom(66);
        TestNet net = new TestNet(66, TcpConfig.defaults().withOptions(true, false, false).withNagle(false));
        net.delay = 5 * MS;
        byte[] up = TestNet.randomBytes(r, 1_000_000);
        net.a.toSend = up;
        net.a.connect();
        assertTrue(net.runUntil(() -> net.b.received.size() > 300_000, 10_000 * MS));
        TcpCheckpoint cp = swap(net, net.a);
        net.queue.clear(); // what was in flight is lost with the old incarnation
        int peerHolds = net.b.conn.rcvNxt();
        assertTrue(cp.sndNxt() - peerHolds > 10 * 1448, "much sent that the peer does not hold: " + (cp.sndNxt() - peerHolds));
        // Lose (once) a segment the restored connection sends past the peer's holdings but below
        // what the old incarnation sent: the restored one may have sent it too.
        int lost = peerHolds + 5 * 1448;
        boolean[] dropped = {false};
        net.dropFilter = s -> s.payloadLength() > 0 && Seq.le(s.seq, lost) && Seq.gt(s.seq + s.payloadLength(), lost) && !dropped[0] && (dropped[0] = true);
        net.a.conn.retransmitNow(net.now);
        assertTrue(net.runUntil(() -> net.b.received.size() == up.length, 10_000 * MS), net::describe);
        assertTrue(dropped[0], "the chosen segment was sent (and lost)");
        assertArrayEquals(up, net.b.received.toByteArray());
        assertEquals(0, net.a.conn.stats().timeouts, "repaired by fast retransmit, without a timeout: " + net.describe());
        assertTrue(net.a.conn.stats().fastRetransmits >= 1);
    }

    @Test
    void restoreRejectsInconsistentCheckpoints() {
        TestNet net = new TestNet(64, TcpConfig.defaults());
        assertTrue(net.handshake());
        TcpCheckpoint cp = net.a.conn.checkpoint(net.now);
        TcpCheckpoint badState = new TcpCheckpoint(cp.tuple(), TcpState.SYN_SENT, cp.iss(), cp.irs(), cp.sndUna(), cp.sndNxt(), cp.sndWnd(), cp.sndWl1(), cp.sndWl2(),
                cp.rcvNxt(), cp.rcvWnd(), cp.sndWindowShift(), cp.rcvWindowShift(), cp.sendMss(), cp.sackEnabled(), cp.timestampsEnabled(), cp.tsOffset(), cp.tsRecent(),
                cp.sendQueue(), cp.finQueued(), cp.receiveQueue(), cp.finReceived(), cp.nagle(), cp.keepalive());
        assertThrows(IllegalArgumentException.class, () -> TcpConnection.restore(TcpConfig.defaults(), badState, net.now, net.a, net.a));
        TcpCheckpoint badFlight = new TcpCheckpoint(cp.tuple(), cp.state(), cp.iss(), cp.irs(), cp.sndUna(), cp.sndNxt() + 10, cp.sndWnd(), cp.sndWl1(), cp.sndWl2(),
                cp.rcvNxt(), cp.rcvWnd(), cp.sndWindowShift(), cp.rcvWindowShift(), cp.sendMss(), cp.sackEnabled(), cp.timestampsEnabled(), cp.tsOffset(), cp.tsRecent(),
                cp.sendQueue(), cp.finQueued(), cp.receiveQueue(), cp.finReceived(), cp.nagle(), cp.keepalive());
        assertThrows(IllegalArgumentException.class, () -> TcpConnection.restore(TcpConfig.defaults(), badFlight, net.now, net.a, net.a));
        TcpConnection fresh = TcpConnection.connect(TcpConfig.defaults(), cp.tuple(), 1, net.now, (c, s) -> { }, TcpEvents.NONE);
        assertThrows(IllegalStateException.class, () -> fresh.checkpoint(net.now));
    }

    @Test
    void checkpointRoundTripPreservesEverything() {
        SplittableRandom r = new SplittableRandom(65);
        TestNet net = new TestNet(65, TcpConfig.defaults());
        net.a.autoRead = false;
        net.b.toSend = TestNet.randomBytes(r, 50_000);
        net.a.toSend = TestNet.randomBytes(r, 300_000);
        net.a.connect();
        net.runFor(7 * MS);
        TcpCheckpoint cp1 = net.a.conn.checkpoint(net.now);
        TcpConnection copy = TcpConnection.restore(TcpConfig.defaults(), cp1, net.now, (c, s) -> fail("restore must not send"), TcpEvents.NONE);
        TcpCheckpoint cp2 = copy.checkpoint(net.now);
        assertEquals(cp1.state(), cp2.state());
        assertEquals(cp1.sndUna(), cp2.sndUna());
        assertEquals(cp1.sndNxt(), cp2.sndNxt());
        assertEquals(cp1.rcvNxt(), cp2.rcvNxt());
        assertEquals(cp1.rcvWnd(), cp2.rcvWnd());
        assertEquals(cp1.tsOffset(), cp2.tsOffset());
        assertEquals(cp1.tsRecent(), cp2.tsRecent());
        assertEquals(cp1.sendMss(), cp2.sendMss());
        assertTrue(Arrays.equals(cp1.sendQueue(), cp2.sendQueue()));
        assertTrue(Arrays.equals(cp1.receiveQueue(), cp2.receiveQueue()));
        assertEquals(cp1.sndWindowShift(), cp2.sndWindowShift());
    }

    /** Seeded: random moment, random side(s), random loss; covers restores in every closing state too. */
    @Test
    void randomCheckpointRestoreDuringTransfers() {
        long base = Long.getLong("tcp.property.seed", 7070L);
        int cases = Integer.getInteger("tcp.repair.cases", 200);
        int[] statesSeen = new int[TcpState.values().length];
        for (int i = 0; i < cases; i++) {
            long seed = base + i;
            SplittableRandom r = new SplittableRandom(seed);
            TestNet net = new TestNet(seed, TcpRandomTransferPropertyTest.randomConfig(r), TcpRandomTransferPropertyTest.randomConfig(r));
            net.recordSent = false;
            net.loss = r.nextInt(2) == 0 ? 0 : r.nextDouble() * 0.05;
            net.delay = (1 + r.nextInt(10)) * MS;
            byte[] up = TestNet.randomBytes(r, r.nextInt(200_000)), down = TestNet.randomBytes(r, r.nextInt(200_000));
            net.a.toSend = up;
            net.b.toSend = down;
            net.a.shutdownWhenDone = net.b.shutdownWhenDone = true;
            net.a.connect();
            String where = "seed " + seed;
            int swaps = 1 + r.nextInt(3);
            for (int k = 0; k < swaps; k++) {
                net.runFor(r.nextInt(2_000) * MS);
                for (TestNet.Endpoint e : new TestNet.Endpoint[] {net.a, net.b}) {
                    if (e.conn == null || !r.nextBoolean()) continue;
                    TcpState st = e.conn.state();
                    if (st == TcpState.SYN_SENT || st == TcpState.SYN_RECEIVED || st == TcpState.CLOSED) continue;
                    statesSeen[st.ordinal()]++;
                    swap(net, e);
                    if (r.nextBoolean()) net.queue.removeIf(p -> p.to() == e.peer);
                    if (r.nextBoolean()) e.conn.retransmitNow(net.now);
                }
            }
            assertTrue(net.runUntil(() -> net.a.eof && net.b.eof, 3_000_000 * MS), where + "\n" + net.describe());
            assertTrue(Arrays.equals(up, net.b.received.toByteArray()), where);
            assertTrue(Arrays.equals(down, net.a.received.toByteArray()), where);
            assertTrue(net.runUntil(() -> net.a.closed != null && net.b.closed != null, 3_000_000 * MS), where + "\n" + net.describe());
        }
        assertTrue(statesSeen[TcpState.ESTABLISHED.ordinal()] > 0);
        assertTrue(statesSeen[TcpState.TIME_WAIT.ordinal()] + statesSeen[TcpState.FIN_WAIT_2.ordinal()] + statesSeen[TcpState.CLOSE_WAIT.ordinal()] > 0,
                Arrays.toString(statesSeen));
    }

    @Test
    void timestampClockMustContinueAfterRestore() {
        for (int shiftMs : new int[] {-100_000, 100_000}) {
            SplittableRandom r = new SplittableRandom(66);
            TestNet net = new TestNet(66, TcpConfig.defaults().withRetries(6, 3));
            byte[] up = TestNet.randomBytes(r, 400_000);
            net.a.toSend = up;
            net.a.connect();
            assertTrue(net.runUntil(() -> net.b.received.size() > 100_000, 10_000 * MS));
            TcpCheckpoint cp = net.a.conn.checkpoint(net.now);
            assertEquals(cp.tsValAt(net.now), net.a.conn.checkpoint(net.now).tsValAt(net.now));
            net.a.conn = TcpConnection.restore(net.a.config, cp.withTsOffset(cp.tsOffset() + shiftMs), net.now, net.a, net.a);
            boolean done = net.runUntil(() -> net.b.received.size() == up.length, 60_000 * MS);
            if (shiftMs < 0) {
                assertFalse(done, "a clock running backwards must trip the peer's PAWS check");
                assertTrue(net.b.conn.stats().pawsRejected > 0);
            } else {
                assertTrue(done, net::describe);
                assertArrayEquals(up, net.b.received.toByteArray());
                assertEquals(0, net.b.conn.stats().pawsRejected);
            }
        }
    }

    /**
     * The takeover case the backup cannot avoid: the peer received more of our stream from the
     * previous incarnation than the restored one has queued, more than its send buffer holds.
     * The peer's acknowledgements lie beyond snd.max; RFC 5961 would drop them (and the data they
     * carry) and both sides would stall. The restored connection counts those bytes as the peer's
     * and skips them when the application writes them again.
     */
    @Test
    void restoredConnectionBehindThePeerSkipsWhatThePeerAlreadyHas() {
        SplittableRandom r = new SplittableRandom(66);
        TcpConfig small = TcpConfig.defaults().withBuffers(1 << 20, 16 << 10);
        TestNet net = new TestNet(66, TcpConfig.defaults().withBuffers(1 << 20, 256 << 10), TcpConfig.defaults().withBuffers(1 << 20, 256 << 10));
        net.delay = 2 * MS;
        byte[] up = TestNet.randomBytes(r, 600_000), down = TestNet.randomBytes(r, 300_000);
        net.a.toSend = up;
        net.b.toSend = down;
        net.a.shutdownWhenDone = net.b.shutdownWhenDone = true;
        net.a.connect();
        assertTrue(net.runUntil(() -> net.b.received.size() > 100_000, 10_000 * MS));
        // B's segments stop reaching A (told apart by sequence space): A's snd.una stays while B keeps receiving.
        net.dropFilter = s -> Integer.toUnsignedLong(s.seq - net.b.iss) < 1_000_000;
        net.runFor(20 * MS); // B's segments already on the wire arrive; from now on A's receive side stands still
        TcpCheckpoint behind = net.a.conn.checkpoint(net.now);
        net.runFor(500 * MS); // A sends what its congestion window allows; B takes it all

        net.dropFilter = null;
        net.queue.clear(); // the old A dies with its packets
        int sndUna = behind.sndUna();
        long offset = Integer.toUnsignedLong(sndUna - behind.iss() - 1);
        assertTrue(net.b.received.size() - offset > (16 << 10) * 2,
                "the peer holds more than the restored send buffer beyond snd.una: " + (net.b.received.size() - offset));
        // The restored A has queued nothing (its application is behind), with a small send buffer.
        TcpCheckpoint restored = new TcpCheckpoint(behind.tuple(), behind.state(), behind.iss(), behind.irs(), sndUna, sndUna, behind.sndWnd(),
                behind.sndWl1(), behind.sndWl2(), behind.rcvNxt(), behind.rcvWnd(), behind.sndWindowShift(), behind.rcvWindowShift(), behind.sendMss(),
                behind.sackEnabled(), behind.timestampsEnabled(), behind.tsOffset() + 1000, behind.tsRecent(), new byte[0], false,
                behind.receiveQueue(), behind.finReceived(), behind.nagle(), behind.keepalive());
        net.a.config = small;
        net.a.conn = TcpConnection.restore(small, restored, net.now, net.a, net.a);
        net.a.sendPos = (int) offset;
        net.a.conn.sendAck(net.now);
        assertTrue(net.runUntil(() -> net.a.eof && net.b.eof, 60_000 * MS),
                () -> "b received " + net.b.received.size() + "/" + up.length + ", a received " + net.a.received.size() + "; " + net.describe());
        assertArrayEquals(up, net.b.received.toByteArray(), "the peer's stream is exact");
    }

    /**
     * A connection restored from a copy behind its peer both ways: the peer received more of our
     * stream than our checkpoint's window reaches (its rcv.nxt beyond snd.una + snd.wnd, so it
     * drops our ACKs, sent at that window's end), and it sent beyond our receive window under the
     * previous incarnation's wider one (its pure ACKs lie past our window) or resends what we
     * hold but was never acknowledged to it (below our rcv.nxt). Each side used to drop the
     * other's segments, ACK fields and all, for good. The restored connection takes the ACK
     * field of such a segment (for a while after the restore); an ordinary connection does not.
     */
    @Test
    void aRestoredConnectionTakesThePeersAcknowledgementFromSegmentsOutsideItsWindow() {
        TcpConfig noTimestamps = TcpConfig.defaults().withOptions(true, false, true);
        for (boolean restore : new boolean[] {true, false}) {
            TestNet net = new TestNet(68, noTimestamps);
            assertTrue(net.handshake());
            net.runFor(100 * MS);
            TcpCheckpoint cp = net.a.conn.checkpoint(net.now);
            int una = cp.sndUna(), rcvNxt = cp.rcvNxt();
            int queued = 80_000;
            if (restore) {
                TcpCheckpoint behind = new TcpCheckpoint(cp.tuple(), cp.state(), cp.iss(), cp.irs(), una, una + queued, 16 << 10,
                        cp.sndWl1(), cp.sndWl2(), rcvNxt, cp.rcvWnd(), cp.sndWindowShift(), cp.rcvWindowShift(), cp.sendMss(),
                        cp.sackEnabled(), cp.timestampsEnabled(), cp.tsOffset(), cp.tsRecent(), new byte[queued], false,
                        cp.receiveQueue(), cp.finReceived(), cp.nagle(), cp.keepalive());
                net.a.conn = TcpConnection.restore(net.a.config, behind, net.now, net.a, net.a);
            } else {
                net.dropFilter = s -> true; // the peer hears nothing of what follows
                net.a.conn.write(java.nio.ByteBuffer.wrap(new byte[queued]), net.now);
                net.runFor(10 * MS);
            }
            long window = net.a.conn.checkpoint(net.now).rcvWnd();
            TcpSegment ahead = new TcpSegment();
            ahead.flags = TcpSegment.ACK;
            ahead.seq = rcvNxt + (int) window + 10_000; // the peer's snd.nxt, past our window
            ahead.ack = una + 10_000;
            ahead.window = 16 << 10;
            int sentBefore = net.a.sent.size();
            net.inject(net.a, ahead);
            int afterAhead = net.a.conn.checkpoint(net.now).sndUna();
            boolean sentOn = net.a.sent.subList(sentBefore, net.a.sent.size()).stream()
                    .anyMatch(x -> x.payloadLength() > 0 && x.seq == una + 10_000);
            TcpSegment resent = new TcpSegment();
            resent.flags = TcpSegment.ACK;
            resent.seq = rcvNxt - 1460; // data we hold, resent: entirely below rcv.nxt
            resent.payload = java.nio.ByteBuffer.wrap(new byte[1460]);
            resent.ack = una + 20_000;
            resent.window = 16 << 10;
            net.inject(net.a, resent);
            int afterResent = net.a.conn.checkpoint(net.now).sndUna();
            if (restore) {
                assertEquals(una + 10_000, afterAhead, "the pure ACK beyond our window");
                assertTrue(sentOn, "what the acknowledgement let out is sent at once (nothing else would send it: no timer runs)");
                assertEquals(una + 20_000, afterResent, "the resent segment below our window");
            } else {
                assertEquals(una, afterAhead, "an ordinary connection drops an unacceptable segment, ACK field and all (RFC 9293)");
                assertEquals(una, afterResent);
            }
        }
    }

    /**
     * The backup's timestamp clock starts well above the primary's (it cannot know it exactly).
     * The peer's echoes of the primary's TSvals must not be taken for round-trip times: the
     * retransmission timer would grow by the jump.
     */
    @Test
    void echoesOfThePreviousIncarnationsTimestampsAreNoRttSamples() {
        SplittableRandom r = new SplittableRandom(67);
        TestNet net = new TestNet(67, TcpConfig.defaults());
        net.delay = 5 * MS;
        byte[] up = TestNet.randomBytes(r, 3_000_000);
        net.a.toSend = up;
        net.a.connect();
        assertTrue(net.runUntil(() -> net.b.received.size() > 500_000, 10_000 * MS));
        TcpCheckpoint cp = net.a.conn.checkpoint(net.now);
        net.a.conn = TcpConnection.restore(net.a.config, cp.withTsOffset(cp.tsOffset() + 3_600_000), net.now, net.a, net.a); // an hour ahead
        net.a.conn.retransmitNow(net.now);
        assertTrue(net.runUntil(() -> net.b.received.size() == up.length, 60_000 * MS), net::describe);
        assertArrayEquals(up, net.b.received.toByteArray());
        assertTrue(net.a.conn.stats().srtt < 200 * MS, "srtt " + net.a.conn.stats().srtt / MS + " ms: the jump was taken for path delay");
    }

    /**
     * A connection restored right after the handshake whose SYN-ACK never reached the client
     * (held by the primary's wrapper, or lost): the client, still in SYN-SENT, retransmits its
     * SYN; the restored connection answers with the SYN-ACK (not a challenge ACK, which the
     * client would drop), and the transfer goes on.
     */
    @Test
    void aRestoredConnectionAnswersTheRetransmittedSynOfAClientThatNeverGotTheSynAck() {
        SplittableRandom r = new SplittableRandom(68);
        TestNet net = new TestNet(68, TcpConfig.defaults());
        net.delay = 2 * MS;
        byte[] up = TestNet.randomBytes(r, 200_000);
        net.a.toSend = up;
        net.a.shutdownWhenDone = true;
        net.b.shutdownWhenDone = true;
        net.dropFilter = s -> s.has(TcpSegment.SYN) && s.has(TcpSegment.ACK); // every SYN-ACK of B is lost
        net.a.connect(); // B accepts the SYN; its SYN-ACKs are all lost
        net.runFor(50 * MS);
        assertEquals(TcpState.SYN_SENT, net.a.conn.state());
        // B dies; its successor is restored as established, having heard nothing after the SYN.
        int iss = net.b.iss, irs = net.a.iss;
        TcpCheckpoint cp = new TcpCheckpoint(net.b.tuple, TcpState.ESTABLISHED, iss, irs, iss + 1, iss + 1, 65535, irs, iss + 1,
                irs + 1, 65535, 0, 0, 1460, false, false, 0, 0, new byte[0], false, new byte[0], false, true, false);
        net.b.conn = TcpConnection.restore(net.b.config, cp, net.now, net.b, net.b);
        net.dropFilter = null;
        assertTrue(net.runUntil(() -> net.b.received.size() == up.length && net.a.eof, 30_000 * MS), net::describe);
        assertArrayEquals(up, net.b.received.toByteArray());
    }
}
