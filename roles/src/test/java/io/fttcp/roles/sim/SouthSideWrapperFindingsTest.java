package io.fttcp.roles.sim;

import io.fttcp.replication.record.Close;
import io.fttcp.replication.record.Record;
import io.fttcp.stack.host.Connection;
import io.fttcp.stack.host.HostConfig;
import io.fttcp.stack.host.IpHost;
import io.fttcp.stack.host.Listener;
import io.fttcp.stack.packet.Ipv4Packet;
import io.fttcp.stack.packet.TcpCodec;
import io.fttcp.stack.tcp.TcpSegment;
import io.fttcp.wrappers.ssw.ProtectedService;
import io.fttcp.wrappers.ssw.RecordSink;
import io.fttcp.wrappers.ssw.SouthSideWrapper;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Three south-side wrapper defects found by the simulation tests of this package, reduced to
 * scripted exchanges between a hand-written client and the real stack behind the wrapper. Seeds
 * that show them (replay with -Dfttcp.sim.seed=S):
 * <ul>
 *   <li>FIN retransmission dropped: PrimaryProtectionSimulationTest 8980687242452705866;</li>
 *   <li>PAWS ACK before the CONNECT is stable: PrimaryProtectionSimulationTest 4964755231383421102,
 *       2031837719367253884;</li>
 *   <li>stable edge stuck below the stack's ACK, repeat ACKs suppressed, the client never hears
 *       again: PrimaryProtectionSimulationTest 3353653250001538802, 1849856824390246208;
 *       StabilityStallSimulationTest 7818355392320362165 and 8 more of its first 100 seeds (two
 *       end in a reset, 2745607583857697287 and -8348744908749784521: the primary's TIME-WAIT ran
 *       out while the client still retransmitted).</li>
 * </ul>
 */
class SouthSideWrapperFindingsTest {
    static final int SERVICE = 0x0A000064, CLIENT = 0x0A000002, PORT = 5001, CLIENT_PORT = 40000;
    static final long MS = 1_000_000L;

    /** The stack behind the wrapper, a sink whose stability the test moves, and what reaches the link. */
    static final class Bench implements RecordSink {
        final List<Record> records = new ArrayList<>();
        final List<ByteBuffer> wire = new ArrayList<>();
        long stable;
        long now = 1_000 * MS;
        final SouthSideWrapper ssw = new SouthSideWrapper(new ProtectedService(SERVICE, PORT), this, (p, t) -> wire.add(copy(p)), false);
        final IpHost server = new IpHost(HostConfig.defaults(11, 12), ssw.stackSide());
        final Listener listener;

        Bench() {
            ssw.attachStack(server);
            server.addAddress(SERVICE);
            listener = server.listen(SERVICE, PORT, 8, l -> { });
        }

        @Override
        public long append(Record record, long now) {
            records.add(record);
            return records.size();
        }

        @Override
        public long stableLsn() {
            return stable;
        }

        void allStable() {
            stable = records.size();
            ssw.onStable(stable, now);
        }

        void fromClient(int flags, int seq, int ack, byte[] payload) {
            fromClient(flags, seq, ack, payload, 0);
        }

        /** With {@code tsVal} != 0: MSS, window scale, SACK permitted and a timestamp, as a kernel-like client's SYN has. */
        void fromClient(int flags, int seq, int ack, byte[] payload, int tsVal) {
            TcpSegment s = new TcpSegment();
            if (tsVal != 0) {
                s.mss = 1460;
                s.windowScale = 7;
                s.sackPermitted = true;
                s.hasTimestamp = true;
                s.tsVal = tsVal;
            }
            s.flags = flags;
            s.seq = seq;
            s.ack = ack;
            s.window = 65535;
            s.payload = payload.length == 0 ? null : ByteBuffer.wrap(payload);
            ByteBuffer b = ByteBuffer.allocate(20 + 60 + payload.length);
            int len = TcpCodec.write(s, CLIENT_PORT, PORT, CLIENT, SERVICE, b, 20);
            Ipv4Packet.writeHeader(b, 0, len, Ipv4Packet.PROTOCOL_TCP, CLIENT, SERVICE, 1, 64);
            b.limit(20 + len).position(0);
            ssw.receive(b, false, now);
        }

