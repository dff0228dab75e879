package io.fttcp.stack.tcp;

import static io.fttcp.stack.tcp.TestNet.MS;
import static org.junit.jupiter.api.Assertions.*;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TcpFlowControlTest {

    private static List<TcpSegment> dataSegments(TestNet.Endpoint e) {
        return e.sent.stream().filter(s -> s.payloadLength() > 0).toList();
    }

    @Test
    void zeroWindowIsProbedAndReopens() {
        TcpConfig small = TcpConfig.defaults().withBuffers(20_000, 1 << 20);
        TestNet net = new TestNet(11, TcpConfig.defaults(), small);
        byte[] data = TestNet.randomBytes(new SplittableRandom(11), 100_000);
        net.b.autoRead = false;
        net.a.toSend = data;
        assertTrue(net.handshake());
        net.runFor(30_000 * MS);
        assertEquals(0, net.a.conn.sndWnd(), net::describe);
        assertTrue(net.b.conn.readableBytes() <= 20_000 + 1448, "receiver over-committed: " + net.b.conn.readableBytes());
        assertEquals(net.a.conn.sndUna(), net.a.conn.sndMax(), "nothing in flight while the window is zero");
        List<TcpSegment> probes = net.a.sent.stream().filter(s -> s.payloadLength() == 0 && s.seq == net.a.conn.sndUna() - 1).toList();
        assertTrue(probes.size() >= 3 && probes.size() <= 12, "probes: " + probes.size());
        // The receiver still answers probes (no connection loss), and reopening resumes the transfer.
        assertEquals(TcpState.ESTABLISHED, net.a.conn.state());
        net.b.autoRead = true;
        assertTrue(net.runUntil(() -> net.b.received.size() == data.length, 200_000 * MS), net::describe);
        assertArrayEquals(data, net.b.received.toByteArray());
    }

    /**
     * Data in flight when the peer's window closed leaves snd.max beyond that window. A pure ACK
     * at snd.max is then outside the peer's window, and a peer whose window is closed drops it,
     * ACK field and all (Linux does): it carries the window's end instead (Linux's
     * tcp_acceptable_seq).
     */
    @Test
    void aPureAckNeverLiesBeyondThePeersWindow() {
        TcpConfig noTimestamps = TcpConfig.defaults().withOptions(true, false, true);
        TestNet net = new TestNet(14, noTimestamps);
        assertTrue(net.handshake());
        net.runFor(100 * MS);
        net.dropFilter = s -> s.payloadLength() > 0; // our data is lost on its way...
        net.a.conn.write(ByteBuffer.wrap(new byte[2000]), net.now);
        net.runFor(MS);
        net.dropFilter = null;
        int una = net.a.conn.sndUna();
        assertEquals(una + 2000, net.a.conn.sndMax(), "in flight");
        // ...and the peer's window closes (its reader stopped): it acknowledges nothing new, window 0.
        TcpSegment closed = new TcpSegment();
        closed.flags = TcpSegment.ACK;
        closed.seq = net.b.conn.sndMax();
        closed.ack = una;
        closed.window = 0;
        net.inject(net.a, closed);
        assertEquals(0, net.a.conn.sndWnd());
        net.a.conn.sendAck(net.now);
        TcpSegment ack = net.a.sent.getLast();
        assertEquals(0, ack.payloadLength());
        assertEquals(una, ack.seq, "at the closed window's edge, where the peer's rcv.nxt is; not at snd.max");
    }

    @Test
    void windowUpdateAfterReadReopensWithoutWaitingForProbe() {
        TcpConfig small = TcpConfig.defaults().withBuffers(20_000, 1 << 20);
        TestNet net = new TestNet(12, TcpConfig.defaults(), small);
        net.b.autoRead = false;
        net.a.toSend = new byte[60_000];
        assertTrue(net.handshake());
        net.runFor(3_000 * MS);
        assertEquals(0, net.a.conn.sndWnd());
        int probeSeq = net.a.conn.sndUna() - 1;
        assertTrue(net.a.sent.stream().anyMatch(s -> s.payloadLength() == 0 && s.seq == probeSeq), "probed while closed");
        int mark = net.a.sent.size();
        net.b.readAll();
        int receivedBefore = net.b.received.size();
        net.runFor(10 * MS); // far less than a persist interval
        assertTrue(net.a.conn.sndWnd() > 0 || net.b.conn.readableBytes() > 0, net::describe);
        assertTrue(net.b.conn.readableBytes() > 0, "sender resumed at once after the window update");
        assertTrue(net.a.sent.subList(mark, net.a.sent.size()).stream().noneMatch(s -> s.payloadLength() == 0 && s.seq == probeSeq));
        assertTrue(receivedBefore > 0);
    }

    @Test
    void sendersAvoidSillyWindowSegmentsWhenTheReaderIsSlow() {
        TcpConfig small = TcpConfig.defaults().withBuffers(20_000, 1 << 20).withNagle(false);
        TestNet net = new TestNet(13, small);
        net.b.autoRead = false;
        int total = 300_000;
        net.a.toSend = TestNet.randomBytes(new SplittableRandom(13), total);
        assertTrue(net.handshake());
        ByteBuffer dribble = ByteBuffer.allocate(100);
        long until = net.now + 100_000 * MS;
        while (net.b.received.size() < total && net.now < until) {
            net.runFor(2 * MS);
            dribble.clear();
            int n = net.b.conn.read(dribble, net.now);
            if (n > 0) net.b.received.write(dribble.array(), 0, n);
        }
        assertEquals(total, net.b.received.size(), net::describe);
        int mss = net.a.conn.maxSegmentPayload();
        long tiny = dataSegments(net.a).stream().filter(s -> s.payloadLength() < mss / 2).count();
        assertTrue(tiny <= 2, "tiny segments sent: " + tiny);
        // Receiver side: once the window closes it reopens by at least one MSS (or half the buffer).
        int lastWindow = -1;
        for (TcpSegment s : net.b.sent) {
            if (lastWindow == 0 && s.window > 0) assertTrue(s.window >= Math.min(10_000, mss), "window reopened by " + s.window);
            lastWindow = s.window;
        }
    }

    /**
     * Receiver SWS avoidance (RFC 9293 3.8.6.2.2): the right edge moves by at least
     * min(buffer / 2, MSS). It moved by less whenever window-scale rounding cut nothing from the
     * free space (always without scaling): a reader taking 100 bytes from a full buffer reopened
     * the window by 100 bytes, and the sender sent a 100-byte segment into it.
     */
    @Test
    void aClosedWindowStaysClosedUntilTheReaderFreesAnMss() {
        TestNet net = windowClosedByAReaderThatStopped(21, TcpConfig.defaults().withBuffers(20_000, 1 << 20), 200_000);
        assertEquals(0, net.b.conn.rcvWindowShift());
        assertReopensOnlyByAnMss(net, 100);
    }

    /** The same with the default 4 MiB buffer (window scale 7) and one scale unit (128 bytes) freed. */
    @Test
    void aClosedScaledWindowStaysClosedUntilTheReaderFreesAnMss() {
        TestNet net = windowClosedByAReaderThatStopped(22, TcpConfig.defaults(), 6 << 20);
        assertEquals(7, net.b.conn.rcvWindowShift());
        assertReopensOnlyByAnMss(net, net.b.conn.readableBytes() - (4 << 20) + 128);
    }

    private static TestNet windowClosedByAReaderThatStopped(long seed, TcpConfig receiver, int bytes) {
        TestNet net = new TestNet(seed, TcpConfig.defaults(), receiver);
        net.b.autoRead = false;
        net.a.toSend = new byte[bytes];
        assertTrue(net.handshake());
        assertTrue(net.runUntil(() -> net.a.conn.sndWnd() == 0 && net.a.conn.sndUna() == net.a.conn.sndMax(), 10_000 * MS), net::describe);
        return net;
    }

    /** The reader takes {@code firstRead} bytes, less than an MSS: the window stays closed; then an MSS more: it reopens by a full segment. */
    private static void assertReopensOnlyByAnMss(TestNet net, int firstRead) {
        int mss = net.a.conn.maxSegmentPayload();
        int shift = net.b.conn.rcvWindowShift();
        assertEquals(firstRead, net.b.conn.read(ByteBuffer.allocate(firstRead), net.now));
        int bMark = net.b.sent.size(), aMark = net.a.sent.size();
        net.runFor(60_000 * MS); // the sender's zero-window probes draw the receiver's window
        List<TcpSegment> answers = net.b.sent.subList(bMark, net.b.sent.size());
        assertTrue(answers.size() >= 3, "probes answered: " + answers.size());
        for (TcpSegment s : answers) assertEquals(0, s.window, "a silly window of " + ((long) s.window << shift) + " bytes");
        assertEquals(List.of(), net.a.sent.subList(aMark, net.a.sent.size()).stream().filter(s -> s.payloadLength() > 0).toList(),
                "data sent into a silly window");
        assertEquals(mss, net.b.conn.read(ByteBuffer.allocate(mss), net.now));
        int reopenedMark = net.a.sent.size();
        bMark = net.b.sent.size();
        net.runFor(60_000 * MS);
        TcpSegment reopened = net.b.sent.subList(bMark, net.b.sent.size()).stream().filter(s -> s.window > 0).findFirst().orElseThrow();
        assertTrue((long) reopened.window << shift >= mss, "reopened by " + ((long) reopened.window << shift) + " bytes");
        TcpSegment next = net.a.sent.subList(reopenedMark, net.a.sent.size()).stream().filter(s -> s.payloadLength() > 0).findFirst().orElseThrow();
        assertEquals(mss, next.payloadLength(), "the sender fills the reopened window with a full segment");
    }

    @Test
    void nagleHoldsSmallSegmentsWhileDataIsUnacknowledged() {
        for (boolean nagle : new boolean[] {true, false}) {
            TestNet net = new TestNet(14, TcpConfig.defaults().withNagle(nagle));
            net.delay = 10 * MS;
            assertTrue(net.handshake());
            int before = dataSegments(net.a).size();
            for (int i = 0; i < 20; i++) net.a.conn.write(ByteBuffer.wrap(new byte[10]), net.now);
            int sent = dataSegments(net.a).size() - before;
            if (nagle) assertEquals(1, sent, "Nagle: one small segment in flight");
            else assertEquals(20, sent, "TCP_NODELAY: every write goes out");
            assertTrue(net.runUntil(() -> net.b.received.size() == 200, 1_000 * MS));
        }
    }

    @Test
    void nagleSendsTheTailOfALargeWriteAtOnce() {
        // Minshall's variant: only an unacknowledged *small* segment holds the next one, so a
        // 1.5-MSS response does not wait for the peer's delayed ACK.
        TestNet net = new TestNet(19, TcpConfig.defaults());
        net.delay = 10 * MS;
        assertTrue(net.handshake());
        int mss = net.a.conn.maxSegmentPayload();
        int before = dataSegments(net.a).size();
        net.a.conn.write(ByteBuffer.wrap(new byte[mss + mss / 2]), net.now);
        assertEquals(2, dataSegments(net.a).size() - before);
        // A second small write now waits: the first tail is still unacknowledged.
        net.a.conn.write(ByteBuffer.wrap(new byte[10]), net.now);
        assertEquals(2, dataSegments(net.a).size() - before);
        assertTrue(net.runUntil(() -> net.b.received.size() == mss + mss / 2 + 10, 1_000 * MS));
    }

    /**
     * Minshall's check compares the end of the last short segment with snd.una by sequence
     * arithmetic. After more than 2 GiB sent in full segments (a long download, a long-lived
     * connection) that end lay over 2^31 behind, read as ahead, and every short tail waited for
     * all data in flight to be acknowledged: against a delayed-ACK peer, 40 ms per response.
     * The 2 GiB go out as super-segments to a peer that acknowledges everything at once.
     */
    @Test
    void nagleDoesNotHoldAShortTailAfterTwoGigabytesOfFullSegments() {
        TcpConfig cfg = TcpConfig.defaults().withOptions(true, false, false);
        long now = 1_000 * MS;
        TcpConnection a = TcpConnection.connect(cfg, new FourTuple(1, 1000, 2, 80), 7, now, (c, s) -> { }, TcpEvents.NONE);
        TcpSegment peer = new TcpSegment();
        peer.flags = TcpSegment.SYN | TcpSegment.ACK;
        peer.seq = 1_000;
        peer.ack = a.sndMax();
        peer.window = 65535;
        peer.windowScale = 7;
        peer.mss = 1460;
        a.onSegment(peer, now);
        a.setSegmentOffload(64 << 10);
        int mss = a.maxSegmentPayload();
        peer.clear();
        peer.flags = TcpSegment.ACK;
        peer.seq = 1_001;
        peer.window = 65535; // 8 MiB
        a.write(ByteBuffer.wrap(new byte[100]), now); // a short segment, then only full ones
        ByteBuffer fullSegments = ByteBuffer.allocate(45 * mss);
        long written = 0;
        while (written < (1L << 31) + 100 || a.writableBytes() < cfg.sendBuffer()) {
            while (written < (1L << 31) + 100 && a.writableBytes() >= fullSegments.capacity()) {
                written += a.write(fullSegments.clear(), now);
            }
            now += MS;
            peer.ack = a.sndMax();
            a.onSegment(peer, now);
        }
        assertEquals(a.sndUna(), a.sndMax(), "all acknowledged");
        a.setSegmentOffload(0); // a super-segment would carry the tail along
        a.write(ByteBuffer.wrap(new byte[3 * mss + 100]), now); // a response: three full segments and a tail
        assertEquals(3 * mss + 100, a.sndMax() - a.sndUna(), "the short tail goes out at once, not after the acknowledgement of the full segments");
    }

    @Test
    void turningNagleOffSendsWhatItHeldBack() {
        TestNet net = new TestNet(16, TcpConfig.defaults());
        net.delay = 10 * MS;
        assertTrue(net.handshake());
        int before = dataSegments(net.a).size();
        net.a.conn.write(ByteBuffer.wrap(new byte[10]), net.now);
        net.a.conn.write(ByteBuffer.wrap(new byte[10]), net.now); // held: a small segment is in flight
        assertEquals(1, dataSegments(net.a).size() - before);
        net.a.conn.setNagle(false, net.now);
        assertEquals(2, dataSegments(net.a).size() - before, "TCP_NODELAY pushes the held bytes at once");
    }

    @Test
    void setNagleSwitchesAtRuntime() {
        TestNet net = new TestNet(15, TcpConfig.defaults());
        assertTrue(net.handshake());
        net.a.conn.setNagle(false);
        int before = dataSegments(net.a).size();
        for (int i = 0; i < 5; i++) net.a.conn.write(ByteBuffer.wrap(new byte[10]), net.now);
        assertEquals(5, dataSegments(net.a).size() - before);
    }

    @Test
    void delayedAckTiming() {
        TcpConfig cfg = TcpConfig.defaults().withNagle(false);
        TestNet net = new TestNet(16, cfg);
        net.delay = 5 * MS;
        assertTrue(net.handshake());
        // Warm up: the first read opens the window from the SYN-ACK's unscaled 64 KiB (an immediate update).
        net.a.conn.write(ByteBuffer.wrap(new byte[100]), net.now);
        net.runFor(100 * MS);
        int acksBefore = net.b.sent.size();
        net.a.conn.write(ByteBuffer.wrap(new byte[100]), net.now);
        long sentAt = net.now;
        assertTrue(net.runUntil(() -> net.b.sent.size() > acksBefore, 1_000 * MS));
        long ackAt = net.now;
        assertEquals(5 * MS + 40 * MS, ackAt - sentAt, "ACK delayed by the configured 40 ms");

        // Two full-sized segments: the second is acknowledged at once.
        net.runFor(100 * MS);
        int mss = net.a.conn.maxSegmentPayload();
        int acks2 = net.b.sent.size();
        net.a.conn.write(ByteBuffer.wrap(new byte[2 * mss]), net.now);
        long sent2 = net.now;
        assertTrue(net.runUntil(() -> net.b.sent.size() > acks2, 1_000 * MS));
        assertEquals(5 * MS, net.now - sent2, "every second full-sized segment is acked immediately");
        assertEquals(net.a.conn.sndNxt(), net.b.sent.getLast().ack);
    }

    @Test
    void outOfOrderSegmentIsAckedImmediatelyAndGapFillToo() {
        TcpConfig cfg = TcpConfig.defaults().withNagle(false);
        TestNet net = new TestNet(17, cfg);
        assertTrue(net.handshake());
        int mss = net.a.conn.maxSegmentPayload();
        int firstSeq = net.a.conn.sndNxt();
        boolean[] dropped = {false};
        net.dropFilter = s -> s.payloadLength() > 0 && s.seq == firstSeq && !dropped[0] && (dropped[0] = true);
        byte[] data = TestNet.randomBytes(new SplittableRandom(17), 5 * mss);
        net.a.toSend = data;
        assertTrue(net.runUntil(() -> net.b.received.size() == data.length, 5_000 * MS), net::describe);
        assertArrayEquals(data, net.b.received.toByteArray());
        assertTrue(net.b.conn.stats().outOfOrderSegments >= 4);
        // Each out-of-order arrival produced an immediate duplicate ACK carrying SACK blocks.
        List<TcpSegment> dupAcks = net.b.sent.stream().filter(s -> s.ack == firstSeq && s.payloadLength() == 0 && !s.has(TcpSegment.SYN)).toList();
        assertTrue(dupAcks.size() >= 4, "dup acks " + dupAcks.size());
        assertTrue(dupAcks.stream().allMatch(s -> s.sackBlockCount == 1 && s.sackLeft[0] == firstSeq + mss), () -> dupAcks.toString() + firstSeq);
        assertEquals(firstSeq + 5 * mss, dupAcks.getLast().sackRight[0]);
        assertEquals(1, net.a.conn.stats().fastRetransmits);
        assertEquals(0, net.a.conn.stats().timeouts);
    }

    @Test
    void windowScalingFillsALongFatPipe() {
        TcpConfig big = TcpConfig.defaults().withBuffers(8 << 20, 8 << 20);
        TestNet net = new TestNet(18, big);
        net.delay = 25 * MS; // 50 ms RTT
        net.recordSent = false;
        byte[] data = TestNet.randomBytes(new SplittableRandom(18), 24 << 20);
        net.a.toSend = data;
        net.b.readChunk = 1 << 20;
        assertTrue(net.handshake());
        assertEquals(8, net.a.conn.sndWindowShift());
        assertEquals(8, net.a.conn.rcvWindowShift());
        long[] maxFlight = {0};
        assertTrue(net.runUntil(() -> {
            maxFlight[0] = Math.max(maxFlight[0], net.a.conn.sndMax() - net.a.conn.sndUna());
            return net.b.received.size() == data.length;
        }, 60_000 * MS));
        assertArrayEquals(data, net.b.received.toByteArray());
        assertTrue(maxFlight[0] > 1 << 20, "flight reached " + maxFlight[0]);
        assertTrue(net.a.conn.sndWnd() > 65535L * 16, "scaled window " + net.a.conn.sndWnd());
    }
}
