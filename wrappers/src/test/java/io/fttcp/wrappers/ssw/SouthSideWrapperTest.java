package io.fttcp.wrappers.ssw;

import io.fttcp.replication.record.Close;
import io.fttcp.replication.record.Connect;
import io.fttcp.replication.record.Heartbeat;
import io.fttcp.replication.record.Segment;
import io.fttcp.replication.record.Write;
import io.fttcp.stack.host.OffloadingPacketSink;
import io.fttcp.stack.packet.Ipv4Packet;
import io.fttcp.stack.packet.TcpCodec;
import io.fttcp.stack.tcp.CloseReason;
import io.fttcp.stack.tcp.FourTuple;
import io.fttcp.stack.tcp.TcpSegment;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import static io.fttcp.stack.tcp.TcpSegment.ACK;
import static io.fttcp.stack.tcp.TcpSegment.FIN;
import static io.fttcp.stack.tcp.TcpSegment.PSH;
import static io.fttcp.stack.tcp.TcpSegment.RST;
import static io.fttcp.stack.tcp.TcpSegment.SYN;
import static io.fttcp.wrappers.ssw.TestPackets.CLIENT;
import static io.fttcp.wrappers.ssw.TestPackets.CLIENT_PORT;
import static io.fttcp.wrappers.ssw.TestPackets.OTHER;
import static io.fttcp.wrappers.ssw.TestPackets.PORT;
import static io.fttcp.wrappers.ssw.TestPackets.SERVICE;
import io.fttcp.wrappers.ssw.TestPackets.Parsed;
import static io.fttcp.wrappers.ssw.TestPackets.bytes;
import static io.fttcp.wrappers.ssw.TestPackets.fromClient;
import static io.fttcp.wrappers.ssw.TestPackets.fromStack;
import static io.fttcp.wrappers.ssw.TestPackets.packet;
import static io.fttcp.wrappers.ssw.TestPackets.parse;
import static io.fttcp.wrappers.ssw.TestPackets.seg;
import static io.fttcp.wrappers.ssw.TestPackets.withTimestamps;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SouthSideWrapperTest {
    static final long MS = 1_000_000L;
    /** ISNs near the wrap, so sequence and offset arithmetic crosses it. */
    static final int CISN = 0x7FFF_FFF0, SISN = 0xFFFF_FF00;
    static final FourTuple TUPLE = new FourTuple(SERVICE, PORT, CLIENT, CLIENT_PORT);

    final FakeLog log = new FakeLog();
    final List<ByteBuffer> link = new ArrayList<>();
    final List<ByteBuffer> stack = new ArrayList<>();
    /** Records in the log when the stack received each packet. */
    final List<Integer> recordsAtDelivery = new ArrayList<>();
    SouthSideWrapper ssw = wrapper(false);
    long now = 1_000 * MS;

    SouthSideWrapper wrapper(boolean partial) {
        SouthSideWrapper w = new SouthSideWrapper(new ProtectedService(SERVICE, PORT, 443), log,
                (p, t) -> link.add(TestPackets.copy(p)), partial);
        w.attachStack((p, t) -> {
            stack.add(TestPackets.copy(p));
            recordsAtDelivery.add(log.records.size());
        });
        return w;
    }

    void in(ByteBuffer p) {
        ssw.linkSide().accept(p, now);
    }

    void out(ByteBuffer p) {
        ssw.stackSide().accept(p, now);
    }

    void stabilize() {
        log.stable = log.lastLsn();
        ssw.onStable(log.stable, now);
    }

    /** Client SYN, our SYN-ACK (released once its CONNECT is stable), client ACK; lists cleared. */
    void establish(int clientShift, int ourShift) {
        TcpSegment syn = withTimestamps(seg(SYN, CISN, 0, 64240), 100, 0);
        syn.mss = 1460;
        syn.windowScale = clientShift;
        syn.sackPermitted = true;
        in(fromClient(syn, null));
        TcpSegment synAck = withTimestamps(seg(SYN | ACK, SISN, CISN + 1, 65535), 7000, 100);
        synAck.mss = 1400;
        synAck.windowScale = ourShift;
        synAck.sackPermitted = true;
        out(fromStack(synAck, null));
        stabilize();
        in(fromClient(withTimestamps(seg(ACK, CISN + 1, SISN + 1, 502), 101, 7000), null));
        stabilize();
        link.clear();
        stack.clear();
        recordsAtDelivery.clear();
    }

    /** A data segment of ours at stream offset {@code offset}. */
    static ByteBuffer ourData(long offset, int ack, int window, byte[] payload, int extraFlags) {
        return fromStack(withTimestamps(seg(ACK | PSH | extraFlags, SISN + 1 + (int) offset, ack, window), 7100, 101), payload);
    }

    static byte[] filled(int n, int value) {
        byte[] a = new byte[n];
        java.util.Arrays.fill(a, (byte) value);
        return a;
    }

    long appendNswRecord() {
        return log.append(new Write(TUPLE, 0, 1, 0), now);
    }

    // ---- pass-through -------------------------------------------------------------------------

    @Test
    void unprotectedTrafficPassesByteIdenticalBothWays() {
        List<ByteBuffer> inbound = List.of(
                packet(CLIENT, CLIENT_PORT, OTHER, PORT, seg(SYN, 1, 0, 1000), null, false),
                packet(CLIENT, CLIENT_PORT, SERVICE, 81, seg(ACK, 1, 2, 1000), new byte[]{1, 2, 3}, false),
                udp(CLIENT, SERVICE, PORT),
                ByteBuffer.wrap(new byte[]{0x45, 0, 0}));
        List<ByteBuffer> outbound = List.of(
                packet(SERVICE, 81, CLIENT, CLIENT_PORT, seg(ACK, 1, 2, 1000), new byte[]{4, 5}, false),
                packet(OTHER, PORT, CLIENT, CLIENT_PORT, seg(ACK, 1, 2, 1000), null, false),
                udp(SERVICE, CLIENT, PORT));
        ssw.setFenced(true); // fencing concerns protected traffic only
        for (ByteBuffer p : inbound) in(p.duplicate());
        for (ByteBuffer p : outbound) out(p.duplicate());
        assertEquals(inbound.size(), stack.size());
        assertEquals(outbound.size(), link.size());
        for (int i = 0; i < inbound.size(); i++) assertArrayEquals(bytes(inbound.get(i)), bytes(stack.get(i)));
        for (int i = 0; i < outbound.size(); i++) assertArrayEquals(bytes(outbound.get(i)), bytes(link.get(i)));
        assertTrue(log.records.isEmpty());
        assertEquals(0, ssw.stats().droppedWhileFenced);
        assertEquals(0, ssw.connectionCount());
    }

    @Test
    void passThroughAllocatesNothing() {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        SouthSideWrapper w = new SouthSideWrapper(new ProtectedService(SERVICE, PORT), log, (p, t) -> { }, false);
        w.attachStack((p, t) -> { });
        ByteBuffer in = packet(CLIENT, CLIENT_PORT, SERVICE, 22, seg(ACK, 1, 2, 1000), new byte[100], false);
        ByteBuffer out = packet(SERVICE, 22, CLIENT, CLIENT_PORT, seg(ACK, 1, 2, 1000), new byte[100], false);
        for (int i = 0; i < 200_000; i++) { // warm up (JIT)
            w.linkSide().accept(in, i);
            w.stackSide().accept(out, i);
        }
        long before = mx.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 100_000; i++) {
            w.linkSide().accept(in, i);
            w.stackSide().accept(out, i);
        }
        long allocated = mx.getCurrentThreadAllocatedBytes() - before;
        assertTrue(allocated < 200_000 / 10, "pass-through allocated " + allocated + " bytes for 200000 packets");
    }

    static ByteBuffer udp(int src, int dst, int port) {
        ByteBuffer b = ByteBuffer.allocate(28);
        Ipv4Packet.writeHeader(b, 0, 8, Ipv4Packet.PROTOCOL_UDP, src, dst, 1, 64);
        b.putShort(20, (short) 5000).putShort(22, (short) port).putShort(24, (short) 8);
        return b.position(0);
    }

    // ---- inbound logging ----------------------------------------------------------------------

    @Test
    void clientSegmentsAreLoggedInOrderBeforeTheStackSeesThem() {
        establish(7, 7);
        int base = log.records.size();
        byte[][] payloads = {filled(100, 1), filled(50, 2), filled(0, 0), filled(10, 3)};
        int seq = CISN + 1;
        List<ByteBuffer> sent = new ArrayList<>();
        for (int i = 0; i < payloads.length; i++) {
            int flags = ACK | (i == payloads.length - 1 ? FIN : 0);
            // (the pure ACK shrinks the window, news the backup must have: it is logged, not thinned)
            ByteBuffer p = fromClient(withTimestamps(seg(flags, seq, SISN + 1, window(i)), 200 + i, 7000), payloads[i]);
            sent.add(p);
            in(p);
            seq += payloads[i].length;
        }
        assertEquals(base + payloads.length, log.records.size());
        for (int i = 0; i < payloads.length; i++) {
            Segment s = assertInstanceOf(Segment.class, log.records.get(base + i));
            assertEquals(TUPLE, s.tuple());
            assertArrayEquals(payloads[i], s.payload());
            assertEquals(window(i), s.window());
            assertEquals(200 + i, s.tsVal());
            assertEquals(7000, s.tsEcr());
            assertEquals(SISN + 1, s.ack());
            // logged before the stack got it, and passed on unchanged
            assertEquals(base + i + 1, recordsAtDelivery.get(i));
            assertArrayEquals(bytes(sent.get(i)), bytes(stack.get(i)));
        }
        assertEquals(FIN | ACK, ((Segment) log.records.getLast()).flags());
        // the record owns its bytes: changing the packet afterwards changes nothing
        sent.getFirst().put(sent.getFirst().limit() - 1, (byte) 99);
        assertArrayEquals(payloads[0], ((Segment) log.records.get(base)).payload());
    }

    private static int window(int i) {
        return i == 2 ? 300 : 500 + i;
    }

    @Test
    void pureAcksWithLittleNewsAreThinnedButNotForLong() {
        establish(7, 7);
        int base = log.records.size();
        int seq = CISN + 1;
        in(fromClient(seg(ACK, seq, SISN + 1, 500), null)); // the first pure ACK is logged
        assertEquals(base + 1, log.records.size());
        in(fromClient(seg(ACK, seq, SISN + 1, 500), null)); // nothing new
        in(fromClient(seg(ACK, seq, SISN + 1, 600), null)); // a wider window: not needed at once
        assertEquals(base + 1, log.records.size(), "pure ACKs with little news are not logged");
        assertEquals(2, ssw.stats().pureAcksThinned);
        assertEquals(3, stack.size(), "every one reaches the stack");
        in(fromClient(seg(ACK, seq, SISN + 1, 400), null)); // the window shrinks: logged
        assertEquals(base + 2, log.records.size());
        now += SouthSideWrapper.PURE_ACK_LOG_INTERVAL_NANOS;
        in(fromClient(seg(ACK, seq, SISN + 1, 400), null)); // the last logged one is old: logged
        assertEquals(base + 3, log.records.size());
        in(fromClient(seg(ACK, seq, SISN + 1, 400), filled(1, 5))); // data is always logged
        assertEquals(base + 4, log.records.size());
    }

    @Test
    void synsAfterTheHandshakeAreNotLogged() {
        establish(7, 7);
        int records = log.records.size();
        in(fromClient(seg(SYN, CISN, 0, 64240), null)); // a retransmitted SYN
        in(fromClient(seg(SYN, CISN + 99_999, 0, 64240), null)); // a SYN inside the connection (RFC 5961)
        assertEquals(records, log.records.size());
        assertEquals(2, stack.size(), "both go to the stack, which answers them");
        assertEquals(1, ssw.connectionCount());
        in(fromClient(seg(ACK, CISN + 1, SISN + 1, 500), filled(5, 1)));
        assertEquals(CISN + 1, assertInstanceOf(Segment.class, log.records.getLast()).seq(), "the original ISN stands");
    }

    @Test
    void aNewIncarnationAcceptedByTheStackGetsItsOwnConnect() {
        establish(7, 7);
        int newIsn = CISN + 1_000_000;
        in(fromClient(seg(SYN, newIsn, 0, 30000), null)); // e.g. TIME-WAIT reuse
        out(fromStack(seg(ACK, SISN + 1, CISN + 1, 500), null)); // a challenge ACK would change nothing
        assertEquals(1, ssw.stats().connectsLogged);
        TcpSegment synAck = seg(SYN | ACK, SISN + 5_000_000, newIsn + 1, 65535);
        out(fromStack(synAck, null)); // the stack accepted it
        assertEquals(2, ssw.stats().connectsLogged);
        Connect c = assertInstanceOf(Connect.class, log.records.getLast());
        assertEquals(newIsn, c.clientIsn());
        assertEquals(30000, c.clientWindow());
        assertEquals(1, ssw.connectionCount());
        link.clear();
        stabilize();
        assertEquals(SISN + 5_000_000, only(link).seg().seq, "its SYN-ACK leaves once the new CONNECT is stable");
        in(fromClient(seg(ACK, newIsn + 1, SISN + 5_000_001, 500), filled(7, 1)));
        assertEquals(newIsn + 1, assertInstanceOf(Segment.class, log.records.getLast()).seq());
    }

    /**
     * Our own stack ends the TIME-WAIT the new SYN hits before it answers (as Linux does), so the
     * close event of the old incarnation comes between the SYN and its SYN-ACK: the new handshake
     * must stay tracked (its SYN-ACK was dropped as untracked, and the client waited for its SYN's
     * retransmission), and a close of the old incarnation must not end a new one's handshake.
     */
    @Test
    void aNewIncarnationWhoseStackEndedTheOldOneFirstGetsItsOwnConnect() {
        establish(7, 7);
        int newIsn = CISN + 1_000_000;
        in(fromClient(seg(SYN, newIsn, 0, 30000), null));
        ssw.connectionClosed(TUPLE, CloseReason.CLOSED); // the stack ended the old incarnation's TIME-WAIT for it
        assertEquals(1, ssw.connectionCount(), "the new handshake is tracked on");
        ssw.connectionClosed(TUPLE, CloseReason.CLOSED); // a late or repeated close of the old one
        assertEquals(1, ssw.connectionCount(), "an orderly close is never the new handshake's");
        TcpSegment synAck = seg(SYN | ACK, SISN + 5_000_000, newIsn + 1, 65535);
        out(fromStack(synAck, null));
        assertEquals(2, ssw.stats().connectsLogged);
        assertEquals(newIsn, assertInstanceOf(Connect.class, log.records.getLast()).clientIsn());
        link.clear();
        stabilize();
        assertEquals(SISN + 5_000_000, only(link).seg().seq, "its SYN-ACK leaves once the new CONNECT is stable");
        in(fromClient(seg(ACK, newIsn + 1, SISN + 5_000_001, 500), filled(7, 1)));
        assertEquals(newIsn + 1, assertInstanceOf(Segment.class, log.records.getLast()).seq());
    }

    @Test
    void aRetransmittedSynBeforeOurSynAckUpdatesTheRememberedOptions() {
        TcpSegment syn = seg(SYN, CISN, 0, 1000);
        in(fromClient(syn, null));
        TcpSegment again = withTimestamps(seg(SYN, CISN, 0, 2000), 55, 0);
        again.windowScale = 3;
        in(fromClient(again, null));
        TcpSegment synAck = withTimestamps(seg(SYN | ACK, SISN, CISN + 1, 65535), 9, 55);
        synAck.windowScale = 5;
        out(fromStack(synAck, null));
        Connect c = assertInstanceOf(Connect.class, log.records.getFirst());
        assertEquals(2000, c.clientWindow());
        assertEquals(3, c.clientWindowShift());
        assertEquals(55, c.clientTsVal());
        assertTrue(c.timestamps());
        assertEquals(1, ssw.connectionCount());
    }

    @Test
    void segmentsOfUnknownConnectionsPassUnlogged() {
        ByteBuffer stray = fromClient(seg(ACK, 5, 6, 100), filled(20, 4));
        in(stray);
        assertEquals(1, stack.size());
        assertArrayEquals(bytes(stray), bytes(stack.getFirst()));
        assertTrue(log.records.isEmpty());
        // and the stack's RST answering it passes too
        ByteBuffer rst = fromStack(seg(RST, 6, 0, 0), null);
        out(rst);
        assertArrayEquals(bytes(rst), bytes(link.getFirst()));
    }

    @Test
    void checksumsTheLinkVouchesForAreNotCheckedAndTheVerdictReachesTheStack() {
        List<Boolean> verdicts = new ArrayList<>();
        ssw.attachStack((StackInput) (p, trusted, t) -> {
            stack.add(TestPackets.copy(p));
            verdicts.add(trusted);
        });
        establish(7, 7);
        verdicts.clear();
        // a local sender's packet: the checksum field holds only the pseudo-header sum
        ByteBuffer partial = packet(CLIENT, CLIENT_PORT, SERVICE, PORT, seg(ACK, CISN + 1, SISN + 1, 500), filled(30, 9), true);
        int records = log.records.size();
        ssw.receive(partial.duplicate(), true, now);
        assertEquals(records + 1, log.records.size(), "logged");
        assertArrayEquals(filled(30, 9), ((Segment) log.records.getLast()).payload());
        assertEquals(List.of(true), verdicts);
        ssw.receive(packet(CLIENT, CLIENT_PORT, SERVICE, 22, seg(ACK, 1, 1, 1), null, true), true, now);
        assertEquals(List.of(true, true), verdicts, "pass-through keeps the verdict too");
        ssw.receive(partial.duplicate(), false, now);
        assertEquals(records + 1, log.records.size(), "unvouched, the partial checksum is bad: dropped");
        assertEquals(1, ssw.stats().malformedDropped);
    }

    @Test
    void malformedProtectedPacketsAreDroppedAndNeverLogged() {
        establish(7, 7);
        ByteBuffer p = fromClient(seg(ACK, CISN + 1, SISN + 1, 500), filled(30, 9));
        p.put(p.limit() - 1, (byte) 0x55); // breaks the TCP checksum
        int records = log.records.size();
        in(p);
        assertEquals(records, log.records.size());
        assertTrue(stack.isEmpty());
        assertEquals(1, ssw.stats().malformedDropped);
    }

    // ---- handshake stability ------------------------------------------------------------------

    @Test
    void synAckIsHeldUntilItsConnectRecordIsStable() {
        TcpSegment syn = withTimestamps(seg(SYN, CISN, 0, 64240), 100, 0);
        syn.mss = 1460;
        syn.windowScale = 7;
        syn.sackPermitted = true;
        in(fromClient(syn, null));
        assertEquals(1, stack.size(), "the SYN goes to the stack at once");
        assertTrue(log.records.isEmpty(), "a SYN alone is not logged");

        TcpSegment synAck = withTimestamps(seg(SYN | ACK, SISN, CISN + 1, 65535), 7000, 100);
        synAck.mss = 1400;
        synAck.windowScale = 9;
        ByteBuffer first = fromStack(synAck, null);
        out(first);
        out(fromStack(synAck, null)); // retransmitted before stable: the held one will do
        assertTrue(link.isEmpty());
        Connect c = assertInstanceOf(Connect.class, log.records.getFirst());
        assertEquals(new Connect(TUPLE, CISN, SISN, 1460, 1400, 7, 9, false, true, 7000, 100, 64240), c);
        assertEquals(1, ssw.stats().held);
        assertEquals(1, ssw.stats().heldDuplicatesDropped);
        assertEquals(1, ssw.stats().heldPackets);
        assertEquals(first.remaining(), ssw.stats().heldBytes);

        ssw.onStable(0, now);
        assertTrue(link.isEmpty(), "not stable yet");
        stabilize();
        assertEquals(1, link.size());
        assertArrayEquals(bytes(first), bytes(link.getFirst()));
        assertEquals(1, ssw.stats().released);
        assertEquals(0, ssw.stats().heldPackets);
        assertEquals(0, ssw.stats().heldBytes);

        out(fromStack(synAck, null)); // once stable, a retransmission passes
        assertEquals(2, link.size());
        assertEquals(1, log.records.size(), "one CONNECT per handshake");
    }

    /** The packet at position 14 of a bigger buffer, as behind an Ethernet header. */
    static ByteBuffer framed(ByteBuffer packet) {
        ByteBuffer frame = ByteBuffer.allocate(14 + packet.remaining() + 7);
        for (int i = 0; i < frame.capacity(); i++) frame.put(i, (byte) 0xEE);
        frame.put(14, packet, packet.position(), packet.remaining());
        return frame.limit(14 + packet.remaining()).position(14);
    }

    @Test
    void packetsNeedNotStartAtTheBufferStart() {
        in(framed(fromClient(seg(SYN, CISN, 0, 64240), null)));
        out(framed(fromStack(seg(SYN | ACK, SISN, CISN + 1, 65535), null)));
        assertInstanceOf(Connect.class, log.records.getFirst());
        stabilize();
        in(framed(fromClient(seg(ACK, CISN + 1, SISN + 1, 500), filled(100, 3))));
        assertArrayEquals(filled(100, 3), assertInstanceOf(Segment.class, log.records.getLast()).payload());
        ssw.requireStable(TUPLE, 10, appendNswRecord());
        ByteBuffer data = ourData(0, CISN + 101, 500, filled(10, 4), 0);
        out(framed(data));
        stabilize();
        Parsed sent = parse(link.getLast());
        assertEquals(CISN + 101, sent.ack());
        assertArrayEquals(filled(10, 4), sent.payload());
        assertTrue(sent.checksumValid());
        assertEquals(2, link.size());
    }

    @Test
    void synAckWithoutARememberedSynIsDropped() {
        out(fromStack(seg(SYN | ACK, SISN, CISN + 1, 65535), null));
        assertTrue(link.isEmpty());
        assertEquals(1, ssw.stats().untrackedSynAcksDropped);
    }

    // ---- ACK clamping -------------------------------------------------------------------------

    @Test
    void acksAreClampedToStableDataWithTheWindowWidened() {
        establish(7, 7);
        in(fromClient(seg(ACK, CISN + 1, SISN + 1, 500), filled(1000, 1))); // logged, not stable
        long lsn = appendNswRecord();
        ssw.requireStable(TUPLE, 100, lsn);
        stabilize(); // the data segment record and the NSW record are stable...
        in(fromClient(seg(ACK, CISN + 1001, SISN + 1, 500), filled(1000, 2))); // ...this one is not
        int stackAck = CISN + 2001;
        out(ourData(0, stackAck, 100, filled(100, 7), 0));
        Parsed sent = only(link);
        assertEquals(CISN + 1001, sent.ack());
        // right edge stackAck + 100 << 7 = CISN + 2001 + 12800; from CISN + 1001: 13800 / 128 = 107.8 -> 108
        assertEquals(108, sent.window());
        assertTrue(sent.checksumValid(), "incremental checksum update");
        assertArrayEquals(filled(100, 7), sent.payload());
        assertEquals(1, ssw.stats().clamped);
    }

    @Test
    void unclampedAcksPassByteIdentical() {
        establish(7, 7);
        in(fromClient(seg(ACK, CISN + 1, SISN + 1, 500), filled(10, 1)));
        stabilize();
        link.clear();
        ByteBuffer ack = fromStack(withTimestamps(seg(ACK, SISN + 1, CISN + 11, 300), 7200, 101), null);
        out(ack);
        assertArrayEquals(bytes(ack), bytes(link.getFirst()));
        assertEquals(0, ssw.stats().clamped);
    }

    @Test
    void clampedPureAcksThatRepeatTheLastAckAreNotSent() {
        establish(0, 0);
        in(fromClient(seg(ACK, CISN + 1, SISN + 1, 500), filled(500, 1)));
        stabilize();
        in(fromClient(seg(ACK, CISN + 501, SISN + 1, 500), filled(500, 2))); // not stable
        link.clear();
        // stability advanced before the stack acknowledged anything: no wrapper ACK yet
        assertEquals(0, ssw.stats().wrapperAcks);
        out(fromStack(seg(ACK, SISN + 1, CISN + 1001, 1000), null));
        assertEquals(CISN + 501, only(link).ack(), "clamped, and new to the client: sent");
        out(fromStack(seg(ACK, SISN + 1, CISN + 1001, 1000), null));
        out(fromStack(seg(ACK, SISN + 1, CISN + 1001, 2000), null)); // a window update, clamped: same ack
        assertEquals(1, link.size(), "clamped repeats are not sent");
        assertEquals(2, ssw.stats().suppressedRepeatAcks);
    }

    @Test
    void wrapperSendsTheAckWhenStabilityAdvances() {
        establish(7, 7);
        in(fromClient(withTimestamps(seg(ACK, CISN + 1, SISN + 1, 500), 150, 7000), filled(1000, 1)));
        // right edge CISN + 1001 + 600 << 7: beyond the SYN-ACK's CISN + 1 + 65535
        out(fromStack(withTimestamps(seg(ACK, SISN + 1, CISN + 1001, 600), 7100, 150), null));
        assertTrue(link.isEmpty(), "clamped to the ACK the client already has: not sent");
        stabilize();
        Parsed ack = only(link);
        assertEquals(ACK, ack.seg().flags);
        assertEquals(SISN + 1, ack.seg().seq);
        assertEquals(CISN + 1001, ack.ack());
        assertEquals(600, ack.window(), "right edge of the stack's own window");
        assertTrue(ack.seg().hasTimestamp);
        assertEquals(7000, ack.seg().tsVal, "TSval: the last one the client was sent");
        assertEquals(150, ack.seg().tsEcr, "TSecr: the client's latest TSval");
        assertTrue(ack.checksumValid());
        assertEquals(CLIENT_PORT, ack.destinationPort());
        assertEquals(1, ssw.stats().wrapperAcks);
        stabilize();
        assertEquals(1, link.size(), "nothing new: no second ACK");
    }

    @Test
    void wrapperAckNeverAcknowledgesMoreThanTheStackDid() {
        establish(0, 0);
        in(fromClient(seg(ACK, CISN + 1, SISN + 1, 500), filled(1000, 1)));
        out(fromStack(seg(ACK, SISN + 1, CISN + 601, 1000), null)); // the stack took only 600
        stabilize();
        assertEquals(CISN + 601, only(link).ack());
    }

    @Test
    void clampedWindowKeepsTheRightEdgeAndTheChecksum() {
        java.util.SplittableRandom seeds = new java.util.SplittableRandom();
        long seed = seeds.nextLong();
        java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
        for (int i = 0; i < 20_000; i++) {
            int shift = r.nextInt(15);
            int ack = r.nextInt();
            int window = r.nextInt(65536);
            int stable = ack - r.nextInt(1, 1 << 20);
            ByteBuffer p = fromStack(seg(ACK, r.nextInt(), ack, window), filled(r.nextInt(50), r.nextInt(256)));
            int rightEdge = ack + (window << shift);
            int newWindow = SegmentRewrite.windowFor(rightEdge, stable, shift);
            SegmentRewrite.ackAndWindow(p, 20, stable, newWindow, false);
            Parsed q = parse(p);
            String msg = "seed " + seed + " case " + i;
            assertTrue(q.checksumValid(), msg);
            assertEquals(stable, q.ack(), msg);
            long newEdge = (stable & 0xFFFFFFFFL) + ((long) q.window() << shift);
            long oldEdge = (stable & 0xFFFFFFFFL) + ((rightEdge - stable) & 0xFFFFFFFFL);
            if (q.window() < 65535) {
                assertTrue(newEdge >= oldEdge && newEdge - oldEdge < (1L << shift), msg);
            } else {
                assertTrue(newEdge <= oldEdge + (1L << shift), msg);
            }
        }
    }

    // ---- output commit ------------------------------------------------------------------------

    @Test
    void outputWaitsForCommitAndLeavesInOrder() {
        establish(7, 7);
        long held = ssw.stats().held, released = ssw.stats().released; // the SYN-ACK's
        long l1 = appendNswRecord();
        ssw.requireStable(TUPLE, 100, l1);
        out(ourData(0, CISN + 1, 500, filled(100, 1), 0));
        long l2 = appendNswRecord();
        ssw.requireStable(TUPLE, 250, l2);
        out(ourData(100, CISN + 1, 500, filled(150, 2), 0));
        long l3 = log.append(new Close(TUPLE, Close.How.CLOSE), now);
        ssw.requireFinStable(TUPLE, 250, l3);
        out(ourData(250, CISN + 1, 500, null, FIN));
        assertTrue(link.isEmpty());
        assertEquals(held + 3, ssw.stats().held);

        log.stable = l1;
        ssw.onStable(l1, now);
        assertEquals(1, link.size());
        assertArrayEquals(filled(100, 1), parse(link.getFirst()).payload());

        // a retransmission of released bytes passes at once, even with later output held
        out(ourData(0, CISN + 1, 500, filled(100, 1), 0));
        assertEquals(2, link.size());
        assertEquals(held + 3, ssw.stats().held);

        log.stable = l2;
        ssw.onStable(l2, now);
        assertEquals(3, link.size());
        assertArrayEquals(filled(150, 2), parse(link.get(2)).payload());
        log.stable = l3;
        ssw.onStable(l3, now);
        assertEquals(4, link.size());
        Parsed fin = parse(link.get(3));
        assertEquals(ACK | PSH | FIN, fin.seg().flags);
        assertEquals(SISN + 251, fin.seg().seq);
        assertEquals(released + 3, ssw.stats().released);
    }

    @Test
    void outputNoRequirementCoversWaitsUntilOneDoes() {
        establish(7, 7);
        out(ourData(0, CISN + 1, 500, filled(10, 1), 0));
        stabilize();
        assertTrue(link.isEmpty(), "uncovered bytes never leave");
        ssw.requireStable(TUPLE, 10, log.lastLsn()); // already stable: released by this call
        assertEquals(1, link.size());
    }

    @Test
    void laterOutputQueuesBehindHeldOutput() {
        establish(7, 7);
        long l1 = appendNswRecord();
        ssw.requireStable(TUPLE, 10, l1);
        out(ourData(0, CISN + 1, 500, filled(10, 1), 0));
        // the NSW's later requirement would already be satisfied on its own...
        ssw.requireStable(TUPLE, 20, l1);
        out(ourData(10, CISN + 1, 500, filled(10, 2), 0));
        assertTrue(link.isEmpty(), "...but FIFO order holds it behind the first");
        stabilize();
        assertEquals(2, link.size());
        assertEquals(SISN + 1, parse(link.get(0)).seg().seq);
        assertEquals(SISN + 11, parse(link.get(1)).seg().seq);
    }

    @Test
    void retransmissionsOfHeldBytesAreNotHeldTwice() {
        establish(7, 7);
        long held = ssw.stats().held;
        long l1 = appendNswRecord();
        ssw.requireStable(TUPLE, 300, l1);
        out(ourData(0, CISN + 1, 500, filled(100, 1), 0));
        out(ourData(100, CISN + 1, 500, filled(100, 2), 0));
        out(ourData(0, CISN + 1, 500, filled(100, 1), 0)); // RTO: both held copies carry these
        out(ourData(100, CISN + 1, 500, filled(100, 2), 0));
        out(ourData(100, CISN + 1, 500, filled(200, 2), 0)); // partly new: held
        assertEquals(held + 3, ssw.stats().held);
        assertEquals(2, ssw.stats().heldDuplicatesDropped);
        stabilize();
        assertEquals(3, link.size());
        out(ourData(0, CISN + 1, 500, filled(100, 1), 0)); // released bytes pass freely
        assertEquals(4, link.size());
    }

    @Test
    void bareAcksDoNotRunAheadOfHeldOutput() {
        establish(0, 0);
        in(fromClient(seg(ACK, CISN + 1, SISN + 1, 500), filled(10, 1)));
        in(fromClient(seg(ACK, CISN + 11, SISN + 1, 500), filled(10, 1)));
        ssw.requireStable(TUPLE, 100, appendNswRecord());
        out(ourData(0, CISN + 1, 500, filled(100, 1), 0)); // held
        log.stable = log.lastLsn() - 2; // the first client segment is stable, the second and the output are not
        ssw.onStable(log.stable, now);
        out(fromStack(seg(ACK, SISN + 101, CISN + 21, 500), null)); // the stack's snd_nxt is past the held bytes
        Parsed ack = only(link);
        assertEquals(SISN + 1, ack.seg().seq, "at what the client was sent");
        assertEquals(CISN + 11, ack.ack());
        assertTrue(ack.checksumValid());
    }

    /**
     * An application that writes its answer and then closes with input unread (an HTTP server
     * refusing an upload): the stack sends the answer, then an RST. Unprotected, the answer
     * reaches the client before the RST; so it must protected. Before, the RST left at once and
     * the held answer never did. The connection is logged as over only when its RST leaves: a
     * backup taking over before then restores it and sends the answer itself.
     */
    @Test
    void anAbortLeavesRightAfterTheOutputHeldBeforeIt() {
        establish(0, 0);
        in(fromClient(seg(ACK, CISN + 1, SISN + 1, 500), filled(10, 1)));
        ssw.requireStable(TUPLE, 100, appendNswRecord());
        out(ourData(0, CISN + 1, 500, filled(100, 1), 0)); // held
        out(fromStack(seg(RST | ACK, SISN + 101, CISN + 11, 0), null)); // the abort
        ssw.connectionClosed(TUPLE, CloseReason.ABORTED); // the host's close event, right after its RST
        assertTrue(link.isEmpty(), "nothing leaves before the answer is committed");
        assertEquals(1, ssw.connectionCount(), "tracked until its RST leaves");
        assertFalse(log.records.getLast() instanceof Close, "not over in the log while its RST waits");
        // The client sends on: logged as usual; the stack, which no longer has the connection,
        // answers with an RST, which must not run ahead of the answer.
        in(fromClient(seg(ACK, CISN + 11, SISN + 1, 500), filled(10, 2)));
        assertInstanceOf(Segment.class, log.records.getLast());
        out(fromStack(seg(RST, SISN + 1, 0, 0), null));
        assertTrue(link.isEmpty());
        assertEquals(1, ssw.stats().resetsBehindHeldAbortDropped);

        log.stable = log.lastLsn() - 1; // the answer is committed
        ssw.onStable(log.stable, now);
        assertEquals(2, link.size(), "the answer, then at once the RST");
        assertArrayEquals(filled(100, 1), parse(link.getFirst()).payload());
        Parsed rst = parse(link.get(1));
        assertEquals(RST | ACK, rst.seg().flags);
        assertEquals(SISN + 101, rst.seg().seq, "right after the answer");
        assertTrue(rst.checksumValid());
        assertEquals(new Close(TUPLE, Close.How.RESET), log.records.getLast(), "over in the log once its RST left");
        assertEquals(1, ssw.stats().stackResetsLogged);
        assertEquals(0, ssw.connectionCount());
        assertEquals(0, ssw.stats().heldPackets);
    }

    @Test
    void heldOutputLeavingAfterNewerPacketsCarriesTheNewestTsVal() {
        establish(7, 7);
        ssw.requireStable(TUPLE, 100, appendNswRecord());
        out(ourData(0, CISN + 1, 500, filled(100, 1), 0)); // held, TSval 7100
        out(fromStack(withTimestamps(seg(ACK, SISN + 101, CISN + 1, 600), 7300, 101), null)); // passes ahead
        assertEquals(7300, only(link).seg().tsVal);
        stabilize();
        Parsed data = parse(link.get(1));
        assertEquals(7300, data.seg().tsVal, "an older TSval would fail the client's PAWS check");
        assertEquals(101, data.seg().tsEcr);
        assertTrue(data.checksumValid());
        assertArrayEquals(filled(100, 1), data.payload());
    }

    @Test
    void tsValRewriteKeepsTheChecksumAtAnyOptionAlignment() {
        long seed = new java.util.SplittableRandom().nextLong();
        java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
        for (int i = 0; i < 2_000; i++) {
            // one to three NOPs before a timestamp option: TSval at odd and even offsets
            int nops = r.nextInt(1, 4);
            ByteBuffer p = ByteBuffer.allocate(20 + 40 + 5);
            int tcp = 20;
            p.putShort(tcp, (short) PORT).putShort(tcp + 2, (short) CLIENT_PORT).putInt(tcp + 4, r.nextInt())
                    .putInt(tcp + 8, r.nextInt()).put(tcp + 12, (byte) (5 << 4)).put(tcp + 13, (byte) ACK)
                    .putShort(tcp + 14, (short) r.nextInt(65536));
            int at = tcp + 20;
            for (int k = 0; k < nops; k++) p.put(at++, (byte) 1);
            p.put(at, (byte) 8).put(at + 1, (byte) 10).putInt(at + 2, r.nextInt()).putInt(at + 6, r.nextInt());
            at += 10;
            while (at < tcp + 40) p.put(at++, (byte) 0);
            p.put(tcp + 12, (byte) (10 << 4));
            for (int k = 0; k < 5; k++) p.put(tcp + 40 + k, (byte) r.nextInt());
            int tcpLength = 45;
            Ipv4Packet.writeHeader(p, 0, tcpLength, Ipv4Packet.PROTOCOL_TCP, SERVICE, CLIENT, 1, 64);
            int pseudo = io.fttcp.stack.packet.Checksum.pseudoHeaderSum(SERVICE, CLIENT, Ipv4Packet.PROTOCOL_TCP, tcpLength);
            p.putShort(tcp + 16, (short) io.fttcp.stack.packet.Checksum.finish(io.fttcp.stack.packet.Checksum.add(
                    io.fttcp.stack.packet.Checksum.sum(p, tcp, tcpLength), pseudo)));
            int tsVal = r.nextInt();
            assertTrue(SegmentRewrite.tsVal(p, tcp, tsVal, false), "seed " + seed);
            Parsed q = parse(p);
            assertEquals(tsVal, q.seg().tsVal, "seed " + seed);
            assertTrue(q.checksumValid(), "seed " + seed + " case " + i + " nops " + nops);
        }
    }

    @Test
    void heldPacketsAreReclampedWhenReleased() {
        establish(0, 0);
        in(fromClient(seg(ACK, CISN + 1, SISN + 1, 500), filled(300, 1)));
        long l1 = appendNswRecord();
        ssw.requireStable(TUPLE, 50, l1);
        out(ourData(0, CISN + 301, 1000, filled(50, 3), 0));
        assertTrue(link.isEmpty());
        stabilize(); // the client's data is stable now, as is the requirement
        Parsed p = only(link);
        assertEquals(CISN + 301, p.ack(), "clamped at release time, when all 300 bytes were stable");
        assertEquals(1000, p.window());
        assertTrue(p.checksumValid());
    }

    // ---- checksum offload and TSO -------------------------------------------------------------

    @Test
    void partialChecksumsAreNotAdjusted() {
        ssw = wrapper(true);
        establish(0, 0);
        in(fromClient(seg(ACK, CISN + 1, SISN + 1, 500), filled(300, 1)));
        ssw.requireStable(TUPLE, 10, appendNswRecord());
        stabilize();
        in(fromClient(seg(ACK, CISN + 301, SISN + 1, 500), filled(300, 2)));
        ByteBuffer data = packet(SERVICE, PORT, CLIENT, CLIENT_PORT, seg(ACK, SISN + 1, CISN + 601, 1000), filled(10, 5), true);
        int partialField = data.getShort(20 + TcpCodec.CHECKSUM_OFFSET) & 0xFFFF;
        out(data);
        ByteBuffer sent = link.getFirst();
        assertEquals(CISN + 301, sent.getInt(20 + TcpCodec.ACK_OFFSET));
        assertEquals(1300, sent.getShort(20 + TcpCodec.WINDOW_OFFSET) & 0xFFFF);
        assertEquals(partialField, sent.getShort(20 + TcpCodec.CHECKSUM_OFFSET) & 0xFFFF,
                "the pseudo-header sum covers neither ack nor window");
    }

    record Offloaded(ByteBuffer packet, int tcpOffset, int headerLength, int segmentSize) {
    }

    @Test
    void offloadedSuperSegmentsAreHeldWholeAndSentOffloaded() {
        List<Offloaded> offloaded = new ArrayList<>();
        OffloadingPacketSink device = new OffloadingPacketSink() {
            @Override
            public void accept(ByteBuffer packet, long now) {
                link.add(TestPackets.copy(packet));
            }

            @Override
            public void acceptTcpOffloaded(ByteBuffer packet, int tcpOffset, int headerLength, int segmentSize, long now) {
                offloaded.add(new Offloaded(TestPackets.copy(packet), tcpOffset, headerLength, segmentSize));
            }
        };
        ssw = new SouthSideWrapper(new ProtectedService(SERVICE, PORT), log, device, false);
        ssw.attachStack((p, t) -> stack.add(TestPackets.copy(p)));
        OffloadingPacketSink stackSide = assertInstanceOf(OffloadingPacketSink.class, ssw.stackSide());
        TcpSegment syn = seg(SYN, CISN, 0, 64240);
        in(fromClient(syn, null));
        ByteBuffer synAck = packet(SERVICE, PORT, CLIENT, CLIENT_PORT, seg(SYN | ACK, SISN, CISN + 1, 65535), null, true);
        stackSide.acceptTcpOffloaded(synAck, 20, 40, 0, now);
        stabilize();
        assertEquals(1, offloaded.size());

        long l1 = appendNswRecord();
        ssw.requireStable(TUPLE, 1500, l1);
        stabilize();
        ByteBuffer superSegment = packet(SERVICE, PORT, CLIENT, CLIENT_PORT, seg(ACK, SISN + 1, CISN + 1, 1000),
                filled(3000, 6), true);
        stackSide.acceptTcpOffloaded(superSegment, 20, 40, 1000, now);
        assertEquals(1, offloaded.size(), "only half committed: the whole super-segment waits");
        ssw.requireStable(TUPLE, 3000, appendNswRecord());
        stabilize();
        assertEquals(2, offloaded.size());
        Offloaded o = offloaded.get(1);
        assertEquals(20, o.tcpOffset());
        assertEquals(40, o.headerLength());
        assertEquals(1000, o.segmentSize());
        assertArrayEquals(bytes(superSegment), bytes(o.packet()));
        assertTrue(link.isEmpty());
    }

    // ---- fencing ------------------------------------------------------------------------------

    @Test
    void fencedWrapperEmitsNothingProtected() {
        establish(7, 7);
        ssw.requireStable(TUPLE, 1000, appendNswRecord());
        stabilize();
        in(fromClient(seg(ACK, CISN + 1, SISN + 1, 500), filled(100, 1)));
        ssw.setFenced(true);
        out(ourData(0, CISN + 1, 500, filled(10, 1), 0));
        out(fromStack(seg(ACK, SISN + 11, CISN + 101, 500), null));
        out(ourData(10, CISN + 101, 500, null, FIN));
        out(fromStack(seg(RST, SISN + 11, 0, 0), null));
        stabilize(); // no wrapper ACK either: it counts as dropped while fenced
        assertTrue(link.isEmpty());
        assertEquals(5, ssw.stats().droppedWhileFenced);
        assertEquals(0, ssw.stats().wrapperAcks);
        assertEquals(1, stack.size(), "input still reaches the stack");

        ssw.setFenced(false);
        out(ourData(0, CISN + 101, 500, filled(10, 1), 0));
        assertEquals(1, link.size(), "the stack's retransmission leaves once unfenced");
    }

    /** What the link is told for every frame it sends: the lease's end; nothing while fenced; no limit in pass-through. */
    @Test
    void theEmissionDeadlineIsTheLeaseNothingWhileFencedAndNoLimitInPassThrough() {
        assertEquals(Long.MAX_VALUE, ssw.emissionDeadline(), "no lease yet: no limit");
        long lease = now + 50 * MS;
        ssw.setLeaseUntil(lease);
        assertEquals(lease, ssw.emissionDeadline());
        ssw.setFenced(true);
        assertEquals(Long.MIN_VALUE, ssw.emissionDeadline(), "fenced: nothing leaves");
        ssw.setPassThrough(true);
        assertEquals(Long.MAX_VALUE, ssw.emissionDeadline(), "pass-through (a backup before its takeover): the wrapper vouches for nothing");
        ssw.setPassThrough(false);
        ssw.setFenced(false);
        ssw.setLeaseUntil(Long.MAX_VALUE);
        assertEquals(Long.MAX_VALUE, ssw.emissionDeadline(), "unprotected: no limit");
    }

    @Test
    void heldOutputStaysHeldWhileFenced() {
        establish(7, 7);
        long l1 = appendNswRecord();
        ssw.requireStable(TUPLE, 10, l1);
        out(ourData(0, CISN + 1, 500, filled(10, 1), 0));
        ssw.setFenced(true);
        stabilize();
        assertTrue(link.isEmpty());
        ssw.setFenced(false);
        stabilize();
        assertEquals(1, link.size());
    }

    // ---- timestamps and forgetting ------------------------------------------------------------

    @Test
    void reportsChangedMaximumTsVals() {
        establish(7, 7);
        assertEquals(List.of(new Heartbeat.TsVal(TUPLE, 7000)), ssw.changedMaxTsVals());
        assertEquals(List.of(), ssw.changedMaxTsVals());
        out(fromStack(withTimestamps(seg(ACK, SISN + 1, CISN + 1, 500), 7300, 101), null));
        out(fromStack(withTimestamps(seg(ACK, SISN + 1, CISN + 1, 501), 7200, 101), null));
        assertEquals(List.of(new Heartbeat.TsVal(TUPLE, 7300)), ssw.changedMaxTsVals());
    }

    @Test
    void connectionIsRetiredOnceBothFinsAreAcknowledgedAndForgottenWhenTheHostClosesIt() {
        establish(0, 0);
        assertEquals(1, ssw.connectionCount());
        ssw.requireFinStable(TUPLE, 0, appendNswRecord());
        stabilize();
        out(ourData(0, CISN + 1, 500, null, FIN)); // committed: leaves
        assertEquals(1, link.size());
        in(fromClient(seg(ACK | FIN, CISN + 1, SISN + 2, 500), null)); // acks our FIN, sends its own
        out(fromStack(seg(ACK, SISN + 2, CISN + 2, 500), null)); // the stack's ACK of it: clamped, a repeat
        assertEquals(1, link.size());
        assertEquals(1, ssw.connectionCount());
        stabilize(); // the client FIN is stable: the wrapper acknowledges it
        assertEquals(CISN + 2, parse(link.get(1)).ack());
        // Still tracked: the wrapper cannot see whether the stack accepted the client's ACK of
        // our FIN, and a retransmitted FIN must still leave.
        assertEquals(1, ssw.connectionCount());
        int records = log.records.size();
        ssw.connectionClosed(TUPLE, CloseReason.CLOSED); // the host's close event (end of TIME-WAIT, or LAST-ACK done)
        assertEquals(0, ssw.connectionCount());
        assertEquals(records, log.records.size(), "an orderly close needs no record of its own");
        assertEquals(1, ssw.stats().connectionsForgotten);
        // afterwards the stack's TIME-WAIT ACKs pass as unprotected
        out(fromStack(seg(ACK, SISN + 2, CISN + 2, 500), null));
        assertEquals(3, link.size());
    }

    @Test
    void aConnectionTheStackAbortsIsLoggedAsOverAndForgotten() {
        establish(0, 0);
        int records = log.records.size();
        out(fromStack(seg(RST | ACK, SISN + 1, CISN + 1, 0), null));
        assertEquals(RST | ACK, only(link).seg().flags, "nothing held before it: the RST leaves at once");
        assertEquals(0, ssw.connectionCount());
        ssw.connectionClosed(TUPLE, CloseReason.ABORTED); // the host's close event, right after its RST
        assertEquals(records + 1, log.records.size(), "logged once");
        assertEquals(new Close(TUPLE, Close.How.RESET), log.records.getLast(), "the backup and retention learn it is over");
        assertEquals(1, ssw.stats().stackResetsLogged);
        establish(0, 0);
        in(fromClient(seg(RST, CISN + 5, 0, 0), null)); // not at rcv_nxt: the stack challenges it
        assertEquals(1, ssw.connectionCount());
        in(fromClient(seg(RST, CISN + 1, 0, 0), null));
        assertEquals(0, ssw.connectionCount());
        assertInstanceOf(Segment.class, log.records.getLast(), "the backup learns of the reset from the log");
    }

    @Test
    void anRstAnsweringAnUnacceptableAckInSynReceivedLeavesAsItIsAndTheHandshakeTracked() {
        TcpSegment syn = withTimestamps(seg(SYN, CISN, 0, 64240), 100, 0);
        syn.mss = 1460;
        syn.sackPermitted = true;
        in(fromClient(syn, null));
        TcpSegment synAck = withTimestamps(seg(SYN | ACK, SISN, CISN + 1, 65535), 7000, 100);
        synAck.mss = 1400;
        synAck.sackPermitted = true;
        out(fromStack(synAck, null));
        stabilize();
        link.clear();
        // An ACK of bytes we never sent (an old duplicate of an earlier incarnation): the stack
        // answers with an RST at that number and stays in SYN-RECEIVED (RFC 9293 3.10.7.3).
        in(fromClient(withTimestamps(seg(ACK, CISN + 1, SISN + 77, 502), 101, 7000), null));
        out(fromStack(seg(RST, SISN + 77, 0, 0), null));
        assertEquals(1, link.size());
        assertEquals(SISN + 77, parse(link.getFirst()).seg().seq, "at the number the old segment named: the client ignores it");
        assertEquals(1, ssw.connectionCount(), "the handshake is still the stack's, and still protected");
        in(fromClient(withTimestamps(seg(ACK | PSH, CISN + 1, SISN + 1, 502), 102, 7000), filled(3, 9)));
        assertTrue(log.records.getLast() instanceof Segment s && s.payload().length == 3, "the client's data is logged");
        assertEquals(0, ssw.stats().stackResetsLogged);
    }

    @Test
    void connectionsTheHostClosedOnItsOwnAreForgotten() {
        establish(0, 0);
        ssw.requireStable(TUPLE, 10, appendNswRecord());
        out(ourData(0, CISN + 1, 500, filled(10, 1), 0));
        assertEquals(1, ssw.stats().heldPackets);
        ssw.connectionClosed(TUPLE, CloseReason.TIMED_OUT);
        assertEquals(new Close(TUPLE, Close.How.RESET), log.records.getLast(), "a timed-out connection is over: logged");
        assertEquals(0, ssw.connectionCount());
        assertEquals(0, ssw.stats().heldPackets);
        assertEquals(0, ssw.stats().heldBytes);
    }

    @Test
    void staleHandshakesAreSweptWhenTheTableIsFull() {
        for (int i = 0; i < SouthSideWrapper.MAX_PENDING_HANDSHAKES; i++) {
            in(packet(CLIENT + i, 1000 + (i & 0x7FFF), SERVICE, PORT, seg(SYN, i, 0, 1000), null, false));
        }
        assertEquals(SouthSideWrapper.MAX_PENDING_HANDSHAKES, ssw.connectionCount());
        in(packet(OTHER, 5, SERVICE, PORT, seg(SYN, 1, 0, 1000), null, false));
        assertEquals(1, ssw.stats().synsNotTracked);
        now += SouthSideWrapper.STALE_HANDSHAKE_NANOS + 1;
        in(packet(OTHER, 5, SERVICE, PORT, seg(SYN, 1, 0, 1000), null, false));
        assertEquals(1, ssw.connectionCount());
        assertFalse(stack.isEmpty());
    }

    @Test
    void cookieHandshakesThatNoClientSegmentFollowsAreForgotten() {
        // A SYN answered with a (cookie) SYN-ACK: CONNECT logged, then nothing from that "client".
        in(fromClient(seg(SYN, CISN, 0, 64240), null));
        out(fromStack(seg(SYN | ACK, SISN, CISN + 1, 65535), null));
        stabilize();
        assertEquals(1, ssw.stats().connectsLogged);
        assertEquals(1, ssw.connectionCount());
        now += SouthSideWrapper.STALE_HANDSHAKE_NANOS + 1;
        in(packet(OTHER, 5, SERVICE, PORT, seg(SYN, 1, 0, 1000), null, false)); // the next SYN sweeps
        assertEquals(1, ssw.connectionCount(), "the stale one is gone; only the new SYN is tracked");
        assertEquals(1, ssw.stats().connectionsForgotten);
        // And the log says it is over: else its CONNECT stayed among the records kept for the next
        // backup or logger (and the backup's replay) for good, one per spoofed SYN of a flood.
        assertEquals(new Close(TUPLE, Close.How.RESET), log.records.getLast());
    }

    @Test
    void aRealConnectionIsNotSweptForBeingOld() {
        establish(0, 0);
        now += SouthSideWrapper.STALE_HANDSHAKE_NANOS + 1;
        in(packet(OTHER, 5, SERVICE, PORT, seg(SYN, 1, 0, 1000), null, false));
        assertEquals(2, ssw.connectionCount());
    }

    static Parsed only(List<ByteBuffer> packets) {
        assertEquals(1, packets.size(), "packets sent");
        return parse(packets.getFirst());
    }
}
