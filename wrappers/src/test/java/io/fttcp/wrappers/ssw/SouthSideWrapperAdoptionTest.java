package io.fttcp.wrappers.ssw;

import io.fttcp.replication.record.Close;
import io.fttcp.replication.record.Connect;
import io.fttcp.replication.record.Segment;
import io.fttcp.replication.record.Write;
import io.fttcp.stack.tcp.CloseReason;
import io.fttcp.stack.tcp.FourTuple;
import io.fttcp.stack.tcp.TcpCheckpoint;
import io.fttcp.stack.tcp.TcpSegment;
import io.fttcp.stack.tcp.TcpState;
import io.fttcp.wrappers.ssw.TestPackets.Parsed;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import static io.fttcp.stack.tcp.TcpSegment.ACK;
import static io.fttcp.stack.tcp.TcpSegment.FIN;
import static io.fttcp.stack.tcp.TcpSegment.PSH;
import static io.fttcp.stack.tcp.TcpSegment.SYN;
import static io.fttcp.wrappers.ssw.TestPackets.CLIENT;
import static io.fttcp.wrappers.ssw.TestPackets.CLIENT_PORT;
import static io.fttcp.wrappers.ssw.TestPackets.PORT;
import static io.fttcp.wrappers.ssw.TestPackets.SERVICE;
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
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A connection restored at takeover and adopted by the new primary's south-side wrapper. */
class SouthSideWrapperAdoptionTest {
    static final long MS = 1_000_000L;
    /** ISNs near the wrap, so sequence and offset arithmetic crosses it. */
    static final int CISN = 0x7FFF_F000, SISN = 0xFFFF_F000;
    static final FourTuple TUPLE = new FourTuple(SERVICE, PORT, CLIENT, CLIENT_PORT);
    /** The client sent 5000 bytes before takeover, all logged; we queued 3000, the client acknowledged 1000. */
    static final int RCV_NXT = CISN + 1 + 5000;
    static final long SENT_END = 3000;
    static final int SHIFT = 7;
    static final int TS_FLOOR = 90_000, CLIENT_TS = 400;

    final FakeLog log = new FakeLog();
    final List<ByteBuffer> link = new ArrayList<>();
    final List<ByteBuffer> stack = new ArrayList<>();
    final SouthSideWrapper ssw = new SouthSideWrapper(new ProtectedService(SERVICE, PORT), log,
            (p, t) -> link.add(TestPackets.copy(p)), false);
    long now = 5_000 * MS;

    SouthSideWrapperAdoptionTest() {
        ssw.attachStack((p, t) -> stack.add(TestPackets.copy(p)));
        // The new primary's stream continues the old one's LSNs; none of its own records is stable yet.
        log.records.add(new Write(TUPLE, 0, 1, 0));
    }