        /** Time passes: the stack's timers run. */
        void advance(long nanos) {
            long end = now + nanos;
            while (server.nextDeadline() <= end) {
                now = Math.max(now, server.nextDeadline());
                server.onTimer(now);
            }
            now = end;
        }

        int flags(ByteBuffer p) {
            return p.get(20 + 13) & 0xFF;
        }

        int seq(ByteBuffer p) {
            return p.getInt(20 + 4);
        }

        /** The client's handshake, released once its CONNECT is stable; returns our ISN. */
        int handshake(int clientIsn) {
            fromClient(TcpSegment.SYN, clientIsn, 0, new byte[0]);
            allStable();
            ByteBuffer synAck = wire.getLast();
            assertEquals(TcpSegment.SYN | TcpSegment.ACK, flags(synAck));
            int isn = seq(synAck);
            fromClient(TcpSegment.ACK, clientIsn + 1, isn + 1, new byte[0]);
            return isn;
        }

        private static ByteBuffer copy(ByteBuffer p) {
            ByteBuffer c = ByteBuffer.allocate(p.remaining());
            c.put(p.duplicate()).flip();
            return c;
        }
    }

    /**
     * A client segment below the stack's receive window (a reordered or retransmitted duplicate)
     * carries the ACK of our FIN. The stack drops such a segment, ACK field included (RFC 9293
     * 3.10.7.4: an unacceptable segment is answered with an ACK and dropped), so it still waits
     * for the ACK of its FIN; but the wrapper took the ACK as given, saw both FINs sent and
     * acknowledged, and forgot the connection. The stack's retransmitted FIN then counts as
     * output of an unknown connection and is dropped, every time: the client (in TIME-WAIT) is
     * never asked again, and the primary's connection times out (the simulation's symptom).
     */
    @Test
    void theStacksRetransmittedFinLeavesAfterAClientAckTheStackIgnored() {
        Bench b = new Bench();
        int c = 1_000_000, s = b.handshake(c);
        Connection conn = b.listener.poll();
        assertNotNull(conn, "established");
        byte[] data = {1, 2, 3, 4};
        b.fromClient(TcpSegment.ACK | TcpSegment.PSH, c + 1, s + 1, data);
        // The application shuts down its output: our FIN, once its CLOSE record is stable.
        long closeLsn = b.append(new Close(conn.tuple(), Close.How.SHUTDOWN_OUTPUT), b.now);
        b.ssw.requireFinStable(conn.tuple(), 0, closeLsn);
        conn.shutdownOutput(b.now);
        b.allStable();
        assertTrue((b.flags(b.wire.getLast()) & TcpSegment.FIN) != 0, "our FIN left");
        // The client's FIN crosses ours (it does not acknowledge ours yet).
        b.fromClient(TcpSegment.ACK | TcpSegment.FIN, c + 1 + data.length, s + 1, new byte[0]);
        b.allStable();
        // A late duplicate of the client's data, sent after it received our FIN: below the window.
        b.fromClient(TcpSegment.ACK, c + 1, s + 2, data);
        b.allStable();
        int before = b.wire.size();
        b.advance(3_000 * MS); // the stack's retransmission timer fires
        boolean finRetransmitted = false;
        for (ByteBuffer p : b.wire.subList(before, b.wire.size())) {
            if ((b.flags(p) & TcpSegment.FIN) != 0) finRetransmitted = true;
        }
        assertTrue(finRetransmitted, "the stack's FIN retransmission was dropped by the wrapper (stack state " + conn.state()
                + ", wrapper dropped " + b.ssw.stats().untrackedDataDropped + " packets as output of unknown connections,"
                + " tracks " + b.ssw.connectionCount() + " connections)");
    }

