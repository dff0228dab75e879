package io.fttcp.stack.host;

import io.fttcp.stack.packet.Checksum;
import io.fttcp.stack.packet.Ipv4Packet;
import io.fttcp.stack.packet.TcpCodec;
import io.fttcp.stack.tcp.CloseReason;
import io.fttcp.stack.tcp.TcpConnection;
import io.fttcp.stack.tcp.TcpEvents;
import io.fttcp.stack.tcp.TcpSegment;
import io.fttcp.stack.tcp.TcpState;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static io.fttcp.stack.host.HostPair.A;
import static io.fttcp.stack.host.HostPair.B;
import static io.fttcp.stack.host.HostPair.MS;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IpHostTest {
    static final class Accepts implements Listener.Events {
        int signals;

        @Override
        public void onAcceptable(Listener l) {
            signals++;
        }
    }

    static final class Recorder implements TcpEvents {
        CloseReason closed;

        @Override
        public void onClosed(TcpConnection c, CloseReason reason) {
            closed = reason;
        }
    }

    @Test
    void connectsThroughAListenerAndMovesDataBothWays() {
        HostPair w = new HostPair();
        Accepts accepts = new Accepts();
        Listener l = w.b.listen(0, 80, 16, accepts);
        Connection client = w.a.connect(0, B, 80, TcpEvents.NONE, w.now);
        assertTrue(w.runUntil(l::hasPending, 5_000 * MS), "handshake");
        Connection server = l.poll();
        assertEquals(1, accepts.signals);
        assertEquals(TcpState.ESTABLISHED, client.state());

        byte[] up = random(1, 300_000), down = random(2, 500_000);
        ByteArrayOutput gotUp = new ByteArrayOutput(), gotDown = new ByteArrayOutput();
        ByteBuffer upSrc = ByteBuffer.wrap(up), downSrc = ByteBuffer.wrap(down);
        assertTrue(w.runUntil(() -> {
            client.write(upSrc, w.now);
            server.write(downSrc, w.now);
            gotUp.drain(server, w.now);
            gotDown.drain(client, w.now);
            return gotUp.size() == up.length && gotDown.size() == down.length;
        }, 60_000 * MS), "transfer");
        assertArrayEquals(up, gotUp.toByteArray());
        assertArrayEquals(down, gotDown.toByteArray());
    }

    /**
     * The host's loss counters (exported as metrics) add up every connection's, and keep what a
     * closed connection counted: a counter must never go back.
     */
    @Test
    void lossTotalsCountEveryConnectionAndKeepThoseOfClosedOnes() {
        HostPair w = new HostPair();
        Listener l = w.b.listen(0, 80, 16, new Accepts());
        Connection client = w.a.connect(0, B, 80, TcpEvents.NONE, w.now);
        assertTrue(w.runUntil(l::hasPending, 5_000 * MS), "handshake");
        Connection server = l.poll();
        int[] dataPackets = {0};
        w.filterToB = p -> payloadLength(p) == 0 || ++dataPackets[0] != 5; // the fifth data packet is lost once
        byte[] up = random(3, 200_000);
        assertArrayEquals(up, transfer(w, client, server, up, 30_000 * MS));
        LossTotals open = w.a.lossTotals();
        assertEquals(client.tcp().stats().retransmits, open.retransmits);
        assertTrue(open.retransmits >= 1 && open.fastRetransmits + open.timeouts >= 1, "the loss was repaired");
        client.abort(w.now);
        assertTrue(w.runUntil(() -> w.a.connectionCount() == 0, 5_000 * MS));
        LossTotals closed = w.a.lossTotals();
        assertEquals(open.retransmits, closed.retransmits);
        assertEquals(open.fastRetransmits, closed.fastRetransmits);
        assertEquals(open.timeouts, closed.timeouts);
    }

    /**
     * The server closes first and holds TIME-WAIT; the client (none there) reuses the port at
     * once. Its SYN, past everything of the old connection, opens the new one at once, as on
     * Linux; before, it was answered with an ACK that the client reset, and it connected only on
     * its SYN's retransmission a second later. A retransmission of the old SYN still only gets
     * an ACK, and the new connection starts past what the old one sent.
     */
    @Test
    void aClientsNewSynOnATupleInTimeWaitOpensANewConnectionAtOnce() {
        // A client without timestamps, so the SYN's sequence number decides (this stack's
        // timestamps start at a random offset per connection; Linux's per address pair).
        HostConfig client0 = HostConfig.defaults(1, 2);
        HostPair w = new HostPair(client0.withTcp(client0.tcp().withOptions(true, false, true)), HostConfig.defaults(3, 4));
        List<ByteBuffer> synsToB = new ArrayList<>();
        w.filterToB = p -> {
            if (tcpFlags(p) == TcpSegment.SYN) synsToB.add(p.duplicate());
            return true;
        };
        List<ByteBuffer> toA = new ArrayList<>();
        w.filterToA = p -> toA.add(p.duplicate());
        Listener l = w.b.listen(0, 80, 16, x -> { });
        Connection client = w.a.connect(0, B, 80, TcpEvents.NONE, w.now);
        assertTrue(w.runUntil(l::hasPending, 5_000 * MS), "handshake");
        Connection server = l.poll();
        assertArrayEquals(random(3, 20_000), transfer(w, server, client, random(3, 20_000), 5_000 * MS));
        server.close(w.now); // the server closes first
        ByteBuffer sink = ByteBuffer.allocate(1 << 16);
        assertTrue(w.runUntil(() -> {
            if (client.state() != TcpState.CLOSED && client.read(sink.clear(), w.now) < 0) client.close(w.now);
            return client.state() == TcpState.CLOSED && server.state() == TcpState.TIME_WAIT;
        }, 5_000 * MS), "server " + server.state() + ", client " + client.state());
        int oldSndMax = toA.stream().mapToInt(IpHostTest::sequenceEnd).reduce((x, y) -> x - y > 0 ? x : y).orElseThrow();
        w.advance(2_000 * MS);
        assertEquals(TcpState.TIME_WAIT, server.state());

        w.b.accept(synsToB.getFirst().duplicate(), w.now); // an old duplicate of the first SYN
        assertEquals(TcpState.TIME_WAIT, server.state(), "an old SYN does not end TIME-WAIT");
        assertEquals(0, w.b.stats().timeWaitsEndedByNewSyn);
        w.toA.clear(); // its ACK would only meet a client with no such connection

        toA.clear();
        w.restartA();
        Connection again = w.a.connect(0, B, 80, TcpEvents.NONE, w.now);
        assertEquals(client.tuple(), again.tuple(), "the same four-tuple");
        long start = w.now;
        assertTrue(w.runUntil(() -> again.state() == TcpState.ESTABLISHED && l.hasPending(), 10_000 * MS), "the new connection");
        assertTrue(w.now - start < 10 * MS, "established in " + (w.now - start) / MS + " ms over a wire without delay");
        assertEquals(1, w.b.stats().timeWaitsEndedByNewSyn);
        assertEquals(TcpState.CLOSED, server.state(), "the old incarnation ended");
        Connection newServer = l.poll();
        ByteBuffer synAck = toA.stream().filter(p -> tcpFlags(p) == (TcpSegment.SYN | TcpSegment.ACK)).findFirst().orElseThrow();
        assertTrue(synAck.getInt(synAck.position() + 20 + 4) - oldSndMax > 0, "the new ISS lies past what the old one sent");
        assertArrayEquals(random(4, 30_000), transfer(w, again, newServer, random(4, 30_000), 5_000 * MS));
    }

    private static int tcpFlags(ByteBuffer p) {
        int ihl = (p.get(p.position()) & 0x0F) * 4;
        return p.get(p.position() + ihl + 13) & 0x3F;
    }

    /** The sequence number just past a segment: its data, SYN and FIN. */
    private static int sequenceEnd(ByteBuffer p) {
        int o = p.position(), ihl = (p.get(o) & 0x0F) * 4;
        int flags = tcpFlags(p);
        return p.getInt(o + ihl + 4) + payloadLength(p) + ((flags & TcpSegment.SYN) != 0 ? 1 : 0) + ((flags & TcpSegment.FIN) != 0 ? 1 : 0);
    }

    private static int payloadLength(ByteBuffer p) {
        int o = p.position(), ihl = (p.get(o) & 0x0F) * 4;
        int dataOffset = ((p.get(o + ihl + 12) & 0xFF) >>> 4) * 4;
        return (p.getShort(o + 2) & 0xFFFF) - ihl - dataOffset;
    }

    /** Sends {@code data} from {@code from} to {@code to}; returns what arrived within {@code maxNanos} (failing if not all). */
    private static byte[] transfer(HostPair w, Connection from, Connection to, byte[] data, long maxNanos) {
        ByteBuffer src = ByteBuffer.wrap(data);
        ByteArrayOutput got = new ByteArrayOutput();
        assertTrue(w.runUntil(() -> {
            from.write(src, w.now);
            got.drain(to, w.now);
            return got.size() == data.length;
        }, maxNanos), "transfer: " + got.size() + " of " + data.length + " bytes");
        return got.toByteArray();
    }

    @Test
    void aRefusedRestoreLeavesNothingBehind() {
        HostPair w = new HostPair();
        Listener l = w.b.listen(0, 80, 4, new Accepts());
        w.a.connect(0, B, 80, TcpEvents.NONE, w.now);
        assertTrue(w.runUntil(l::hasPending, 5_000 * MS));
        Connection server = l.poll();
        io.fttcp.stack.tcp.TcpCheckpoint good = server.checkpoint(w.now);
        server.abort(w.now);
        w.toA.clear();
        int before = w.b.connectionCount();
        io.fttcp.stack.tcp.TcpCheckpoint bad = new io.fttcp.stack.tcp.TcpCheckpoint(good.tuple(), TcpState.FIN_WAIT_1, good.iss(), good.irs(),
                good.sndUna(), good.sndNxt(), good.sndWnd(), good.sndWl1(), good.sndWl2(), good.rcvNxt(), good.rcvWnd(),
                good.sndWindowShift(), good.rcvWindowShift(), good.sendMss(), good.sackEnabled(), good.timestampsEnabled(),
                good.tsOffset(), good.tsRecent(), good.sendQueue(), false /* FIN_WAIT_1 needs a queued FIN */,
                good.receiveQueue(), good.finReceived(), good.nagle(), good.keepalive());
        assertThrows(IllegalArgumentException.class, () -> w.b.restore(bad, TcpEvents.NONE, w.now));
        assertEquals(before, w.b.connectionCount(), "no half-built connection left in the table");
        Connection restored = w.b.restore(good, TcpEvents.NONE, w.now);
        assertEquals(TcpState.ESTABLISHED, restored.state(), "the same four-tuple can be restored properly afterwards");
    }

    /**
     * A takeover that cannot restore a connection resets its client at our guess of the
     * client's rcv.nxt. A client that received more than the guess (a download's bytes in flight
     * when the primary died) drops that RST as outside its window (RFC 5961, as Linux does) and,
     * waiting for data, never speaks again; an ACK at an old sequence number makes it answer with its
     * rcv.nxt, which the host resets exactly. (The probe carries no data: see IpHost.probeUnknown.)
     */
    @Test
    void aProbeResetsAPeerThatHoldsMoreThanOurGuess() {
        HostPair w = new HostPair();
        Listener l = w.b.listen(0, 80, 4, new Accepts());
        Recorder r = new Recorder();
        Connection client = w.a.connect(0, B, 80, r, w.now);
        assertTrue(w.runUntil(l::hasPending, 5_000 * MS));
        Connection server = l.poll();
        byte[] down = random(3, 50_000);
        assertArrayEquals(down, transfer(w, server, client, down, 10_000 * MS));
        w.runUntil(() -> false, 1_000 * MS); // every delayed ACK sent: the client is silent from here on
        io.fttcp.stack.tcp.TcpCheckpoint known = server.checkpoint(w.now);
        server.abort(w.now);
        w.toA.clear(); // the server's connection is gone without a word, as a dead primary's
        int staleGuess = known.sndUna() - 20_000; // the client received 20,000 bytes more than we know of

        w.b.resetUnknown(known.tuple(), staleGuess, w.now);
        w.runUntil(() -> false, 100 * MS);
        assertEquals(TcpState.ESTABLISHED, client.state(), "an RST below the client's rcv.nxt is dropped, as Linux drops it");

        w.b.probeUnknown(known.tuple(), staleGuess - 1, known.rcvNxt(), w.now);
        assertTrue(w.runUntil(() -> r.closed != null, 1_000 * MS), "the probe's answer was not reset");
        assertEquals(CloseReason.RESET_BY_PEER, r.closed);
        assertEquals(1, w.b.stats().resetProbesSent);
    }

    @Test
    void segmentToAClosedPortIsAnsweredWithReset() {
        HostPair w = new HostPair();
        Recorder r = new Recorder();
        w.a.connect(0, B, 81, r, w.now);
        assertTrue(w.runUntil(() -> r.closed != null, 5_000 * MS));
        assertEquals(CloseReason.REFUSED, r.closed);
        assertEquals(1, w.b.stats().resetsSent);
        assertEquals(0, w.a.connectionCount());
    }

    @Test
    void synFloodIsAnsweredWithCookiesAndARealClientStillConnects() {
        HostPair w = new HostPair(HostConfig.defaults(1, 2), HostConfig.defaults(3, 4).withSynBacklog(4));
        Listener l = w.b.listen(0, 80, 64, new Accepts());
        // A flood of SYNs from spoofed ports whose SYN-ACKs nobody answers.
        TcpSegment syn = new TcpSegment();
        for (int i = 0; i < 2000; i++) {
            syn.clear();
            syn.flags = TcpSegment.SYN;
            syn.seq = i * 7919;
            syn.window = 65535;
            syn.mss = 1460;
            w.b.accept(packet(A, 10_000 + i, B, 80, syn), w.now);
        }
        w.toA.clear(); // the flood's SYN-ACKs go nowhere
        assertEquals(4, w.b.connectionCount(), "half-open connections are bounded by the SYN backlog");
        assertEquals(1996, w.b.stats().synCookiesSent);

        Connection client = w.a.connect(0, B, 80, TcpEvents.NONE, w.now);
        assertTrue(w.runUntil(l::hasPending, 5_000 * MS), "client connected through a cookie");
        assertEquals(1, w.b.stats().synCookiesAccepted);
        Connection server = l.poll();
        byte[] data = random(3, 100_000);
        assertArrayEquals(data, transfer(w, client, server, data, 30_000 * MS));
    }

    @Test
    void forgedCookieAckIsAnsweredWithResetNotAConnection() {
        HostPair w = new HostPair(HostConfig.defaults(1, 2), HostConfig.defaults(3, 4).withSynBacklog(0));
        Listener l = w.b.listen(0, 80, 64, new Accepts());
        TcpSegment syn = new TcpSegment();
        syn.flags = TcpSegment.SYN;
        syn.seq = 12345;
        syn.window = 65535;
        syn.mss = 1460;
        w.b.accept(packet(A, 19_999, B, 80, syn), w.now); // backlog 0: answered with a cookie, so ACKs are checked against cookies
        assertEquals(1, w.b.stats().synCookiesSent);
        TcpSegment ack = new TcpSegment();
        SplittableRandom r = new SplittableRandom(5);
        for (int i = 0; i < 1000; i++) {
            ack.clear();
            ack.flags = TcpSegment.ACK;
            ack.seq = r.nextInt();
            ack.ack = r.nextInt();
            ack.window = 1000;
            w.b.accept(packet(A, 20_000 + i, B, 80, ack), w.now);
        }
        assertEquals(0, w.b.connectionCount());
        assertTrue(!l.hasPending());
        assertEquals(1000, w.b.stats().synCookiesRejected);
        assertEquals(1000, w.b.stats().resetsSent);
    }

    /**
     * A stray ACK that happens to carry a valid cookie (a chance of 2^-24 each) opens no
     * connection unless cookies went out in the last two minutes, as Linux decides: a takeover's
     * reset probes draw such ACKs from every client they reset.
     */
    @Test
    void aValidCookieAckOpensAConnectionOnlyWhileCookiesAreBeingSent() {
        HostConfig server = HostConfig.defaults(3, 4).withSynBacklog(0);
        HostPair w = new HostPair(HostConfig.defaults(1, 2), server);
        Listener l = w.b.listen(0, 80, 64, new Accepts());
        SynCookies cookies = new SynCookies(server.secret1(), server.secret0() ^ 0x5bd1e995L); // the host's own
        int peerIsn = 777_000;
        io.fttcp.stack.tcp.FourTuple t = new io.fttcp.stack.tcp.FourTuple(B, 80, A, 30_000);
        TcpSegment ack = new TcpSegment();
        ack.flags = TcpSegment.ACK;
        ack.seq = peerIsn + 1;
        ack.ack = cookies.encode(t, peerIsn, 1460, w.now) + 1;
        ack.window = 1000;
        w.b.accept(packet(A, 30_000, B, 80, ack), w.now);
        assertEquals(0, w.b.connectionCount(), "no cookie was sent: the ACK is stray");
        assertEquals(1, w.b.stats().resetsSent);

        TcpSegment syn = new TcpSegment();
        syn.flags = TcpSegment.SYN;
        syn.seq = 12345;
        syn.window = 65535;
        syn.mss = 1460;
        w.b.accept(packet(A, 29_999, B, 80, syn), w.now);
        assertEquals(1, w.b.stats().synCookiesSent);
        w.b.accept(packet(A, 30_000, B, 80, ack), w.now);
        assertEquals(1, w.b.stats().synCookiesAccepted, "while cookies go out, a valid one is accepted");
        assertTrue(l.hasPending());
    }

    @Test
    void malformedPacketsAreCountedNotThrown() {
        HostPair w = new HostPair();
        w.b.listen(0, 80, 8, new Accepts());
        SplittableRandom r = new SplittableRandom(99);
        TcpSegment s = new TcpSegment();
        for (int i = 0; i < 50_000; i++) {
            s.clear();
            s.flags = r.nextInt(256);
            s.seq = r.nextInt();
            s.ack = r.nextInt();
            ByteBuffer p = packet(A, 1000 + r.nextInt(100), B, 80, s);
            int flips = 1 + r.nextInt(4);
            for (int f = 0; f < flips; f++) p.put(r.nextInt(p.limit()), (byte) r.nextInt(256));
            if (r.nextBoolean()) p.limit(r.nextInt(p.limit() + 1));
            w.b.accept(p, w.now);
        }
        assertTrue(w.b.codec().drops().total() > 40_000, "most mutated packets fail a checksum: " + w.b.codec().drops());
    }

    @Test
    void answersPing() {
        HostPair w = new HostPair();
        ByteBuffer echo = ByteBuffer.allocate(28 + 32);
        int icmpLen = io.fttcp.stack.packet.IcmpPacket.writeEcho(echo, 20, io.fttcp.stack.packet.IcmpPacket.TYPE_ECHO_REQUEST, 7, 1, ByteBuffer.wrap(new byte[32]));
        Ipv4Packet.writeHeader(echo, 0, icmpLen, Ipv4Packet.PROTOCOL_ICMP, A, B, 1, 64);
        echo.limit(20 + icmpLen);
        w.b.accept(echo, w.now);
        ByteBuffer reply = w.toA.poll();
        assertNotNull(reply);
        Ipv4Packet ip = new Ipv4Packet();
        assertEquals(null, ip.parse(reply));
        assertEquals(B, ip.source());
        assertEquals(A, ip.destination());
        assertEquals(0, reply.get(20), "echo reply type");
        assertEquals(1, w.b.stats().echoRepliesSent);
    }

    /** An ICMP error from a router (198.18.0.254) quoting the first 28 bytes of {@code original}. */
    static ByteBuffer icmpError(int type, int code, int restOfHeader, ByteBuffer original) {
        ByteBuffer p = ByteBuffer.allocate(20 + 8 + 28);
        int len = io.fttcp.stack.packet.IcmpPacket.writeError(p, 20, type, code, restOfHeader, original, original.position(), 28);
        Ipv4Packet.writeHeader(p, 0, len, Ipv4Packet.PROTOCOL_ICMP, 0xC61200FE, A, 9, 64);
        p.limit(20 + len);
        return p;
    }

    @Test
    void fragmentationNeededShrinksSegmentsButOnlyForDataInFlight() {
        HostPair w = new HostPair();
        Listener l = w.b.listen(0, 80, 4, new Accepts());
        Connection client = w.a.connect(0, B, 80, TcpEvents.NONE, w.now);
        assertTrue(w.runUntil(l::hasPending, 5_000 * MS));
        Connection server = l.poll();
        client.write(ByteBuffer.wrap(random(4, 20_000)), w.now);
        ByteBuffer inFlight = w.toB.peek();
        assertNotNull(inFlight, "data in flight");
        assertTrue(inFlight.remaining() > 1400, "full-sized segments before");
        // A forged error quoting a sequence number nowhere near the window is ignored.
        ByteBuffer forged = inFlight.duplicate();
        ByteBuffer copy = ByteBuffer.allocate(forged.remaining());
        copy.put(forged).flip();
        copy.putInt(24, copy.getInt(24) + 1_000_000_000);
        w.a.accept(icmpError(3, 4, 1000, copy), w.now);
        assertEquals(1, w.a.stats().icmpErrorsIgnored);
        // The real one (quoting a segment in flight) brings the MSS down to 1000 - 40.
        w.toB.clear();
        w.a.accept(icmpError(3, 4, 1000, inFlight.duplicate()), w.now);
        assertEquals(1, w.a.stats().icmpErrorsApplied);
        ByteBuffer after = w.toB.peek();
        assertNotNull(after, "retransmitted at once");
        assertTrue(after.remaining() <= 1000, "segments now fit the path MTU: " + after.remaining());
        ByteArrayOutput got = new ByteArrayOutput();
        assertTrue(w.runUntil(() -> {
            got.drain(server, w.now);
            return got.size() == 20_000;
        }, 30_000 * MS));
    }

    @Test
    void portUnreachableWhileConnectingRefusesTheConnection() {
        HostPair w = new HostPair();
        w.filterToB = p -> false; // the SYN goes nowhere; a router answers instead
        Recorder r = new Recorder();
        w.a.connect(0, B, 80, r, w.now);
        ByteBuffer syn = ByteBuffer.allocate(100);
        // Capture the SYN by letting it through a second, recording filter.
        w.filterToB = p -> {
            syn.put(p.duplicate()).flip();
            return false;
        };
        w.advance(1_100 * MS); // the SYN is retransmitted
        assertTrue(syn.limit() > 0, "SYN retransmitted");
        w.a.accept(icmpError(3, 3, 0, syn), w.now);
        assertEquals(CloseReason.REFUSED, r.closed);
    }

    static ByteBuffer packet(int src, int sport, int dst, int dport, TcpSegment s) {
        ByteBuffer p = ByteBuffer.allocate(1600);
        int len = TcpCodec.write(s, sport, dport, src, dst, p, 20);
        Ipv4Packet.writeHeader(p, 0, len, Ipv4Packet.PROTOCOL_TCP, src, dst, 1, 64);
        p.limit(20 + len);
        return p;
    }

    static byte[] random(long seed, int n) {
        byte[] b = new byte[n];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }

    /** Collects what a connection delivers. */
    static final class ByteArrayOutput extends java.io.ByteArrayOutputStream {
        private final ByteBuffer buf = ByteBuffer.allocate(65536);

        void drain(Connection c, long now) {
            while (true) {
                buf.clear();
                int n = c.read(buf, now);
                if (n <= 0) return;
                write(buf.array(), 0, n);
            }
        }
    }

    @SuppressWarnings("unused")
    private static final List<Object> KEEP = new ArrayList<>(List.of(Checksum.class));
}