    void adopt(boolean clientFin, boolean ourFin, boolean ourFinAcked) {
        ssw.adopt(new AdoptedConnection(TUPLE, CISN, SISN, SHIFT, true, clientFin ? RCV_NXT + 1 : RCV_NXT, clientFin,
                SENT_END, ourFin, ourFinAcked, CLIENT_TS, TS_FLOOR));
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

    static int ourSeq(long offset) {
        return SISN + 1 + (int) offset;
    }

    /** Our segment at stream offset {@code offset}, acknowledging {@code ack}. */
    static ByteBuffer ours(long offset, int ack, byte[] payload, int extraFlags) {
        return fromStack(withTimestamps(seg(ACK | extraFlags | (payload == null ? 0 : PSH), ourSeq(offset), ack, 500),
                TS_FLOOR + 10, CLIENT_TS), payload);
    }

    static ByteBuffer client(int seq, byte[] payload, int extraFlags, int tsVal) {
        return fromClient(withTimestamps(seg(ACK | extraFlags, seq, ourSeq(1000), 300), tsVal, TS_FLOOR), payload);
    }

    static byte[] filled(int n, int value) {
        byte[] a = new byte[n];
        java.util.Arrays.fill(a, (byte) value);
        return a;
    }

    Parsed only() {
        assertEquals(1, link.size(), "packets sent to the client");
        return parse(link.getFirst());
    }

    @Test
    void theResumingAckPassesAsTheStackWroteIt() {
        adopt(false, false, false);
        assertEquals(1, ssw.connectionCount());
        ByteBuffer ack = ours(SENT_END, RCV_NXT, null, 0);
        out(ack);
        assertArrayEquals(bytes(ack), bytes(link.getFirst()), "its ACK is the stable rcv_nxt: nothing to clamp");
        assertEquals(1, log.records.size(), "no CONNECT is logged again");
        assertEquals(0, ssw.stats().connectsLogged);
        assertEquals(1, ssw.stats().connectionsAdopted);
    }

    @Test
    void clientDataIsLoggedAndItsAckClampedUntilStable() {
        adopt(false, false, false);
        in(client(RCV_NXT, filled(100, 3), 0, CLIENT_TS + 1));
        assertEquals(1, stack.size());
        Segment logged = assertInstanceOf(Segment.class, log.records.getLast());
        assertEquals(RCV_NXT, logged.seq());
        assertArrayEquals(filled(100, 3), logged.payload());
        assertEquals(TUPLE, logged.tuple());

        out(ours(SENT_END, RCV_NXT + 100, null, 0));
        assertTrue(link.isEmpty(), "clamped to the ACK the client may already have: a repeat, not sent");
        assertEquals(1, ssw.stats().suppressedRepeatAcks);

        // Our data carrying the ACK: clamped, not suppressed (released bytes from before takeover).
        out(ours(2000, RCV_NXT + 100, filled(10, 9), 0));
        assertEquals(RCV_NXT, only().ack());
        link.clear();

        stabilize();
        Parsed ack = only();
        assertEquals(ACK, ack.seg().flags);
        assertEquals(RCV_NXT + 100, ack.ack(), "the wrapper's own ACK once the segment is stable");
        assertEquals(ourSeq(SENT_END), ack.seg().seq, "at the end of what was released");
        assertEquals(TS_FLOOR + 10, ack.seg().tsVal, "the last TSval the client was sent");
        assertEquals(CLIENT_TS + 1, ack.seg().tsEcr);
        assertTrue(ack.checksumValid());
    }

    @Test
    void wrapperAcksBeforeAnyStackTsValCarryTheFloor() {
        adopt(false, false, false);
        in(client(RCV_NXT, filled(50, 3), 0, CLIENT_TS + 2));
        out(fromStack(seg(ACK, ourSeq(SENT_END), RCV_NXT + 50, 500), null)); // no timestamp option
        assertTrue(link.isEmpty());
        stabilize();
        Parsed ack = only();
        assertEquals(RCV_NXT + 50, ack.ack());
        assertEquals(TS_FLOOR, ack.seg().tsVal);
    }

    @Test
    void outputAfterAdoptionIsHeldUntilItsRequirementIsStable() {
        adopt(false, false, false);
        out(ours(SENT_END, RCV_NXT, filled(100, 1), 0));
        assertTrue(link.isEmpty(), "new output no requirement covers");
        long lsn = log.append(new Write(TUPLE, SENT_END, 1, 0), now);
        ssw.requireStable(TUPLE, SENT_END, SENT_END + 100, lsn);
        assertTrue(link.isEmpty(), "its requirement is not stable yet");
        stabilize();
        Parsed data = only();
        assertEquals(ourSeq(SENT_END), data.seg().seq);
        assertArrayEquals(filled(100, 1), data.payload());
        // released now: a retransmission passes at once
        log.append(new Write(TUPLE, SENT_END + 100, 1, 0), now);
        out(ours(SENT_END, RCV_NXT, filled(100, 1), 0));
        assertEquals(2, link.size());
    }

    @Test
    void retransmissionsOfBytesQueuedBeforeTakeoverAreNotHeld() {
        adopt(false, false, false);
        out(ours(1000, RCV_NXT, filled(1000, 4), 0));
        out(ours(2000, RCV_NXT, filled(1000, 5), 0));
        assertEquals(2, link.size(), "released by the old primary: no stability needed");
        assertEquals(0, ssw.stats().held);
        // A segment reaching past the released end waits for its new bytes' requirement.
        out(ours(2900, RCV_NXT, filled(200, 6), 0));
        assertEquals(2, link.size());
        assertEquals(1, ssw.stats().held);
        ssw.requireStable(TUPLE, SENT_END, SENT_END + 100, 0);
        assertEquals(3, link.size(), "LSN 0 needs nothing: released at once");
    }

    @Test
    void clientFinAndOurFinAreSeenThrough() {
        adopt(false, false, false);
        in(client(RCV_NXT, null, FIN, CLIENT_TS + 1));
        assertInstanceOf(Segment.class, log.records.getLast());
        out(ours(SENT_END, RCV_NXT + 1, null, 0));
        assertTrue(link.isEmpty(), "the client's FIN is not stable: our ACK of it waits");
        stabilize();
        assertEquals(RCV_NXT + 1, only().ack());
        link.clear();

        long close = log.append(new Close(TUPLE, Close.How.CLOSE), now);
        ssw.requireFinStable(TUPLE, SENT_END, close);
        out(ours(SENT_END, RCV_NXT + 1, null, FIN));
        assertTrue(link.isEmpty(), "our FIN waits for its CLOSE record");
        stabilize();
        assertEquals(ACK | FIN, only().seg().flags);
        in(client(RCV_NXT + 1, null, 0, CLIENT_TS + 2).duplicate()); // acknowledges... our data only
        assertEquals(1, ssw.connectionCount());
        in(fromClient(withTimestamps(seg(ACK, RCV_NXT + 1, ourSeq(SENT_END) + 1, 300), CLIENT_TS + 3, TS_FLOOR), null));
        assertTrue(log.records.getLast() instanceof Segment s && s.ack() == ourSeq(SENT_END) + 1,
                "the client's ACK of our FIN is logged");
        ssw.connectionClosed(TUPLE, CloseReason.CLOSED);
        assertEquals(0, ssw.connectionCount());
    }

    @Test
    void aFinQueuedBeforeTakeoverIsReleasedAlready() {
        adopt(true, true, false); // LAST_ACK: both FINs exchanged, ours not yet acknowledged
        out(ours(SENT_END, RCV_NXT + 1, null, FIN));
        assertEquals(1, link.size(), "the retransmitted FIN needs nothing new");
        in(fromClient(withTimestamps(seg(ACK, RCV_NXT + 1, ourSeq(SENT_END) + 1, 300), CLIENT_TS + 3, TS_FLOOR), null));
        assertEquals(1, ssw.connectionCount(), "retired, tracked until the host closes it");
        ssw.connectionClosed(TUPLE, CloseReason.CLOSED);
        assertEquals(0, ssw.connectionCount());
    }

    @Test
    void unknownConnectionsStayUntracked() {
        adopt(false, false, false);
        ByteBuffer stray = packet(CLIENT, CLIENT_PORT + 1, SERVICE, PORT, seg(ACK, 77, 88, 100), filled(5, 1), false);
        ssw.linkSide().accept(stray, now);
        assertEquals(1, stack.size());
        assertEquals(1, log.records.size(), "not logged");
        ssw.stackSide().accept(packet(SERVICE, PORT, CLIENT, CLIENT_PORT + 1, seg(ACK, 88, 82, 100), filled(5, 2), false), now);
        assertTrue(link.isEmpty());
        assertEquals(1, ssw.stats().untrackedDataDropped);
        assertEquals(1, ssw.connectionCount());
    }

    @Test
    void aConnectionOutsideTheServiceCannotBeAdopted() {
        FourTuple other = new FourTuple(SERVICE, PORT + 1, CLIENT, CLIENT_PORT);
        assertThrows(IllegalArgumentException.class, () -> ssw.adopt(new AdoptedConnection(other, CISN, SISN, 0, false,
                RCV_NXT, false, 0, false, false, 0, 0)));
        assertEquals(0, ssw.connectionCount());
    }

    @Test
    void passThroughTracksAndLogsNothing() {
        ssw.setPassThrough(true);
        TcpSegment syn = seg(SYN, CISN, 0, 1000);
        ByteBuffer synPacket = fromClient(syn, null);
        in(synPacket);
        ByteBuffer synAck = fromStack(seg(SYN | ACK, SISN, CISN + 1, 1000), null);
        out(synAck);
        ByteBuffer data = fromStack(seg(ACK | PSH, SISN + 1, CISN + 1, 1000), filled(10, 1));
        out(data);
        assertEquals(1, stack.size());
        assertEquals(2, link.size());
        assertArrayEquals(bytes(synAck), bytes(link.get(0)));
        assertArrayEquals(bytes(data), bytes(link.get(1)));
        assertEquals(1, log.records.size());
        assertEquals(0, ssw.connectionCount());
        assertFalse(log.records.stream().anyMatch(r -> r instanceof Connect));
    }

    @Test
    void aRestoredCheckpointMapsToItsAdoption() {
        byte[] queue = filled(2000, 1);
        TcpCheckpoint established = checkpoint(TcpState.ESTABLISHED, queue, false, false);
        AdoptedConnection a = AdoptedConnection.restored(established, 1000, 7 * MS);
        assertEquals(new AdoptedConnection(TUPLE, CISN, SISN, SHIFT, true, RCV_NXT, false, 3000, false, false, CLIENT_TS,
                established.tsValAt(7 * MS)), a);
        AdoptedConnection lastAck = AdoptedConnection.restored(checkpoint(TcpState.LAST_ACK, queue, true, true), 1000, 0);
        assertTrue(lastAck.ourFinSent() && !lastAck.ourFinAcked() && lastAck.clientFinReceived());
        assertEquals(3000, lastAck.sentEndOffset());
        // FIN-WAIT-2: our FIN (at offset 3000) is acknowledged, snd.una is past it
        AdoptedConnection finWait2 = AdoptedConnection.restored(checkpoint(TcpState.FIN_WAIT_2, new byte[0], false, false), 3001, 0);
        assertTrue(finWait2.ourFinSent() && finWait2.ourFinAcked());
        assertEquals(3000, finWait2.sentEndOffset());
    }

    static TcpCheckpoint checkpoint(TcpState state, byte[] sendQueue, boolean finQueued, boolean finReceived) {
        return new TcpCheckpoint(TUPLE, state, SISN, CISN, ourSeq(1000), ourSeq(1000) + sendQueue.length, 1000, 0, 0,
                RCV_NXT, 1000, 0, SHIFT, 1400, true, true, 12345, CLIENT_TS, sendQueue, finQueued, new byte[0],
                finReceived, true, false);
    }
}