    /**
     * While our SYN-ACK is held (its CONNECT not yet stable) an older copy of the client's SYN
     * arrives (its first SYN, reordered behind the retransmission, so with a lower TSval): the
     * stack, in SYN-RECEIVED, fails it on PAWS (RFC 7323 5.3) and answers with a bare ACK, and
     * the wrapper lets that ACK out at once, before the SYN-ACK, so the client sees our ISN
     * and an acknowledgement of its SYN before the CONNECT record is stable. Harmless to a
     * client in SYN-SENT (it drops an ACK without SYN), but it breaks the rule that nothing of a
     * connection leaves before its handshake is logged stably (DESIGN.md §3 rule 2).
     */
    @Test
    void nothingOfAConnectionLeavesBeforeItsConnectIsStable() {
        Bench b = new Bench();
        b.fromClient(TcpSegment.SYN, 5_000, 0, new byte[0], 2_000); // the client's retransmitted SYN
        assertEquals(0, b.wire.size(), "SYN-ACK held");
        b.now += MS;
        b.fromClient(TcpSegment.SYN, 5_000, 0, new byte[0], 1_000); // its first SYN, delayed (reordered) by the network
        assertEquals(0, b.wire.size(), "a packet of the connection left before its CONNECT record was stable: flags 0x"
                + (b.wire.isEmpty() ? "" : Integer.toHexString(b.flags(b.wire.getFirst()))));
        b.allStable();
        assertEquals(TcpSegment.SYN | TcpSegment.ACK, b.flags(b.wire.getFirst()), "the SYN-ACK leaves first");
    }

    /**
     * The backup is slow while the client's segments arrive out of order: 66 segments land beyond
     * a gap each (every second one of 132 is late), then the late ones fill the gaps, and only
     * then does the backup acknowledge everything at once. Every byte the client sent is now in
     * stable records and the stack has acknowledged all of it, so the client must be told so.
     * But the wrapper absorbs stable ranges in LSN order, keeps at most 64 "islands" beyond the
     * stable edge and silently drops the rest, so its stable edge stops at the first dropped
     * island for good. From then on every ACK of the stack is clamped to that edge, and as a
     * repeat of the last ACK sent it is suppressed: when the client retransmits at the edge (it
     * lost that ACK, or times out), it hears nothing, ever, and its connection times out. (The
     * simulation's symptom: StabilityStallSimulationTest, -Dfttcp.sim.seed=7818355392320362165:
     * the wrapper's stable edge stays 263 KB below the stack's ACK, and the client retransmits
     * below it, unanswered, until it gives up.)
     */
    @Test
    void everyStablyLoggedByteIsAcknowledgedWhateverTheOrderItArrivedIn() {
        Bench b = new Bench();
        int c = 7_000_000, s = b.handshake(c);
        int segments = 132, size = 100;
        byte[] data = new byte[size];
        for (int i = 1; i < segments; i += 2) b.fromClient(TcpSegment.ACK, c + 1 + i * size, s + 1, data); // beyond gaps
        for (int i = 0; i < segments; i += 2) b.fromClient(TcpSegment.ACK, c + 1 + i * size, s + 1, data); // the gaps
        b.allStable();
        int sentBefore = b.wire.size();
        // The client, having heard nothing, retransmits its first segment; the stack answers with
        // an ACK of everything, and everything is stable: the client must see it.
        b.fromClient(TcpSegment.ACK, c + 1, s + 1, data);
        b.allStable();
        int end = c + 1 + segments * size;
        int highest = c + 1;
        for (ByteBuffer p : b.wire) {
            int ack = p.getInt(20 + 8);
            if (ack - highest > 0) highest = ack;
        }
        assertEquals(Integer.toUnsignedString(end), Integer.toUnsignedString(highest),
                "highest ACK the client was sent (" + (highest - c - 1) + " of " + segments * size + " bytes, all stably logged; "
                        + (b.wire.size() - sentBefore) + " packets sent after the retransmission, " + b.ssw.stats().suppressedRepeatAcks
                        + " repeat ACKs suppressed)");
    }
}
