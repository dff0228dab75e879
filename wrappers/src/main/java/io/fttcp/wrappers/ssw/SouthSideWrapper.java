package io.fttcp.wrappers.ssw;

import io.fttcp.replication.record.Close;
import io.fttcp.replication.record.Connect;
import io.fttcp.replication.record.Heartbeat;
import io.fttcp.replication.record.Segment;
import io.fttcp.stack.host.IpPacketSink;
import io.fttcp.stack.host.OffloadingPacketSink;
import io.fttcp.stack.packet.Ipv4Packet;
import io.fttcp.stack.packet.TcpCodec;
import io.fttcp.stack.tcp.CloseReason;
import io.fttcp.stack.tcp.FourTuple;
import io.fttcp.stack.tcp.TcpSegment;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The primary's south-side wrapper (DESIGN.md §2-§4), sans-I/O: IPv4 packets in from the link
 * ({@link #receive}) and from the stack ({@link #stackSide()}), packets out to the other side,
 * records out to a {@link RecordSink}, stability in through {@link #onStable}. It sees the stack
 * only through packets.
 *
 * <ul>
 *   <li>Protected traffic is TCP to/from one service address and its ports; everything else
 *       passes untouched both ways, without allocation.</li>
 *   <li>Inbound: a client SYN is remembered and passed on; every later client segment of a
 *       connection whose CONNECT is logged becomes a SEGMENT record, then goes to the stack at
 *       once. Segments of unknown connections pass (the stack answers them with RST).</li>
 *   <li>Outbound: the first SYN-ACK logs the CONNECT record; SYN-ACKs leave once it is stable.
 *       Every ACK is clamped to the stable client sequence with the window widened; clamped
 *       pure ACKs that would repeat the last ACK are not sent, and {@link #onStable} sends the
 *       ACK itself when stability advances. Output commit: data and FIN leave only once the
 *       LSN given by {@link #requireStable} is stable; held packets leave in order.</li>
 *   <li>Fenced ({@link #setFenced}): nothing protected leaves.</li>
 * </ul>
 *
 * <p>Segmentation offload: a super-segment is held or released as a whole, so when only part
 * of it is committed, all of it waits (at most one offload unit of extra latency).
 *
 * <p>Connections are forgotten when both FINs were sent and acknowledged, or when an RST ends
 * them. The backup learns the same from the log: the client's FIN and its ACK of our FIN are
 * SEGMENT records, our side's shutdown is the north-side wrapper's CLOSE record; a client RST is
 * a SEGMENT with the RST flag; and a connection the stack ends on its own (an abort, whatever
 * caused it, or a retransmission or keepalive timeout) is a CLOSE of kind RESET logged here
 * ({@link #connectionClosed}).
 *
 * <p>Limits: SACK blocks of a clamped ACK are left as the stack wrote them (they describe data
 * above the stack's ACK, so above the clamp too; the client keeps SACKed data until it is
 * cumulatively acknowledged, so this is safe, but a client may see a hole between the clamped
 * ACK and the first block). A widened window is capped at 65535 units. A connection whose
 * handshake was logged but that the host dropped silently stays tracked until
 * {@link #connectionClosed} is called.
 *
 * <p>Not thread-safe: one thread (the host's) calls everything. Calls may nest: the stack emits
 * from inside the {@link #receive} call that fed it.
 *
 * <p>Wiring: {@code ssw = new SouthSideWrapper(service, records, link, false)}; the host is
 * {@code new IpHost(config, ssw.stackSide())}; then {@code ssw.attachStack(...)} with the host,
 * and the link delivers to {@link #receive} (or {@link #linkSide()}). The replication channel's
 * acknowledgements reach {@link #onStable} on the host's thread; the north-side wrapper calls
 * {@link #requireStable} before it hands bytes to the stack.
 */
public final class SouthSideWrapper {
    /** Client SYNs remembered at once before the oldest unanswered ones are swept. */
    static final int MAX_PENDING_HANDSHAKES = 16_384;
    /** A remembered SYN the stack never answered is swept after this long. */
    static final long STALE_HANDSHAKE_NANOS = 75_000_000_000L;
    /** How long a connection closed both ways stays tracked after the stack last sent on it (beyond TIME-WAIT). */
    static final long RETIRED_LINGER_NANOS = 120_000_000_000L;
    /** A client pure ACK is logged at least this often per connection, and whenever it moves the acknowledgement this far. */
    static final long PURE_ACK_LOG_INTERVAL_NANOS = 2_000_000L;
    static final int PURE_ACK_LOG_BYTES = 256 * 1024;
    /** A logged window field below this (in the client's scaled units) counts as nearly closed. */
    static final int SMALL_WINDOW_FIELD = 64;

    private static final byte[] NO_PAYLOAD = new byte[0];

    private final ProtectedService service;
    private final RecordSink log;
    private final IpPacketSink link;
    private final OffloadingPacketSink offloadingLink;
    private final boolean stackWritesPartialChecksums;
    private StackInput stack = (p, trusted, now) -> {
        throw new IllegalStateException("no stack attached to the south-side wrapper; call attachStack first");
    };

    private final ConnectionMap<ProtectedConnection> connections = new ConnectionMap<>();
    private final SswStats stats = new SswStats();
    // Inbound and outbound parse into separate views: the stack emits from inside inbound calls.
    private final Ipv4Packet inIp = new Ipv4Packet(), outIp = new Ipv4Packet();
    private final TcpCodec inTcp = new TcpCodec(), outTcp = new TcpCodec();
    private final TcpSegment inSeg = new TcpSegment(), outSeg = new TcpSegment();
    private final OutgoingPacket current = new OutgoingPacket();
    private final WrapperAckWriter ackWriter = new WrapperAckWriter();
    private List<ProtectedConnection> waiting = new ArrayList<>();
    private List<ProtectedConnection> waitingSpare = new ArrayList<>();
    private final List<ProtectedConnection> tsValChanged = new ArrayList<>();
    private final IpPacketSink linkSide = (packet, now) -> receive(packet, false, now);
    private final IpPacketSink stackSide;
    private int pendingHandshakes;
    private long stableLsn = Long.MIN_VALUE;
    private long lastNow;
    private long lastRetiredSweep = Long.MIN_VALUE / 2;
    private boolean fenced;
    private boolean passThrough;
    /** The primary's lease ends here (monotonic ns); Long.MAX_VALUE: no lease applies. */
    private long leaseUntil = Long.MAX_VALUE;

    /**
     * @param link                        where packets to the network go (offloads are offered to
     *                                    the stack only if this is an {@link OffloadingPacketSink})
     * @param stackWritesPartialChecksums the stack's TCP checksums are partial (pseudo-header sum
     *                                    only, device-completed) even on its plain path; packets
     *                                    it sends through {@code acceptTcpOffloaded} always are
     */
    public SouthSideWrapper(ProtectedService service, RecordSink log, IpPacketSink link,
                            boolean stackWritesPartialChecksums) {
        this.service = service;
        this.log = log;
        this.link = link;
        this.offloadingLink = link instanceof OffloadingPacketSink o ? o : null;
        this.stackWritesPartialChecksums = stackWritesPartialChecksums;
        this.stackSide = offloadingLink != null ? new OffloadingStackSide() : this::fromStack;
    }

    /**
     * Where received packets go: the stack. Set once the stack exists (it needs {@link #stackSide()}
     * first). This form drops the link's checksum verdict: for links without receive offload.
     */
    public void attachStack(IpPacketSink stack) {
        this.stack = (packet, trusted, now) -> stack.accept(packet, now);
    }

    /** Where received packets go, with the link's checksum verdict passed on. */
    public void attachStack(StackInput stack) {
        this.stack = stack;
    }

    /** A sink for links without receive offload: every checksum is verified ({@link #receive} with false). */
    public IpPacketSink linkSide() {
        return linkSide;
    }

    /** The sink the stack sends through; an {@link OffloadingPacketSink} when the link is one. */
    public IpPacketSink stackSide() {
        return stackSide;
    }

    public SswStats stats() {
        return stats;
    }

    /** Protected connections the wrapper tracks (handshakes included). */
    public int connectionCount() {
        return connections.size();
    }

    public boolean isFenced() {
        return fenced;
    }

    /**
     * The primary's lease: from {@code untilNanos} on, nothing protected leaves, exactly as if
     * fenced, checked at every emission (so a process that wakes from a stall cannot emit before
     * whoever renews the lease runs). Long.MAX_VALUE: no lease (unprotected, or not yet started).
     */
    public void setLeaseUntil(long untilNanos) {
        this.leaseUntil = untilNanos;
    }

    /**
     * Until when this host may emit anything at all on the service's link, asked by the Ethernet
     * interface for every frame (ARP and unprotected traffic included: they carry the service's
     * MAC, and a switch learns it from them) and passed with the frame to a link that writes
     * later (the TAP's writer thread): the lease's end; Long.MIN_VALUE while fenced; no limit
     * (Long.MAX_VALUE) without a lease or in pass-through (a backup before its takeover). Host
     * lock held (the sender's).
     */
    public long emissionDeadline() {
        if (passThrough) return Long.MAX_VALUE;
        return fenced ? Long.MIN_VALUE : leaseUntil;
    }

    private boolean fencedAt(long now) {
        return fenced || leaseUntil != Long.MAX_VALUE && now - leaseUntil >= 0;
    }

    /** While fenced (the lease expired), nothing protected leaves: packets are dropped and counted, held ones stay held. */
    public void setFenced(boolean fenced) {
        this.fenced = fenced;
    }

    /**
     * While on, every packet passes untouched both ways and nothing is tracked or logged: a
     * backup before takeover, whose stack sees only stray traffic (it has no service address
     * yet). Off by default. Connections tracked when it is turned on are ignored, not forgotten.
     */
    public void setPassThrough(boolean passThrough) {
        this.passThrough = passThrough;
    }

    public boolean isPassThrough() {
        return passThrough;
    }

    /**
     * Protects a connection just restored into the stack (takeover: a backup becomes a protected
     * primary) as if the wrapper had seen its handshake: from now on its client segments are
     * logged, its ACKs clamped to stable input, its new output held until committed, its close
     * seen through. No CONNECT is logged (the old primary's records hold it); its client bytes
     * below {@link AdoptedConnection#rcvNxt()} count as stable and its output below
     * {@link AdoptedConnection#sentEndOffset()} (and a FIN queued there) as released. Call on the
     * host's thread right after the restore, before the stack sends anything on it. A connection
     * tracked under the same four-tuple is replaced.
     *
     * @throws IllegalArgumentException if the connection is not on the service address and ports
     */
    public void adopt(AdoptedConnection adopted) {
        FourTuple t = adopted.tuple();
        if (t.localAddress() != service.address() || !service.coversPort(t.localPort())) {
            throw new IllegalArgumentException(t + " is not a connection of " + service);
        }
        long key = ConnectionMap.key(t.remoteAddress(), t.remotePort(), t.localPort());
        ProtectedConnection old = connections.get(key);
        if (old != null) forget(old);
        ProtectedConnection c = new ProtectedConnection(key, t);
        c.adopt(adopted);
        connections.put(key, c);
        stats.connectionsAdopted++;
        if (c.closedBothWays()) retire(c, lastNow);
    }

    // ---- stability and output commit -------------------------------------------------------

    /**
     * Records up to {@code lsn} are stable: release SYN-ACKs and committed output, advance the
     * stable client sequence, and send an ACK where the client may now learn more.
     */
    public void onStable(long lsn, long now) {
        lastNow = now;
        if (lsn > stableLsn) stableLsn = lsn;
        long stable = currentStable();
        List<ProtectedConnection> work = waiting;
        waiting = waitingSpare;
        waitingSpare = work;
        for (ProtectedConnection c : work) {
            c.waiting = false;
            if (c.forgotten) continue;
            if (c.receive != null) c.receive.advance(stable);
            if (c.hasHeld()) release(c, now);
            if (!c.forgotten) sendAckIfStabilityAdvanced(c, now);
            if (!c.forgotten && (c.hasHeld() || c.receive != null && c.receive.hasPending())) markWaiting(c);
        }
        work.clear();
    }

    /**
     * Output commit: our bytes of {@code connection} below stream offset {@code streamOffsetEnd}
     * (0 = the first byte after our SYN), from the end of the previous requirement on, may leave
     * only once LSN {@code lsn} is stable. The north-side wrapper calls this before handing the
     * bytes to the stack; bytes no requirement covers are held. Unknown connections are ignored.
     */
    public void requireStable(FourTuple connection, long streamOffsetEnd, long lsn) {
        requireStable(connection, streamOffsetEnd, streamOffsetEnd, lsn);
    }

    /**
     * Like {@link #requireStable(FourTuple, long, long)} for the bytes [start, end) of one write:
     * requirements already covering bytes at or above {@code start} (the unwritten rest of an
     * earlier partial write) are raised to {@code lsn} too.
     */
    public void requireStable(FourTuple connection, long streamOffsetStart, long streamOffsetEnd, long lsn) {
        if (connection.localAddress() != service.address()) return;
        ProtectedConnection c = connections.get(
                ConnectionMap.key(connection.remoteAddress(), connection.remotePort(), connection.localPort()));
        if (c == null || c.forgotten) return;
        c.commit.require(streamOffsetStart, streamOffsetEnd, lsn);
        if (c.hasHeld()) release(c, lastNow);
    }

    /** Our FIN, which follows the byte at {@code finalOffset - 1}, may leave once {@code lsn} (the CLOSE record) is stable. */
    public void requireFinStable(FourTuple connection, long finalOffset, long lsn) {
        requireStable(connection, finalOffset, finalOffset + 1, lsn);
    }

    /**
     * The host forgot {@code connection}, which ended {@code how}: stop tracking it. The runtime
     * calls this from the stack's close event. A connection the stack ended on its own side
     * (aborted: the application's abort or a close with input unread, a full accept queue, a
     * closed listener; or timed out: retransmissions or keepalives unanswered) is logged as a
     * CLOSE of kind RESET: nothing else in the log says it is over (no FIN exchange follows, and
     * the client's last word, if any, is not an RST), so the backup would restore it at a
     * takeover, towards a client reset or gone, and the records kept for the next backup or
     * logger would keep it for as long as the service runs.
     */
    public void connectionClosed(FourTuple connection, CloseReason how) {
        if (connection.localAddress() != service.address()) return;
        ProtectedConnection c = connections.get(
                ConnectionMap.key(connection.remoteAddress(), connection.remotePort(), connection.localPort()));
        if (c == null) return;
        // An orderly end is never a handshake's not yet logged: an older incarnation's TIME-WAIT
        // no longer tracked here ended, and the entry is the new one's.
        if (how == CloseReason.CLOSED && c.connectLsn < 0) return;
        if (c.abortHeld) return; // tracked until its RST leaves, after the output held before it (see abort)
        if (how == CloseReason.ABORTED || how == CloseReason.TIMED_OUT) logStackReset(c); // it sent no RST, or none that passed here
        forget(c);
        ProtectedConnection next = c.successor;
        if (next != null && how == CloseReason.CLOSED) {
            // A TIME-WAIT the client's new SYN ended (our stack takes it as a new incarnation
            // before answering): that SYN's handshake is tracked on, and its SYN-ACK logs a
            // CONNECT that tells the backup the old incarnation is gone.
            connections.put(next.key, next);
            pendingHandshakes++;
        }
    }

    /** See {@link #connectionClosed} (and {@link #sweepRetired}): once per connection whose handshake is logged. */
    private void logStackReset(ProtectedConnection c) {
        if (c.connectLsn < 0 || c.stackResetLogged) return;
        c.stackResetLogged = true;
        log.append(new Close(c.tuple, Close.How.RESET), lastNow);
        stats.stackResetsLogged++;
    }

    /**
     * The connections whose highest TSval sent by the stack changed since the last call, for
     * the next HEARTBEAT ({@link Heartbeat#maxTsVals()}).
     */
    public List<Heartbeat.TsVal> changedMaxTsVals() {
        List<Heartbeat.TsVal> out = new ArrayList<>(tsValChanged.size());
        for (ProtectedConnection c : tsValChanged) {
            c.tsValChanged = false;
            if (!c.forgotten) out.add(new Heartbeat.TsVal(c.tuple, c.maxTsVal));
        }
        tsValChanged.clear();
        return out;
    }

    private long currentStable() {
        return Math.max(stableLsn, log.stableLsn());
    }

    private boolean isStable(long lsn) {
        return lsn != OutputCommit.UNCOVERED && lsn <= currentStable();
    }

    /** The CONNECT is stable (a released handshake, or an adopted connection, proves it: stability only grows). */
    private boolean connectStable(ProtectedConnection c) {
        return c.handshakeReleased || isStable(c.connectLsn);
    }

    private void markWaiting(ProtectedConnection c) {
        if (!c.waiting) {
            c.waiting = true;
            waiting.add(c);
        }
    }

    // ---- inbound: link -> stack -------------------------------------------------------------

    /**
     * A packet from the link. {@code checksumTrusted}: the link vouches for its checksums (a
     * partial checksum from a local sender, or verified by the device), so they are not checked
     * here and the stack is told so; otherwise a protected segment with a bad checksum is dropped
     * before it could be logged.
     */
    public void receive(ByteBuffer packet, boolean checksumTrusted, long now) {
        lastNow = now;
        if (passThrough || !isProtectedInbound(packet)) {
            stack.accept(packet, checksumTrusted, now);
            return;
        }
        if (inIp.parse(packet) != null || inTcp.parse(inIp, checksumTrusted, inSeg) != null) {
            stats.malformedDropped++; // never logged, so never acted on
            return;
        }
        long key = ConnectionMap.key(inIp.source(), inTcp.sourcePort(), inTcp.destinationPort());
        ProtectedConnection c = connections.get(key);
        if ((inSeg.flags & (TcpSegment.SYN | TcpSegment.ACK | TcpSegment.RST)) == TcpSegment.SYN) {
            clientSyn(c, key, now);
        } else if (c != null && c.connectLsn >= 0) {
            logSegment(c, packet, now);
        }
        // Bookkeeping is done: the stack may answer from inside this call.
        stack.accept(packet, checksumTrusted, now);
    }

    private void clientSyn(ProtectedConnection c, long key, long now) {
        if (c == null) {
            if (pendingHandshakes >= MAX_PENDING_HANDSHAKES) sweepStaleHandshakes(now);
            sweepRetired(now);
            if (pendingHandshakes >= MAX_PENDING_HANDSHAKES) {
                stats.synsNotTracked++; // its SYN-ACK will be dropped; the client retransmits the SYN
                return;
            }
            c = new ProtectedConnection(key, new FourTuple(inIp.destination(), inTcp.destinationPort(),
                    inIp.source(), inTcp.sourcePort()));
            connections.put(key, c);
            pendingHandshakes++;
            c.rememberSyn(inSeg, now);
        } else if (c.connectLsn < 0) {
            c.rememberSyn(inSeg, now); // a retransmitted SYN (or a new ISN) before our SYN-ACK
        } else if (inSeg.seq != c.clientIsn) {
            // A new ISN on a logged connection: usually a SYN the stack answers with a challenge
            // ACK (RFC 5961), but a stack may accept it as a new incarnation (TIME-WAIT reuse).
            // Kept aside until a SYN-ACK shows which.
            ProtectedConnection next = new ProtectedConnection(key, c.tuple);
            next.rememberSyn(inSeg, now);
            c.successor = next;
        }
        // Otherwise a retransmitted SYN of the logged handshake: nothing to log.
    }

    private void sweepStaleHandshakes(long now) {
        connections.forEach(c -> {
            if (c.connectLsn < 0 && now - c.synAt > STALE_HANDSHAKE_NANOS) forget(c);
        });
    }

    /**
     * A pure ACK whose news the backup can do without: it only trims the output the backup keeps
     * and moves the restored snd.una (a lower bound either way: the restored connection
     * retransmits from there and the client discards what it has). Logged anyway when it moves
     * the acknowledgement far, shrinks the window, acknowledges our FIN, or the last logged
     * segment is old; otherwise a fast download would log a record per client ACK.
     */
    private boolean thinnable(ProtectedConnection c, TcpSegment s, int length, long now) {
        if (length != 0 || (s.flags & (TcpSegment.SYN | TcpSegment.FIN | TcpSegment.RST)) != 0 || !s.has(TcpSegment.ACK)) return false;
        if (!c.loggedAny || now - c.loggedAt >= PURE_ACK_LOG_INTERVAL_NANOS) return false;
        if (s.ack - c.loggedAck >= PURE_ACK_LOG_BYTES || s.ack - c.loggedAck < 0) return false;
        // A shrinking window, or one reopening from (nearly) closed: the restored connection
        // must not believe the client cannot take data when it can.
        if (s.window < c.loggedWindow || c.loggedWindow < SMALL_WINDOW_FIELD) return false;
        return !(c.ourFinSent && s.ack - c.ourFinEnd >= 0);
    }

    private void logSegment(ProtectedConnection c, ByteBuffer packet, long now) {
        TcpSegment s = inSeg;
        int length = inTcp.payloadLength();
        if (s.hasTimestamp) c.latestClientTsVal = s.tsVal; // the wrapper's own ACKs echo it, logged or not
        if (thinnable(c, s, length, now)) {
            stats.pureAcksThinned++;
            return;
        }
        if (s.has(TcpSegment.ACK) && (!c.loggedAny || s.ack - c.loggedAck > 0)) c.loggedAck = s.ack;
        c.loggedAny = true;
        c.loggedAt = now;
        c.loggedWindow = s.window;
        byte[] payload = NO_PAYLOAD;
        if (length > 0) {
            payload = new byte[length];
            packet.get(inTcp.payloadOffset(), payload);
        }
        long lsn = log.append(new Segment(c.tuple, s.seq, s.ack, s.flags, s.window,
                s.hasTimestamp ? s.tsVal : 0, s.hasTimestamp ? s.tsEcr : 0, payload), now);
        stats.segmentsLogged++;
        c.clientSegmentLogged = true;
        int fin = s.has(TcpSegment.FIN) ? 1 : 0;
        if (length + fin > 0) {
            c.receive.logged(lsn, s.seq, s.seq + length + fin);
            markWaiting(c);
        }
        if (fin != 0) {
            c.clientFinSeen = true;
            c.clientFinEnd = s.seq + length + 1;
        }
        if (s.hasTimestamp) c.latestClientTsVal = s.tsVal;
        // Data the client sends again below what we acknowledged means it missed our ACK: the
        // stack's answer may repeat the last ACK we sent, and must (it is not a spurious duplicate).
        if (length + fin > 0 && c.handshakeReleased && s.seq - c.lastAckSent < 0) c.clientRetransmitted = true;
        if (s.has(TcpSegment.ACK) && c.ourFinSent && s.ack - c.ourFinEnd >= 0) c.ourFinAcked = true;
        if (s.has(TcpSegment.RST)) {
            // RFC 5961: the stack accepts only an RST exactly at its rcv_nxt; others get a challenge ACK.
            if (c.hasStackAck && s.seq == c.stackAck) forget(c);
        } else if (c.closedBothWays()) {
            retire(c, now);
        }
    }

    private boolean isProtectedInbound(ByteBuffer p) {
        int o = p.position();
        if (p.remaining() < Ipv4Packet.MIN_HEADER_LENGTH) return false;
        int versionIhl = p.get(o) & 0xFF;
        if (versionIhl >>> 4 != 4 || p.get(o + 9) != Ipv4Packet.PROTOCOL_TCP || p.getInt(o + 16) != service.address()) {
            return false;
        }
        int ihl = (versionIhl & 0x0F) * 4;
        return p.remaining() >= ihl + 4 && service.coversPort(p.getShort(o + ihl + 2) & 0xFFFF);
    }

    // ---- outbound: stack -> link ------------------------------------------------------------

    private final class OffloadingStackSide implements OffloadingPacketSink {
        @Override
        public void accept(ByteBuffer packet, long now) {
            fromStack(packet, now);
        }

        @Override
        public void acceptTcpOffloaded(ByteBuffer packet, int tcpOffset, int headerLength, int segmentSize, long now) {
            fromStack(packet, now, true, tcpOffset, headerLength, segmentSize);
        }
    }

    private void fromStack(ByteBuffer packet, long now) {
        fromStack(packet, now, false, 0, 0, 0);
    }

    private void fromStack(ByteBuffer packet, long now, boolean offloaded, int tcpOffset, int headerLength,
                           int segmentSize) {
        lastNow = now;
        if (passThrough || !isProtectedOutbound(packet)) {
            if (offloaded) offloadingLink.acceptTcpOffloaded(packet, tcpOffset, headerLength, segmentSize, now);
            else link.accept(packet, now);
            return;
        }
        if (fencedAt(now)) {
            stats.droppedWhileFenced++;
            return;
        }
        // The stack's own checksum is trusted (and may be partial): not verified here.
        if (outIp.parse(packet) != null || outTcp.parse(outIp, true, outSeg) != null) {
            stats.malformedDropped++;
            return;
        }
        OutgoingPacket o = current.set(packet, offloaded ? tcpOffset : outIp.headerLength(), headerLength, segmentSize,
                offloaded, offloaded || stackWritesPartialChecksums, outSeg, outTcp.payloadLength());
        ProtectedConnection c = connections.get(ConnectionMap.key(outIp.destination(), outTcp.destinationPort(),
                outTcp.sourcePort()));
        if (c == null || c.connectLsn < 0 && !o.isSynAck()) {
            untracked(c, o, now);
            return;
        }
        if (o.isSynAck() && c.connectLsn >= 0 && c.successor != null && outSeg.ack == c.successor.clientIsn + 1) {
            // The stack took the new SYN as a new incarnation: its CONNECT (same tuple, new
            // ISNs) tells the backup the old one is gone.
            ProtectedConnection next = c.successor;
            forget(c);
            connections.put(next.key, next);
            pendingHandshakes++;
            c = next;
        }
        noteStackOutput(c, o);
        if (o.isSynAck()) {
            if (c.connectLsn < 0) logConnect(c, now);
            if (!c.hasHeld() && connectStable(c)) emit(c, o, now);
            else if (c.hasHeld() && c.held.peekLast().isSynAck()) stats.heldDuplicatesDropped++; // one is waiting already
            else hold(c, o);
            return;
        }
        if (!connectStable(c)) {
            // DESIGN rule 2: nothing of a connection leaves before its handshake is logged stably
            // (e.g. the bare ACK a stack in SYN-RECEIVED answers an old duplicate SYN with).
            stats.droppedBeforeConnectStable++;
            return;
        }
        c.receive.advance(currentStable());
        if (c.hasHeld()) release(c, now);
        if (c.forgotten) {
            untracked(null, o, now);
            return;
        }
        if (c.abortHeld) {
            // The stack no longer has the connection and answers the client's segments with RSTs:
            // the held abort ends it for the client, after the output the stack sent before it.
            stats.resetsBehindHeldAbortDropped++;
            return;
        }
        if (o.has(TcpSegment.RST)) {
            // With ACK the stack aborts the connection and closes it at once (its close event
            // follows within this call); without, it answers an unacceptable segment and keeps it.
            if (o.has(TcpSegment.ACK)) abort(c, o, now);
            else emit(c, o, now);
            return;
        }
        int length = o.payloadLength + (o.has(TcpSegment.FIN) ? 1 : 0);
        if (length == 0) {
            emit(c, o, now);
            return;
        }
        long start = c.streamOffset(o.seq);
        o.streamEnd = start + length;
        c.advanceReference(o.seq + length, o.streamEnd);
        if (o.streamEnd <= c.releasedEnd) {
            emit(c, o, now); // a retransmission of bytes already released
        } else if (!c.hasHeld() && isStable(c.commit.lsnNeededBelow(o.streamEnd))) {
            c.released(o.streamEnd);
            emit(c, o, now);
        } else if (o.streamEnd <= c.heldEnd) {
            stats.heldDuplicatesDropped++; // a retransmission of bytes a held packet will carry
        } else {
            if (!c.hasHeld()) c.heldEnd = c.releasedEnd;
            if (start <= c.heldEnd) c.heldEnd = o.streamEnd;
            hold(c, o);
        }
    }

    /**
     * The stack aborted {@code c} (the application's abort or a close with input unread, a full
     * accept queue, a closed listener). Its RST leaves after every packet the stack sent before
     * it: at once if none is held, else right after the last of them is released; then the
     * connection is logged as over (a CLOSE of kind RESET) and forgotten. Before, the RST left at
     * once and the held output never did: an application that wrote an answer and then closed
     * with input unread (an HTTP server refusing an upload) had its answer delivered unprotected,
     * and reset away protected.
     *
     * <p>The record is written when the RST leaves, not before: a primary lost while the RST waits
     * leaves a log in which the connection lives on, with its application's close, so the backup
     * restores it and sends the answer and a FIN (the client's next bytes, if any, draw the RST).
     * Logged first, it made the backup give the connection up while its client, told nothing,
     * could wait for the answer for good.
     */
    private void abort(ProtectedConnection c, OutgoingPacket o, long now) {
        if (c.hasHeld()) {
            c.abortHeld = true;
            hold(c, o);
            return;
        }
        logStackReset(c);
        emit(c, o, now);
    }

    /** A protected packet of a connection without a logged handshake. */
    private void untracked(ProtectedConnection c, OutgoingPacket o, long now) {
        if (o.has(TcpSegment.SYN)) {
            stats.untrackedSynAcksDropped++; // no remembered SYN to log a CONNECT from
            return;
        }
        if (o.sequenceLength() > 0 && !o.has(TcpSegment.RST)) {
            stats.untrackedDataDropped++; // output never leaves uncommitted
            return;
        }
        sendDown(o, now); // RSTs for stray segments, ACKs after a connection was forgotten
        if (c != null && o.has(TcpSegment.RST)) forget(c);
    }

    private void logConnect(ProtectedConnection c, long now) {
        TcpSegment s = outSeg;
        c.handshake(s);
        c.connectLsn = log.append(new Connect(c.tuple, c.clientIsn, s.seq, c.clientMss, s.mss, c.clientWindowShift,
                s.windowScale, c.clientSack && s.sackPermitted, c.timestamps, s.hasTimestamp ? s.tsVal : 0,
                c.clientSynTsVal, c.clientWindow), now);
        stats.connectsLogged++;
        pendingHandshakes--;
    }

    /** Tracks what the stack itself said (before any clamping): its ACK, right edge and TSval. */
    private void noteStackOutput(ProtectedConnection c, OutgoingPacket o) {
        ByteBuffer b = o.buffer;
        int tcp = b.position() + o.tcpOffset;
        if (o.has(TcpSegment.ACK)) {
            int ack = b.getInt(tcp + TcpCodec.ACK_OFFSET);
            int window = b.getShort(tcp + TcpCodec.WINDOW_OFFSET) & 0xFFFF;
            int shift = o.has(TcpSegment.SYN) ? 0 : c.ourShift; // RFC 7323: a SYN's window is never scaled
            int rightEdge = ack + (window << shift);
            if (!c.hasStackAck || ack - c.stackAck > 0) c.stackAck = ack;
            if (!c.hasStackAck || rightEdge - c.stackRightEdge > 0) c.stackRightEdge = rightEdge;
            c.hasStackAck = true;
        }
        if (o.hasTimestamp && (!c.hasTsVal || o.tsVal - c.maxTsVal > 0)) {
            c.maxTsVal = o.tsVal;
            c.hasTsVal = true;
            if (!c.tsValChanged) {
                c.tsValChanged = true;
                tsValChanged.add(c);
            }
        }
    }

    private void hold(ProtectedConnection c, OutgoingPacket o) {
        if (c.held == null) c.held = new ArrayDeque<>();
        c.held.add(o.copy());
        stats.held++;
        stats.heldPackets++;
        stats.heldBytes += o.buffer.remaining();
        markWaiting(c);
    }

    /** Sends held packets, in order, while stability allows. */
    private void release(ProtectedConnection c, long now) {
        while (!fencedAt(now) && c.hasHeld()) {
            OutgoingPacket h = c.held.peek();
            boolean mayLeave = h.isSynAck() ? connectStable(c)
                    : h.has(TcpSegment.RST) // the abort: last in line (see abort)
                    || h.streamEnd <= c.releasedEnd || isStable(c.commit.lsnNeededBelow(h.streamEnd));
            if (!mayLeave) return;
            c.held.poll();
            if (c.held.isEmpty()) c.heldEnd = 0;
            stats.released++;
            stats.heldPackets--;
            stats.heldBytes -= h.buffer.remaining();
            if (h.has(TcpSegment.RST)) logStackReset(c);
            else if (!h.isSynAck()) c.released(h.streamEnd);
            emit(c, h, now);
            if (c.forgotten) return;
        }
    }

    /**
     * Clamps the ACK (re-clamped at release for held packets), drops a clamped pure ACK that
     * repeats the last one, sends, and remembers what the client was sent.
     */
    private void emit(ProtectedConnection c, OutgoingPacket o, long now) {
        ByteBuffer b = o.buffer;
        int tcp = b.position() + o.tcpOffset;
        int shift = o.has(TcpSegment.SYN) ? 0 : c.ourShift;
        int ack = 0, window = 0;
        if (o.has(TcpSegment.ACK)) {
            ack = b.getInt(tcp + TcpCodec.ACK_OFFSET);
            window = b.getShort(tcp + TcpCodec.WINDOW_OFFSET) & 0xFFFF;
            int stableRcv = c.receive.stableRcv();
            if (ack - stableRcv > 0) {
                if (o.isPureAck() && stableRcv == c.lastAckSent && !c.clientRetransmitted) {
                    stats.suppressedRepeatAcks++; // would look like a duplicate ACK to the client
                    return;
                }
                window = SegmentRewrite.windowFor(ack + (window << shift), stableRcv, shift);
                ack = stableRcv;
                SegmentRewrite.ackAndWindow(b, tcp, ack, window, o.partialChecksum);
                stats.clamped++;
            }
        }
        boolean abort = o.has(TcpSegment.RST) && o.has(TcpSegment.ACK);
        if ((o.isPureAck() || abort) && c.handshakeReleased && o.seq - c.sndNxtSent > 0) {
            // Output is held: the stack's snd_nxt is beyond what the client has seen. Keep a
            // bare ACK at the client's rcv_nxt (no sequence numbers from the future; an RST
            // there is accepted at once, RFC 5961). Not an RST without ACK: that answers an
            // unacceptable segment at the sequence number it named (RFC 9293 3.10.7.3), and
            // moved to the client's rcv_nxt it would reset a connection the stack keeps.
            SegmentRewrite.seq(b, tcp, c.sndNxtSent, o.partialChecksum);
            o.seq = c.sndNxtSent;
        }
        if (o.hasTimestamp && c.handshakeReleased && o.tsVal - c.lastTsValSent < 0
                && SegmentRewrite.tsVal(b, tcp, c.lastTsValSent, o.partialChecksum)) {
            // A held packet leaving after newer ones: with its old TSval the client's PAWS
            // check (RFC 7323) would drop it. Its real departure is now.
            o.tsVal = c.lastTsValSent;
        }
        sendDown(o, now);
        if (o.has(TcpSegment.ACK)) {
            c.clientRetransmitted = false;
            if (ack - c.lastAckSent > 0) c.lastAckSent = ack;
            int rightEdge = ack + (window << shift);
            if (rightEdge - c.rightEdgeSent > 0 || !c.handshakeReleased) c.rightEdgeSent = rightEdge;
        }
        int end = o.seq + o.sequenceLength();
        if (end - c.sndNxtSent > 0) c.sndNxtSent = end;
        if (o.hasTimestamp && (!c.handshakeReleased || o.tsVal - c.lastTsValSent > 0)) c.lastTsValSent = o.tsVal;
        if (o.isSynAck()) c.handshakeReleased = true;
        if (o.has(TcpSegment.FIN)) {
            c.ourFinSent = true;
            c.ourFinEnd = end;
        }
        if (abort) forget(c);
        else if (c.retiredAt >= 0 || c.closedBothWays()) c.retiredAt = lastNow; // the stack still talks: keep tracking
    }

    private void sendDown(OutgoingPacket o, long now) {
        if (o.offloaded) {
            offloadingLink.acceptTcpOffloaded(o.buffer, o.tcpOffset, o.headerLength, o.segmentSize, now);
        } else {
            link.accept(o.buffer, now);
        }
    }

    /**
     * After stability advanced: if the client may now learn of more stable bytes than it was
     * told (and the stack acknowledged them), send that ACK from the template of what the
     * client last saw: seq = our highest sequence sent, TSval = the last sent, TSecr = the
     * client's latest, window keeping the right edge.
     */
    private void sendAckIfStabilityAdvanced(ProtectedConnection c, long now) {
        if (!c.handshakeReleased || !c.hasStackAck || c.abortHeld) return; // (aborted: its RST will end it)
        if (fencedAt(now)) {
            if (c.receive.stableRcv() - c.lastAckSent > 0) stats.droppedWhileFenced++; // an ACK we would have sent
            return;
        }
        int stableRcv = c.receive.stableRcv();
        int target = c.stackAck - stableRcv < 0 ? c.stackAck : stableRcv;
        if (target - c.lastAckSent <= 0) return;
        int rightEdge = c.stackRightEdge - c.rightEdgeSent > 0 ? c.stackRightEdge : c.rightEdgeSent;
        int window = SegmentRewrite.windowFor(rightEdge, target, c.ourShift);
        link.accept(ackWriter.write(c.tuple, c.sndNxtSent, target, window, c.timestamps, c.lastTsValSent,
                c.latestClientTsVal), now);
        stats.wrapperAcks++;
        c.lastAckSent = target;
        int sentEdge = target + (window << c.ourShift);
        if (sentEdge - c.rightEdgeSent > 0) c.rightEdgeSent = sentEdge;
        if (c.closedBothWays()) retire(c, now);
    }

    /**
     * Both FINs were exchanged and acknowledged as far as the wrapper saw. The wrapper cannot
     * see whether the stack accepted the acknowledgements (it drops unacceptable segments,
     * ACK field and all), so it keeps tracking the connection until the stack stayed silent on
     * it for {@link #RETIRED_LINGER_NANOS}, or the host reports the connection closed
     * ({@link #connectionClosed}); a FIN the stack retransmits meanwhile still leaves.
     */
    private void retire(ProtectedConnection c, long now) {
        if (c.retiredAt < 0) c.retiredAt = now;
    }

    private void sweepRetired(long now) {
        if (now - lastRetiredSweep < 1_000_000_000L) return;
        lastRetiredSweep = now;
        connections.forEach(c -> {
            if (c.retiredAt >= 0 && now - c.retiredAt > RETIRED_LINGER_NANOS) forget(c);
            // A handshake logged but never followed by any client segment: a spoofed SYN answered
            // with a SYN cookie (the host keeps no state for it, so it never reports a close).
            // Logged as over: else its CONNECT stayed live in the records kept for the next backup
            // or logger, and in the backup's replay, for good (a SYN flood grew them without bound).
            else if (c.connectLsn >= 0 && !c.clientSegmentLogged && now - c.synAt > STALE_HANDSHAKE_NANOS) {
                logStackReset(c);
                forget(c);
            }
        });
    }

    private boolean isProtectedOutbound(ByteBuffer p) {
        int o = p.position();
        if (p.remaining() < Ipv4Packet.MIN_HEADER_LENGTH) return false;
        int versionIhl = p.get(o) & 0xFF;
        if (versionIhl >>> 4 != 4 || p.get(o + 9) != Ipv4Packet.PROTOCOL_TCP || p.getInt(o + 12) != service.address()) {
            return false;
        }
        int ihl = (versionIhl & 0x0F) * 4;
        return p.remaining() >= ihl + 4 && service.coversPort(p.getShort(o + ihl) & 0xFFFF);
    }

    private void dropHeld(ProtectedConnection c) {
        if (c.held != null) {
            for (OutgoingPacket h : c.held) {
                stats.heldPackets--;
                stats.heldBytes -= h.buffer.remaining();
            }
            c.held.clear();
        }
        c.heldEnd = 0;
    }

    private void forget(ProtectedConnection c) {
        if (c.forgotten) return;
        c.forgotten = true;
        if (c.connectLsn < 0) pendingHandshakes--;
        dropHeld(c);
        connections.remove(c.key);
        stats.connectionsForgotten++;
    }
}
