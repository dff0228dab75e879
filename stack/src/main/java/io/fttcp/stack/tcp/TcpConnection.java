package io.fttcp.stack.tcp;

import java.nio.ByteBuffer;

/**
 * One TCP connection as a sans-I/O state machine (RFC 9293 and the RFCs listed in the module
 * README). Every method takes {@code now} (nanoseconds, monotonic) and runs to completion:
 * segments to send go out through {@link TcpOutput} during the call, changes the socket layer
 * cares about through {@link TcpEvents}. Not thread-safe: the host layer serializes calls.
 *
 * <p>Timers: after any call, {@link #nextDeadline()} says when {@link #onTimer} must be called
 * next (Long.MAX_VALUE: no timer armed). Calling onTimer early is harmless.
 *
 * <p>Emitted segments: the payload is a view of the send buffer, valid only during
 * {@link TcpOutput#transmit}. Option space assumed by the payload sizing: timestamps take 12
 * bytes (NOP NOP TS), SACK 4 + 8 per block (NOP NOP SACK); a segment's payload plus its options
 * never exceeds the peer's MSS, except super-segments allowed by {@link #setSegmentOffload},
 * which are whole multiples of {@link #maxSegmentPayload()} and carry no SACK blocks.
 */
public final class TcpConnection {
    private static final long MS = 1_000_000L;
    private static final long SECOND = 1_000_000_000L;
    private static final int DEFAULT_MSS = 536;
    private static final int MIN_MSS = 88;
    private static final int CHALLENGE_ACKS_PER_SECOND = 1000;
    private static final long PAWS_IDLE_LIMIT = 24L * 24 * 3600 * SECOND;
    private static final int TS_OPTION_BYTES = 12;
    private static final ThreadLocal<ByteBuffer[]> SCRATCH = ThreadLocal.withInitial(() -> new ByteBuffer[1]);

    private final TcpConfig config;
    private final FourTuple tuple;
    private final TcpOutput output;
    private final TcpEvents events;
    private final TcpStats stats = new TcpStats();
    private final TcpSegment out = new TcpSegment();

    private TcpState state;
    private boolean established;
    private boolean activeOpen;
    /** close() was called: input is no longer wanted. */
    private boolean closedByUser;

    // ---- send side
    private int iss;
    private int sndUna;
    private int sndNxt;
    /** Highest sequence number sent (sndNxt can fall back below it after a timeout). */
    private int sndMax;
    private long sndWnd;
    private int sndWl1, sndWl2;
    private long maxSndWnd;
    private int sndShift;
    private int sendMss = DEFAULT_MSS;
    private int segmentOffload;
    /** Sequence number of sendQueue's first byte. */
    private int sendBase;
    private final ByteQueue sendQueue = new ByteQueue();
    private boolean finQueued;
    /** End of the last segment shorter than the MSS (Minshall's Nagle: hold only while one is unacknowledged). */
    private int smallSegmentEnd;

    // ---- receive side
    private int irs;
    private int rcvNxt;
    /** Right edge of the window we last advertised; never moves left (RFC 9293 3.8.6.2.2). */
    private int rcvAdvEdge;
    private int rcvShift;
    private final ByteQueue receiveQueue = new ByteQueue();
    private ReassemblyQueue outOfOrder;
    private boolean finReceived;
    private boolean peerFinPending;
    private int peerFinSeq;
    /** Largest payload seen from the peer, for the every-second-full-segment ACK rule. */
    private int rcvMss = DEFAULT_MSS;

    // ---- options
    private boolean windowScaleAgreed;
    private boolean sackOk;
    private boolean tsOk;
    private int tsOffset;
    private int tsRecent;
    private long tsRecentTime;
    private int lastAckSent;
    private boolean nagle;
    private boolean keepalive;

    // ---- ACK generation
    private int pendingAckBytes;
    private boolean ackNow;

    // ---- timers (Long.MAX_VALUE = off)
    private long rtoDeadline = Long.MAX_VALUE;
    private long persistDeadline = Long.MAX_VALUE;
    private long delayedAckDeadline = Long.MAX_VALUE;
    private long keepaliveDeadline = Long.MAX_VALUE;
    private long closeDeadline = Long.MAX_VALUE;
    private int retransmits;
    private int persistBackoff;
    /** Zero-window probes sent since the peer last acknowledged anything (Linux's icsk_probes_out). */
    private int zeroWindowProbesUnanswered;
    /**
     * Zero-window probes (since the window closed) after which a connection the application
     * closed gives up even though its peer answers them (Linux's tcp_orphan_retries, 8 when
     * unset): nobody waits for the data it still holds behind a window that never opens.
     */
    private static final int ORPHAN_ZERO_WINDOW_PROBES = 8;
    /** Bounds on the SACK scoreboard's ranges ({@link #maxSackRanges}). */
    private static final int MIN_SACK_RANGES = 64;
    private static final int MAX_SACK_RANGES = 2048;
    private int keepaliveProbesSent;
    private final RttEstimator rtt;
    private boolean rttTiming;
    /** Our TSval when the retransmission timer last fired: older echoes measure the backoff, not the path. */
    private int timeoutTsVal;
    private boolean timedOut;
    private int rttSeq;
    private long rttStart;
    /** The end of the highest data we retransmitted: an ACK covering any of it gives no timed sample (below). */
    private int retransmittedTo;
    private boolean retransmittedAny;

    // ---- congestion control and loss recovery
    private final CongestionController cc;
    private int dupAcks;
    private boolean inRecovery;
    private int recover;
    /** What the peer SACKed (RFC 6675); null unless SACK blocks arrived and are still above snd.una. */
    private SackScoreboard scoreboard;
    /** Highest sequence number retransmitted in the current SACK recovery. */
    private int highRxt;
    /**
     * The peer acknowledged up to where its SACKed data began: it dropped what it SACKed. Linux's
     * receiver may under memory pressure, and a backup that takes over from a primary reneges on
     * what the primary SACKed but never logged. The timeout is then brought forward to
     * {@link #renegingWait} and forgets the scoreboard (Linux's tcp_check_sack_reneging).
     */
    private boolean sackReneged;
    /** Retransmissions not yet acknowledged, to find those lost again (SACK only; created at the first). */
    private RetransmissionLedger retransmissions;
    /** A lost retransmission has cut cwnd since the last timeout (once: see {@link #findLostRetransmissions}). */
    private boolean cutForLostRetransmission;
    /**
     * A timeout left data outstanding up to {@link #recover}: no fast recovery until snd.una
     * reaches it (RFC 6582 4.1, RFC 6675 5.1). Going back N skips what the peer SACKed, so
     * snd.nxt reaching snd.max no longer means that data was all resent.
     */
    private boolean timeoutRecovery;
    /** The least of that wait: Linux waits a sixteenth of the smoothed RTT, at least 10 ms, in case the ACK was only reordered. */
    private static final long MIN_RENEGING_WAIT = 10_000_000L;

    // ---- a restored connection whose peer holds more of our stream than we queued
    /** Set by repair: the peer may acknowledge bytes a previous incarnation sent but this one has not yet queued. */
    private boolean restored;
    /** The highest such acknowledgement (valid while {@link #peerAhead}): the application's next bytes up to it are already the peer's. */
    private int peerHoldsUpTo;
    private boolean peerAhead;
    private long restoredAt;
    /** How far beyond snd.una a restored connection believes an acknowledgement: 2^30 (a quarter of the sequence space). */
    private static final long MAX_PEER_AHEAD = 1L << 30;
    /** How long after the restore such acknowledgements are believed. */
    private static final long PEER_AHEAD_NANOS = 60_000_000_000L;
    /**
     * A restored connection's queued bytes (and FIN) up to here may have been sent by the previous
     * incarnation: the peer's acknowledgements up to it are always acceptable (see
     * {@link #acceptMaybeSent}). Valid while {@link #maybeSent}.
     */
    private int maybeSentTo;
    private boolean maybeSent;
    /**
     * Duplicate ACKs at {@link #duplicatesAt} that our resending of what the peer already held
     * will draw (one per such segment): not a sign of loss (the role RFC 6582's recover point
     * plays after a timeout).
     */
    private int duplicatesExpected;
    private int duplicatesAt;

    // ---- RFC 5961 challenge ACK rate limit
    private long challengeWindowStart = Long.MIN_VALUE;
    private long lastOutOfWindowAck = Long.MIN_VALUE;
    private static final long OUT_OF_WINDOW_ACK_INTERVAL = 500_000_000L;
    private int challengeCount;

    private TcpConnection(TcpConfig config, FourTuple tuple, TcpOutput output, TcpEvents events) {
        this.config = config;
        this.tuple = tuple;
        this.output = output;
        this.events = events;
        this.nagle = config.nagle();
        this.rtt = new RttEstimator(config.initialRto(), config.minRto(), config.maxRto());
        this.cc = CongestionController.create(config.congestionControl());
    }

    // =====================================================================================
    // Opening
    // =====================================================================================

    /** Active open: sends a SYN and enters SYN_SENT. */
    public static TcpConnection connect(TcpConfig config, FourTuple tuple, int iss, long now, TcpOutput output, TcpEvents events) {
        TcpConnection c = new TcpConnection(config, tuple, output, events);
        c.activeOpen = true;
        c.initSend(iss);
        c.state = TcpState.SYN_SENT;
        c.sendSyn(false, now);
        c.sndNxt = c.sndMax = iss + 1;
        c.armRto(now);
        return c;
    }

    /**
     * Passive open from a received SYN (already validated by the listener): replies SYN-ACK and
     * enters SYN_RECEIVED.
     */
    public static TcpConnection accept(TcpConfig config, FourTuple tuple, TcpSegment syn, int iss, long now, TcpOutput output, TcpEvents events) {
        TcpConnection c = new TcpConnection(config, tuple, output, events);
        c.initSend(iss);
        c.initReceive(syn.seq);
        c.negotiate(syn, now);
        c.sndWnd = syn.window; // never scaled in a SYN
        c.state = TcpState.SYN_RECEIVED;
        c.sendSyn(true, now);
        c.sndNxt = c.sndMax = iss + 1;
        c.armRto(now);
        return c;
    }

    /**
     * Passive open completed statelessly (SYN cookie): {@code ack} is the handshake's final ACK;
     * {@code iss} and the peer's {@code irs}, {@code peerMss}, window shift (-1: none), SACK and
     * timestamp flags come from the cookie. Enters ESTABLISHED and processes any data on the ACK.
     */
    public static TcpConnection fromCookie(TcpConfig config, FourTuple tuple, TcpSegment ack, int iss, int irs, int peerMss,
                                           int peerWindowShift, boolean sackOk, boolean timestampsOk, long now, TcpOutput output, TcpEvents events) {
        TcpConnection c = new TcpConnection(config, tuple, output, events);
        c.initSend(iss);
        c.initReceive(irs);
        c.sendMss = clampMss(peerMss > 0 ? peerMss : DEFAULT_MSS, config);
        if (config.windowScaling() && peerWindowShift >= 0) {
            c.sndShift = Math.min(peerWindowShift, 14);
            c.rcvShift = config.receiveWindowShift();
        }
        c.sackOk = config.sack() && sackOk;
        c.tsOk = config.timestamps() && timestampsOk && ack.hasTimestamp;
        if (c.tsOk) {
            c.tsRecent = ack.tsVal;
            c.tsRecentTime = now;
            // Continue the clock of the cookie SYN-ACK, which the peer echoes: its PAWS check
            // compares our next TSvals against the one it has stored.
            c.tsOffset = ack.tsEcr - (int) (now / MS);
        }
        c.sndNxt = c.sndMax = iss + 1;
        c.sndUna = iss + 1;
        c.sndWnd = (long) ack.window << c.sndShift;
        c.maxSndWnd = c.sndWnd;
        c.sndWl1 = ack.seq;
        c.sndWl2 = ack.ack;
        c.rcvAdvEdge = c.rcvNxt + (int) Math.min(config.receiveBuffer(), 65535L << c.rcvShift);
        c.becomeEstablished(now);
        if (ack.payloadLength() > 0 || ack.has(TcpSegment.FIN)) c.onSegment(ack, now);
        return c;
    }

    /** Repair: creates the connection directly from a checkpoint, without a handshake. Sends nothing by itself. */
    public static TcpConnection restore(TcpConfig config, TcpCheckpoint cp, long now, TcpOutput output, TcpEvents events) {
        TcpState st = cp.state();
        boolean finSent = switch (st) {
            case ESTABLISHED, CLOSE_WAIT -> false;
            case FIN_WAIT_1, FIN_WAIT_2, CLOSING, LAST_ACK, TIME_WAIT -> true;
            default -> throw new IllegalArgumentException("cannot restore a connection in state " + st);
        };
        boolean finAcked = st == TcpState.FIN_WAIT_2 || st == TcpState.TIME_WAIT;
        boolean peerFin = st == TcpState.CLOSE_WAIT || st == TcpState.CLOSING || st == TcpState.LAST_ACK || st == TcpState.TIME_WAIT;
        if (finSent && !cp.finQueued()) throw new IllegalArgumentException(st + " requires finQueued");
        if (peerFin != cp.finReceived()) throw new IllegalArgumentException(st + " is inconsistent with finReceived=" + cp.finReceived());
        byte[] sendData = cp.sendQueue() == null ? new byte[0] : cp.sendQueue();
        if (finAcked && sendData.length > 0) throw new IllegalArgumentException(st + ": our FIN was acknowledged, the send queue must be empty");
        long inFlight = Integer.toUnsignedLong(cp.sndNxt() - cp.sndUna());
        if (inFlight > sendData.length + (cp.finQueued() ? 1 : 0)) {
            throw new IllegalArgumentException("sndNxt - sndUna = " + inFlight + " exceeds the send queue (" + sendData.length + " bytes)");
        }
        TcpConnection c = new TcpConnection(config, cp.tuple(), output, events);
        c.iss = cp.iss();
        c.irs = cp.irs();
        c.sndUna = cp.sndUna();
        // What the checkpoint says may have been sent is ours to send anew: sending it as new data
        // (not as retransmissions) keeps loss recovery and RTT sampling working. After a takeover
        // it can be the whole send queue, and as retransmissions a peer without SACK got no fast
        // retransmit until all of it was acknowledged, nor (without timestamps) an RTT sample:
        // every further loss waited for a backed-off timeout. The peer's ACKs for it stay acceptable.
        c.sndNxt = c.sndMax = cp.sndUna();
        c.maybeSentTo = finAcked ? cp.sndUna() : cp.sndNxt();
        c.maybeSent = Seq.gt(c.maybeSentTo, c.sndMax);
        // The FIN occupies one sequence number: once acknowledged it lies below snd.una.
        c.sendBase = finAcked ? cp.sndUna() - 1 : cp.sndUna();
        c.smallSegmentEnd = cp.sndUna();
        c.sndWnd = cp.sndWnd();
        c.maxSndWnd = cp.sndWnd();
        c.sndWl1 = cp.sndWl1();
        c.sndWl2 = cp.sndWl2();
        c.rcvNxt = cp.rcvNxt();
        c.lastAckSent = cp.rcvNxt();
        c.rcvAdvEdge = cp.rcvNxt() + (int) Math.max(0, Math.min(cp.rcvWnd(), Integer.MAX_VALUE));
        c.sndShift = cp.sndWindowShift();
        c.rcvShift = cp.rcvWindowShift();
        c.windowScaleAgreed = cp.sndWindowShift() > 0 || cp.rcvWindowShift() > 0;
        c.sendMss = cp.sendMss();
        c.sackOk = cp.sackEnabled();
        c.tsOk = cp.timestampsEnabled();
        c.tsOffset = cp.tsOffset();
        c.tsRecent = cp.tsRecent();
        c.tsRecentTime = now;
        c.sendQueue.append(sendData, 0, sendData.length);
        c.finQueued = cp.finQueued();
        if (cp.receiveQueue() != null) c.receiveQueue.append(cp.receiveQueue(), 0, cp.receiveQueue().length);
        c.finReceived = cp.finReceived();
        c.nagle = cp.nagle();
        c.keepalive = cp.keepalive();
        c.established = true;
        c.restored = true;
        c.restoredAt = now;
        // Echoes of the previous incarnation's TSvals measure nothing of ours (our clock may have
        // jumped ahead of its): treat them like echoes from before a timeout (Karn).
        c.timedOut = true;
        c.timeoutTsVal = c.tsNow(now);
        c.state = st;
        c.cc.init(c.maxSegmentPayload(), config.initialWindowSegments());
        if (st == TcpState.TIME_WAIT) {
            c.closeDeadline = now + config.timeWait();
        } else if (c.sndMax != c.sndUna || c.hasUnsent()) {
            c.armRto(now); // resumes sending even if the host never pokes the connection
        }
        c.restartKeepalive(now);
        events.onEstablished(c);
        return c;
    }

    private boolean hasUnsent() {
        int dataEnd = sendBase + sendQueue.size();
        return Seq.lt(sndNxt, dataEnd) || (finQueued && Seq.le(sndNxt, dataEnd));
    }

    private void initSend(int iss) {
        this.iss = iss;
        sndUna = sndNxt = sndMax = iss;
        sendBase = iss + 1;
        smallSegmentEnd = iss;
        tsOffset = Integer.rotateLeft(iss * 0x9E3779B9, 13) ^ 0x5bd1e995;
        cc.init(DEFAULT_MSS, config.initialWindowSegments());
    }

    private void initReceive(int irs) {
        this.irs = irs;
        rcvNxt = irs + 1;
        lastAckSent = rcvNxt;
    }

    /** The peer's MSS, capped by ours and floored like Linux (tiny MSS values are an attack). */
    private static int clampMss(int peerMss, TcpConfig config) {
        return Math.max(MIN_MSS, Math.min(peerMss, config.mss()));
    }

    /** Options from the peer's SYN (or SYN-ACK) against what we offer. */
    private void negotiate(TcpSegment syn, long now) {
        sendMss = clampMss(syn.mss > 0 ? syn.mss : DEFAULT_MSS, config);
        windowScaleAgreed = config.windowScaling() && syn.windowScale >= 0;
        if (windowScaleAgreed) {
            sndShift = Math.min(syn.windowScale, 14);
            rcvShift = config.receiveWindowShift();
        } else {
            sndShift = rcvShift = 0;
        }
        sackOk = config.sack() && syn.sackPermitted;
        tsOk = config.timestamps() && syn.hasTimestamp;
        if (tsOk) {
            tsRecent = syn.tsVal;
            tsRecentTime = now;
        }
        cc.init(maxSegmentPayload(), config.initialWindowSegments());
    }

    private void becomeEstablished(long now) {
        state = finQueued ? TcpState.FIN_WAIT_1 : TcpState.ESTABLISHED;
        established = true;
        cc.init(maxSegmentPayload(), config.initialWindowSegments());
        retransmits = 0;
        rtt.backoff = 0; // a lost SYN says little about the data path
        stopRto();
        restartKeepalive(now);
        events.onEstablished(this);
    }

    // =====================================================================================
    // Input
    // =====================================================================================

    /** Processes one received segment addressed to this connection. */
    public void onSegment(TcpSegment seg, long now) {
        stats.segmentsReceived++;
        switch (state) {
            case CLOSED -> { return; }
            case SYN_SENT -> { onSegmentInSynSent(seg, now); return; }
            default -> { }
        }
        if (!onSegmentSynchronized(seg, now)) return;
        afterInput(now);
    }

    private void onSegmentInSynSent(TcpSegment seg, long now) {
        boolean hasAck = seg.has(TcpSegment.ACK);
        if (hasAck && (Seq.le(seg.ack, iss) || Seq.gt(seg.ack, sndMax))) {
            if (!seg.has(TcpSegment.RST)) sendReset(seg.ack, 0, false);
            stats.invalidSegments++;
            return;
        }
        if (seg.has(TcpSegment.RST)) {
            if (hasAck) enterClosed(CloseReason.REFUSED);
            return;
        }
        if (!seg.has(TcpSegment.SYN)) return;
        initReceive(seg.seq);
        negotiate(seg, now);
        if (hasAck) {
            sndUna = seg.ack;
            sndWnd = seg.window; // a SYN's window is never scaled
            maxSndWnd = sndWnd;
            sndWl1 = seg.seq;
            sndWl2 = seg.ack;
            if (retransmits == 0) rtt.sample(now - rttStart);
            rcvAdvEdge = rcvNxt + (int) Math.min(config.receiveBuffer(), 65535L);
            becomeEstablished(now);
            if (seg.payloadLength() > 0 || seg.has(TcpSegment.FIN)) {
                processData(seg, seg.seq + 1, now);
            }
            ackNow = true;
            afterInput(now);
        } else {
            // Simultaneous open.
            state = TcpState.SYN_RECEIVED;
            sndWnd = seg.window;
            sendSyn(true, now);
            armRto(now);
        }
    }

    /** Returns false when the segment was consumed (or the connection ended) and no output processing is due. */
    private boolean onSegmentSynchronized(TcpSegment seg, long now) {
        boolean rst = seg.has(TcpSegment.RST);
        if (state == TcpState.SYN_RECEIVED && !rst && seg.has(TcpSegment.SYN) && seg.has(TcpSegment.ACK) && seg.seq == irs
                && Seq.gt(seg.ack, sndUna) && Seq.le(seg.ack, sndMax)) {
            // Simultaneous open: the peer's SYN-ACK completes our handshake (its SYN is already counted).
            sndWnd = seg.window;
            maxSndWnd = Math.max(maxSndWnd, sndWnd);
            sndWl1 = seg.seq;
            sndWl2 = seg.ack;
            sndUna = seg.ack;
            becomeEstablished(now);
            ackNow = true;
            return true;
        }
        // RFC 7323 5.3: PAWS.
        if (pawsRejects(seg, now)) {
            stats.pawsRejected++;
            sendOutOfWindowAck(seg, now);
            return false;
        }
        int payloadLen = seg.payloadLength();
        int segLen = seg.sequenceLength();
        int wnd = receiveWindow();
        boolean acceptable;
        if (segLen == 0) {
            // Up to the window's end inclusive, as Linux (tcp_sequence): a peer whose data in flight
            // overran our window sends its pure ACKs there (tcp_acceptable_seq; ours too, controlSeq).
            acceptable = wnd == 0 ? seg.seq == rcvNxt : Seq.le(rcvNxt, seg.seq) && Seq.le(seg.seq, rcvNxt + wnd);
        } else {
            acceptable = wnd != 0 && (Seq.inRange(seg.seq, rcvNxt, rcvNxt + wnd) || Seq.inRange(seg.seq + segLen - 1, rcvNxt, rcvNxt + wnd));
        }
        boolean zeroWindowProbe = false;
        if (!acceptable && wnd == 0 && seg.seq == rcvNxt) {
            acceptable = true; // process its ACK, drop its data (RFC 9293 3.10.7.4)
            zeroWindowProbe = true;
        }
        if (!acceptable) {
            if (rst) return false;
            if (seg.has(TcpSegment.SYN) && seg.seq == irs && !seg.has(TcpSegment.ACK)
                    && (state == TcpState.SYN_RECEIVED || restored && sndUna == iss + 1 && rcvNxt == irs + 1)) {
                // Our SYN-ACK was lost. A restored connection that never heard from its peer after
                // the handshake may be one whose SYN-ACK the previous incarnation sent (or held):
                // the peer is still in SYN-SENT, and only the SYN-ACK lets it go on.
                sendSyn(true, now);
                return false;
            }
            if (Seq.lt(seg.seq, rcvNxt)) stats.duplicateSegments++;
            else stats.invalidSegments++;
            // Any retransmission restarts TIME-WAIT, not only the FIN's (as Linux does): the peer
            // retransmits from its first unacknowledged segment, often data without the FIN, and
            // its backed-off timer can outlast a TIME-WAIT counted from the FIN's first arrival.
            if (state == TcpState.TIME_WAIT && seg.has(TcpSegment.ACK)) closeDeadline = now + config.timeWait();
            if (!seg.has(TcpSegment.SYN) && ackOfUnacceptableTaken(seg, now)) {
                stats.acksOfUnacceptableSegmentsTaken++;
                if (!processAck(seg, now)) return false; // the connection ended
                sendOutOfWindowAck(seg, now);
                return true; // on to afterInput: send what the acknowledgement let out
            }
            sendOutOfWindowAck(seg, now);
            return false;
        }
        if (rst) {
            if (seg.seq == rcvNxt) {
                onReset();
            } else {
                challengeAck(now);
            }
            return false;
        }
        if (seg.has(TcpSegment.SYN)) {
            challengeAck(now); // RFC 5961 4
            return false;
        }
        if (!seg.has(TcpSegment.ACK)) return false;

        restartKeepalive(now);
        if (state == TcpState.SYN_RECEIVED) {
            if (Seq.gt(seg.ack, sndUna) && Seq.le(seg.ack, sndMax)) {
                sndWnd = (long) seg.window << sndShift;
                maxSndWnd = Math.max(maxSndWnd, sndWnd);
                sndWl1 = seg.seq;
                sndWl2 = seg.ack;
                sndUna = seg.ack;
                if (retransmits == 0) rtt.sample(now - rttStart);
                becomeEstablished(now);
            } else {
                sendReset(seg.ack, 0, false);
                return false;
            }
        }
        // RFC 5961 5.2: the ACK must lie in [snd.una - max.snd.wnd, snd.max].
        if (!ackOfSentData(seg, now)) {
            sendAckNow(now);
            return false;
        }
        if (Seq.lt(seg.ack, sndUna - (int) Math.min(maxSndWnd, Integer.MAX_VALUE))) {
            challengeAck(now);
            return false;
        }
        if (tsOk && seg.hasTimestamp && Seq.ge(seg.tsVal, tsRecent) && Seq.le(seg.seq, lastAckSent)) {
            tsRecent = seg.tsVal;
            tsRecentTime = now;
        }
        if (!processAck(seg, now)) return false;

        if (zeroWindowProbe) {
            if (payloadLen > 0) ackNow = true;
            else if (seg.has(TcpSegment.FIN)) return processData(seg, seg.seq, now); // a FIN needs no buffer space
        } else if (payloadLen > 0 || seg.has(TcpSegment.FIN)) {
            return processData(seg, seg.seq, now);
        }
        return true;
    }

    /**
     * The sequence number of a segment without data (a pure ACK, an RST): snd.max, or for a
     * restored connection the end of what the previous incarnation may have sent, where a peer
     * that holds all of it finds it acceptable (a lower one would be an old segment to it, its
     * ACK field ignored) and one that holds less still finds it within its window. But never
     * beyond the peer's window (snd.una + snd.wnd), as Linux's tcp_acceptable_seq: data in flight
     * when that window closed leaves snd.max above it, and a peer with a closed window drops a
     * segment there, ACK field and all, so both sides waited on timers (a simulated refused
     * upload whose server still sent its answer crawled from timeout to timeout).
     */
    private int controlSeq() {
        int seq = maybeSent ? maybeSentTo : sndMax;
        int windowEnd = sndUna + (int) Math.min(sndWnd, Integer.MAX_VALUE);
        return Seq.gt(seq, windowEnd) ? windowEnd : seq;
    }

    /**
     * A restored connection's peer acknowledges what the previous incarnation sent of the queue
     * (or its FIN): all of that up to the acknowledgement counts as sent by us too.
     */
    private boolean acceptMaybeSent(TcpSegment seg) {
        if (!maybeSent) return false;
        if (!Seq.le(seg.ack, maybeSentTo)) return false;
        int mss = maxSegmentPayload();
        long resent = Math.max(0, Seq.min(sndNxt, seg.ack) - sndUna);
        duplicatesExpected = (int) Math.min(Integer.MAX_VALUE, (resent + mss - 1) / mss);
        duplicatesAt = seg.ack;
        raiseSndMax(seg.ack);
        if (Seq.gt(seg.ack, sndNxt)) sndNxt = seg.ack;
        return true;
    }

    /**
     * Every raise of snd.max goes through here: once it reaches what may have been sent, that
     * bound is over (so {@link #maybeSent} implies maybeSentTo above snd.max, and the bound is
     * never compared across a sequence wrap).
     */
    private void raiseSndMax(int to) {
        if (!Seq.gt(to, sndMax)) return;
        sndMax = to;
        if (maybeSent && !Seq.gt(maybeSentTo, sndMax)) maybeSent = false;
    }

    /**
     * A restored connection continues a stream the previous incarnation (the primary) may have
     * sent further than this one has queued: the peer then acknowledges bytes beyond snd.max.
     * Dropping those segments (RFC 5961) would stall both sides once the send buffer is full of
     * bytes the peer already has. Instead, everything queued up to the acknowledgement counts as
     * sent, and the application's next bytes up to it are consumed without being sent
     * ({@link #write}). Only for restored connections, for {@link #PEER_AHEAD_NANOS} after the
     * restore, and at most 2^30 ahead; the FIN is never assumed (the checkpoint queues it when the
     * primary may have sent it).
     */
    private boolean acceptAckAhead(TcpSegment seg, long now) {
        if (!restored) return false;
        if (now - restoredAt > PEER_AHEAD_NANOS) {
            restored = false; // long enough for anything of the previous incarnation to be acknowledged
            return false;
        }
        // How far the previous incarnation got is unknown here: the knowledge this one was restored
        // from (the backup's, of the peer's acknowledgements) can lag by far more than a window when
        // the backup fell behind (a loaded host), and refusing the peer's ACK then stalls both sides
        // for good. Any acknowledgement up to 2^30 ahead is believed, for this while after the restore.
        if (Integer.toUnsignedLong(seg.ack - sndUna) > MAX_PEER_AHEAD) return false;
        int queueEnd = sendBase + sendQueue.size();
        if (finQueued && Seq.gt(seg.ack, queueEnd)) return false; // past our FIN: not a stream we continue
        int sentTo = Seq.min(seg.ack, queueEnd);
        raiseSndMax(sentTo);
        if (Seq.gt(sentTo, sndNxt)) sndNxt = sentTo;
        if (Seq.gt(seg.ack, queueEnd)) {
            if (!peerAhead || Seq.gt(seg.ack, peerHoldsUpTo)) peerHoldsUpTo = seg.ack;
            peerAhead = true;
            seg.ack = queueEnd;
        }
        return true;
    }

    /**
     * A restored connection's peer can be out of step with this incarnation's receive window both
     * ways: it sent beyond what we know, under the previous incarnation's wider window (so even
     * its pure ACKs lie beyond ours), and it resends what we hold but the previous incarnation
     * never acknowledged (below ours). RFC 9293 drops such segments, ACK field and all. But theirs
     * is the peer's current acknowledgement, and when the peer has received more than we know,
     * our own ACKs lie below its window too: each side drops the other's, and both wait for good
     * (found by the simulation: a takeover after a long outage, StaleCopySimulationTest seed
     * 8177988181426219092). So for a while after the restore, the ACK field of such a segment is
     * taken if it acknowledges something new, within what may have been sent; its data is still
     * dropped. Whether to take it (acceptMaybeSent and acceptAckAhead prepare the connection).
     */
    private boolean ackOfUnacceptableTaken(TcpSegment seg, long now) {
        if (!restored || now - restoredAt > PEER_AHEAD_NANOS || !seg.has(TcpSegment.ACK) || !Seq.gt(seg.ack, sndUna)) return false;
        return ackOfSentData(seg, now);
    }

    /**
     * The ACK does not lie beyond what was sent: snd.max, or for a restored connection what the
     * previous incarnation may have sent ({@link #acceptMaybeSent}, {@link #acceptAckAhead}, which
     * then count it as sent).
     */
    private boolean ackOfSentData(TcpSegment seg, long now) {
        return !Seq.gt(seg.ack, sndMax) || acceptMaybeSent(seg) || acceptAckAhead(seg, now);
    }

    /** Handles the ACK field; returns false if the connection ended. */
    private boolean processAck(TcpSegment seg, long now) {
        int ack = seg.ack;
        long window = (long) seg.window << sndShift;
        if (!Seq.lt(ack, sndUna)) zeroWindowProbesUnanswered = 0; // alive: RFC 1122 4.2.2.17 probes on while answered
        if (sackOk && seg.sackBlockCount > 0) recordSack(seg);
        findLostRetransmissions(Seq.gt(ack, sndUna) ? ack : sndUna, now);
        if (Seq.gt(ack, sndUna)) {
            int ackedSeq = ack - sndUna;
            int dataEnd = sendBase + sendQueue.size();
            int dataAcked = Math.max(0, Math.min(ack - sendBase, sendQueue.size()));
            boolean finAcked = finQueued && Seq.gt(ack, dataEnd);
            sendQueue.discard(dataAcked);
            sendBase += dataAcked;
            sndUna = ack;
            if (Seq.lt(sndNxt, sndUna)) sndNxt = sndUna;
            if (timeoutRecovery && Seq.ge(ack, recover)) timeoutRecovery = false;
            // Minshall's check compares by sequence arithmetic: left behind by 2 GiB of full
            // segments it would read as ahead of snd.una and hold every short tail.
            if (Seq.lt(smallSegmentEnd, sndUna)) smallSegmentEnd = sndUna;
            takeRttSample(seg, ack - ackedSeq, ack, now);
            if (retransmittedAny && !Seq.gt(retransmittedTo, sndUna)) retransmittedAny = false; // all of it acknowledged
            retransmits = 0;
            persistBackoff = 0;
            if (scoreboard != null) scoreboard.advance(ack);
            noteReneging();
            if (inRecovery) {
                if (Seq.ge(ack, recover)) {
                    inRecovery = false;
                    if (scoreboard != null) cc.cwnd = cc.ssthresh;
                    else cc.cwnd = Math.min(cc.ssthresh, Math.max(flight(), maxSegmentPayload()) + maxSegmentPayload());
                } else if (scoreboard != null) {
                    // RFC 6675: the transmission loop in trySend repairs further holes.
                    if (Seq.lt(highRxt, sndUna)) highRxt = sndUna;
                } else {
                    // RFC 6582 partial ACK: retransmit the next hole, deflate.
                    retransmitFirst(now);
                    cc.cwnd = Math.max(maxSegmentPayload(), cc.cwnd - ackedSeq + maxSegmentPayload());
                }
            } else {
                cc.onAck(ackedSeq, maxSegmentPayload(), now, rtt.srtt);
            }
            dupAcks = 0;
            if (sndUna != duplicatesAt) duplicatesExpected = 0; // past the jump: no more of its duplicates
            if (scoreboard != null && scoreboard.isEmpty() && !inRecovery) scoreboard = null;
            if (sndUna == sndMax) stopRto();
            else armRto(now);
            updateWindow(seg, window);
            if (dataAcked > 0) events.onWritable(this);
            if (finAcked) return onOurFinAcked(now);
            return true;
        }
        // ack == sndUna (older ACKs inside the RFC 5961 range are ignored but may update the window).
        if (ack == sndUna && noteReneging() && sndMax != sndUna) armRto(now);
        if (ack == sndUna && seg.payloadLength() == 0 && !seg.has(TcpSegment.FIN) && window == sndWnd && sndMax != sndUna) {
            onDuplicateAck(now);
        } else if (ack == sndUna && !inRecovery && scoreboard != null && sndMax != sndUna
                && scoreboard.lossEdge(sndUna, maxSegmentPayload()) != sndUna) {
            enterRecovery(now); // RFC 6675 IsLost(snd.una) before three duplicate ACKs
        }
        updateWindow(seg, window);
        return true;
    }

    /**
     * Marks retransmissions the peer's SACKs show were overtaken (see {@link RetransmissionLedger});
     * the transmission loop sends them again. The first after a timeout cuts cwnd once more, as
     * Linux does in its loss state; in a fast recovery, which has cut it already, Linux cuts no
     * further, and nor do we (RFC 5681 asks for a second cut for every lost retransmission: over
     * 2,000 seeded lossy transfers that made SACK transfers about 5% slower).
     */
    private void findLostRetransmissions(int una, long now) {
        if (retransmissions == null || retransmissions.isEmpty()) return;
        int lost = retransmissions.update(una, scoreboard);
        if (lost == 0) return;
        stats.lostRetransmissions += lost;
        if (cutForLostRetransmission || !timeoutRecovery) return;
        cutForLostRetransmission = true;
        cc.onLoss(Math.max(0, (long) (sndNxt - una) - (scoreboard == null ? 0 : scoreboard.sackedBytes())), maxSegmentPayload(), now);
        cc.cwnd = Math.min(cc.cwnd, cc.ssthresh);
    }

    /**
     * A SACKed range starting at snd.una would have been acknowledged, had the peer kept it.
     * Returns whether this ACK showed it first (the caller then re-arms the timer).
     */
    private boolean noteReneging() {
        if (sackReneged || scoreboard == null || scoreboard.isEmpty() || scoreboard.lowestSacked() != sndUna) return false;
        sackReneged = true;
        stats.sackRenegings++;
        return true;
    }

    private long renegingWait() {
        return Math.max(rtt.srtt >> 4, MIN_RENEGING_WAIT);
    }

    private void recordSack(TcpSegment seg) {
        int n = Math.min(seg.sackBlockCount, TcpSegment.MAX_SACK_BLOCKS);
        int maxRanges = maxSackRanges();
        for (int i = 0; i < n; i++) {
            int l = seg.sackLeft[i], r = seg.sackRight[i];
            if (!Seq.lt(l, r) || Seq.le(r, seg.ack) || Seq.gt(r, sndMax)) continue;
            if (scoreboard == null) scoreboard = new SackScoreboard();
            if (!scoreboard.add(l, r, Seq.max(sndUna, seg.ack), sndMax, maxRanges)) stats.sackBlocksIgnored++;
        }
    }

    /**
     * Bounds the scoreboard: an honest receiver reports at most one range per segment in flight
     * (fewer: holes separate them). Beyond that, or {@link #MAX_SACK_RANGES}, the ranges are
     * hostile (every other byte SACKed) and only make every ACK cost more.
     */
    private int maxSackRanges() {
        int segments = (sndMax - sndUna) / maxSegmentPayload() + 1;
        return Math.min(MAX_SACK_RANGES, Math.max(MIN_SACK_RANGES, segments));
    }

    private void enterRecovery(long now) {
        if (sndNxt != sndMax || timeoutRecovery) return; // still repairing after a timeout (RFC 6582 4.1)
        int mss = maxSegmentPayload();
        stats.fastRetransmits++;
        cc.onLoss(flight(), mss, now);
        inRecovery = true;
        recover = sndMax;
        retransmitFirst(now);
        if (scoreboard != null) {
            highRxt = Seq.min(sndUna + mss, sndMax);
            cc.cwnd = cc.ssthresh;
        } else {
            cc.cwnd = cc.ssthresh + 3L * mss;
        }
    }

    /** RFC 6675 pipe: outstanding bytes neither SACKed nor presumed lost (unless retransmitted). */
    private long pipe() {
        long p = (long) (sndMax - sndUna) - scoreboard.sackedBytes();
        int edge = scoreboard.lossEdge(sndUna, maxSegmentPayload());
        int from = Seq.max(highRxt, sndUna);
        if (Seq.lt(from, edge)) p -= (edge - from) - scoreboard.sackedIn(from, edge);
        return Math.max(0, p - lostRetransmittedBytes());
    }

    /**
     * RFC 6675 NextSeg rule 1: retransmit presumed-lost holes while the pipe has room. Each goes
     * out as a whole segment from the hole's start, as Linux resends whole buffers: a hole of a
     * few bytes (SACK blocks splitting our segments) costs one segment, not one per hole.
     */
    private void retransmitLostHoles(long now) {
        int mss = maxSegmentPayload();
        int dataEnd = sendBase + sendQueue.size();
        int segmentEnd = Seq.min(dataEnd, sndMax);
        int edge = scoreboard.lossEdge(sndUna, mss);
        long room = cc.cwnd - pipe(); // less what is sent here (RFC 6675 C.4), not recomputed per segment
        while (room >= mss) {
            int s = scoreboard.nextHole(Seq.max(highRxt, sndUna), edge);
            int end = Seq.min(scoreboard.holeEnd, dataEnd);
            if (!Seq.lt(s, end)) return;
            int len = sendSegment(s, Math.min(mss, segmentEnd - s), false, now);
            highRxt = s + len;
            room -= len;
        }
    }

    private void updateWindow(TcpSegment seg, long window) {
        if (Seq.lt(sndWl1, seg.seq) || (sndWl1 == seg.seq && Seq.le(sndWl2, seg.ack))) {
            boolean opened = window > sndWnd;
            sndWnd = window;
            sndWl1 = seg.seq;
            sndWl2 = seg.ack;
            if (window > maxSndWnd) maxSndWnd = window;
            if (opened && window > 0) persistBackoff = 0;
        }
    }

    private void onDuplicateAck(long now) {
        if (duplicatesExpected > 0 && sndUna == duplicatesAt) {
            duplicatesExpected--;
            return;
        }
        dupAcks++;
        int mss = maxSegmentPayload();
        if (inRecovery) {
            if (scoreboard == null) cc.cwnd += mss; // RFC 6582 window inflation
            return;
        }
        if (dupAcks == 3 || (scoreboard != null && scoreboard.lossEdge(sndUna, mss) != sndUna)) enterRecovery(now);
    }

    private void takeRttSample(TcpSegment seg, int ackedFrom, int ack, long now) {
        if (tsOk && seg.hasTimestamp && seg.tsEcr != 0) {
            int ms = tsNow(now) - seg.tsEcr;
            // Karn's rule for timestamps: an echo of a TSval from before the last timeout belongs to
            // an original transmission whose ACK was lost; it would count the backoff as path delay.
            boolean valid = !timedOut || Seq.ge(seg.tsEcr, timeoutTsVal);
            if (ms >= 0 && valid) {
                rtt.sample(ms * MS);
                timedOut = false;
            } else if (!valid) {
                // The path delivers again: end the backoff (as Linux's timestamp samples would)
                // but keep SRTT free of the timeout interval.
                rtt.backoff = 0;
            }
            rttTiming = false;
        } else if (rttTiming && Seq.gt(ack, rttSeq)) {
            // Karn, as Linux applies it: an ACK that also covers retransmitted data may have waited
            // for that retransmission (the timed segment sat behind a hole), and would count the
            // repair as path delay (a loss then inflates the timeout for every later one).
            if (!(retransmittedAny && Seq.gt(retransmittedTo, ackedFrom))) rtt.sample(now - rttStart);
            rttTiming = false;
        }
        stats.srtt = rtt.srtt;
    }

    private boolean onOurFinAcked(long now) {
        switch (state) {
            case FIN_WAIT_1 -> {
                state = TcpState.FIN_WAIT_2;
                stopRto();
                if (closedByUser) closeDeadline = now + config.timeWait(); // orphaned: do not wait forever
            }
            case CLOSING -> enterTimeWait(now);
            case LAST_ACK -> {
                enterClosed(CloseReason.CLOSED);
                return false;
            }
            default -> { }
        }
        return true;
    }

    /** Queues payload and FIN of an acceptable segment; {@code dataSeq} is the sequence number of its first payload byte. */
    private boolean processData(TcpSegment seg, int dataSeq, long now) {
        int len = seg.payloadLength();
        boolean fin = seg.has(TcpSegment.FIN);
        if (len > 0 && state != TcpState.ESTABLISHED && state != TcpState.FIN_WAIT_1 && state != TcpState.FIN_WAIT_2) {
            // Data after the peer's FIN: ignore (RFC 9293 3.10.7.4, eighth step).
            return true;
        }
        if (len > 0 && closedByUser) {
            // Nobody will read it: reset, like Linux does for orphaned sockets.
            sendReset(controlSeq(), rcvNxt + len, true);
            enterClosed(CloseReason.ABORTED);
            return false;
        }
        ByteBuffer p = seg.payload;
        int from = p == null ? 0 : p.position();
        int start = dataSeq;
        if (Seq.lt(start, rcvNxt)) {
            int skip = Math.min(len, rcvNxt - start);
            from += skip;
            len -= skip;
            start += skip;
        }
        int room = rcvAdvEdge - start;
        if (len > room) {
            len = Math.max(0, room);
            fin = false; // the FIN lies beyond what we accept
        }
        if (len > 0) {
            rcvMss = Math.max(rcvMss, Math.min(len, config.mss()));
            stats.bytesReceived += len;
            if (start == rcvNxt) {
                receiveQueue.append(p, from, len);
                rcvNxt += len;
                pendingAckBytes += len;
                if (outOfOrder != null) {
                    rcvNxt = outOfOrder.drainInto(rcvNxt, receiveQueue);
                    if (outOfOrder.isEmpty()) outOfOrder = null;
                    ackNow = true; // gap filled (RFC 5681 4.2)
                }
                if (pendingAckBytes >= 2 * rcvMss) ackNow = true;
                if (peerFinPending && rcvNxt == peerFinSeq) processFin(now);
                events.onReadable(this);
            } else {
                if (outOfOrder == null) outOfOrder = new ReassemblyQueue();
                if (outOfOrder.blockCount() < maxOutOfOrderBlocks()) {
                    outOfOrder.insert(start, p, from, len);
                    stats.outOfOrderSegments++;
                } else {
                    stats.invalidSegments++; // a flood of tiny out-of-order pieces: drop, the sender retransmits
                }
                ackNow = true;
            }
        } else if (seg.payloadLength() > 0) {
            stats.duplicateSegments++;
            ackNow = true;
        }
        if (fin) {
            int finSeq = dataSeq + seg.payloadLength();
            if (finSeq == rcvNxt) {
                if (!finReceived) {
                    processFin(now);
                    events.onReadable(this);
                }
            } else if (Seq.gt(finSeq, rcvNxt)) {
                peerFinPending = true;
                peerFinSeq = finSeq;
                ackNow = true;
            }
        }
        return state != TcpState.CLOSED;
    }

    /** Bounds the reassembly queue's bookkeeping (tiny segments scattered over the window cost memory and time). */
    private int maxOutOfOrderBlocks() {
        return Math.max(64, config.receiveBuffer() / 512);
    }

    private void processFin(long now) {
        peerFinPending = false;
        finReceived = true;
        rcvNxt++;
        ackNow = true;
        switch (state) {
            case SYN_RECEIVED, ESTABLISHED -> state = TcpState.CLOSE_WAIT;
            case FIN_WAIT_1 -> state = TcpState.CLOSING;
            case FIN_WAIT_2 -> enterTimeWait(now);
            default -> { }
        }
    }

    private void onReset() {
        CloseReason reason = switch (state) {
            case SYN_RECEIVED -> activeOpen ? CloseReason.REFUSED : CloseReason.RESET_BY_PEER;
            // Data or our FIN was still unacknowledged in CLOSING and LAST_ACK: not an orderly end.
            case TIME_WAIT -> CloseReason.CLOSED;
            default -> CloseReason.RESET_BY_PEER;
        };
        // The application still reads what arrived before the RST (see enterClosed); in TIME-WAIT
        // that is every byte and the FIN, so it reads a clean end of stream.
        enterClosed(reason);
    }

    private void challengeAck(long now) {
        if (now - challengeWindowStart >= SECOND || challengeWindowStart == Long.MIN_VALUE) {
            challengeWindowStart = now;
            challengeCount = 0;
        }
        if (challengeCount >= CHALLENGE_ACKS_PER_SECOND) return;
        challengeCount++;
        stats.challengeAcks++;
        sendAckNow(now);
    }

    /** After input: send what the window allows, then any ACK still owed. */
    private void afterInput(long now) {
        if (state == TcpState.CLOSED) return;
        trySend(now, false);
        if (ackNow) {
            sendAckNow(now);
        } else if (pendingAckBytes > 0 && delayedAckDeadline == Long.MAX_VALUE) {
            delayedAckDeadline = now + config.delayedAck();
        }
    }

    // =====================================================================================
    // Output
    // =====================================================================================

    private boolean canSendData() {
        return switch (state) {
            case ESTABLISHED, CLOSE_WAIT, FIN_WAIT_1, CLOSING, LAST_ACK -> true;
            default -> false;
        };
    }

    /** Bytes in flight as the congestion controller counts them. */
    private long flight() {
        return sndNxt - sndUna;
    }

    /** What a sender going back N has in the network: the resent bytes, less what the peer SACKed among them. */
    private long goingBackPipe() {
        return Math.max(0, flight() - (scoreboard == null ? 0 : scoreboard.sackedIn(sndUna, sndNxt)) - lostRetransmittedBytes());
    }

    private long lostRetransmittedBytes() {
        return retransmissions == null ? 0 : retransmissions.lostBytes(scoreboard);
    }

    /** Sends again, lowest first, the retransmissions found lost, as the congestion window allows. */
    private void resendLostRetransmissions(long now) {
        if (retransmissions == null || scoreboard == null || !retransmissions.anyLost()) return;
        int mss = maxSegmentPayload();
        int segmentEnd = Seq.min(sendBase + sendQueue.size(), sndMax);
        long room = cc.cwnd - (inRecovery ? pipe() : Seq.lt(sndNxt, sndMax) ? goingBackPipe() : flight() - scoreboard.sackedBytes());
        while (room >= mss) {
            int s = retransmissions.lowestLost(segmentEnd);
            if (!Seq.lt(s, segmentEnd)) return;
            room -= sendSegment(s, Math.min(mss, segmentEnd - s), false, now);
        }
    }

    /** Going back N after a timeout, snd.nxt passes over what the peer SACKed. */
    private void skipSackedWhileGoingBack() {
        if (scoreboard != null && Seq.lt(sndNxt, sndMax)) sndNxt = scoreboard.nextHole(sndNxt, sndMax);
    }

    /** Sends new (or, after a timeout, re-sent) data and FIN as window, cwnd, Nagle and SWS rules allow. */
    private void trySend(long now, boolean force) {
        if (!canSendData()) return;
        int mss = maxSegmentPayload();
        int maxSeg = segmentOffload > mss ? segmentOffload / mss * mss : mss;
        boolean sentAny = false;
        boolean sackRecovery = inRecovery && scoreboard != null;
        long before = stats.segmentsSent;
        resendLostRetransmissions(now);
        if (sackRecovery) retransmitLostHoles(now);
        sentAny = stats.segmentsSent != before;
        while (true) {
            skipSackedWhileGoingBack();
            int dataEnd = sendBase + sendQueue.size();
            int unsent = Math.max(0, dataEnd - sndNxt);
            boolean finPending = finQueued && Seq.le(sndNxt, dataEnd);
            if (unsent == 0 && !finPending) break;
            long wndRoom = (long) (sndUna - sndNxt) + sndWnd; // negative if the peer shrank its window
            boolean goingBack = Seq.lt(sndNxt, sndMax);
            long cwndRoom = cc.cwnd - (sackRecovery ? pipe() : goingBack ? goingBackPipe() : flight());
            long room = Math.min(wndRoom, cwndRoom);
            int len = (int) Math.max(0, Math.min(Math.min(unsent, room), maxSeg));
            if (len > mss && len < unsent) len = len / mss * mss; // a super-segment splits into full segments only
            boolean finHere = finPending && len == unsent;
            if (len == 0 && !(finHere && unsent == 0 && cwndRoom > 0)) break;
            if (len > 0 && len < maxSeg && len < mss && !force) {
                boolean allQueued = len == unsent;
                boolean idle = sndMax == sndUna || sndNxt != sndMax || Seq.le(smallSegmentEnd, sndUna);
                boolean ok = (allQueued && (!nagle || idle || finHere)) || (maxSndWnd > 0 && len >= maxSndWnd / 2);
                if (!ok) break;
            }
            sendSegment(sndNxt, len, finHere, now);
            sentAny = true;
            if (force) break;
        }
        if (sentAny) {
            persistDeadline = Long.MAX_VALUE;
        } else if (sndMax == sndUna && rtoDeadline == Long.MAX_VALUE && persistDeadline == Long.MAX_VALUE) {
            int dataEnd = sendBase + sendQueue.size();
            if (Seq.lt(sndNxt, dataEnd)) persistDeadline = now + persistTimeout();
        }
    }

    private long persistTimeout() {
        long t = Math.max(rtt.timeout(), config.minRto());
        for (int i = 0; i < persistBackoff && t < config.maxRto(); i++) t <<= 1;
        return Math.min(t, config.maxRto());
    }

    /**
     * Emits a data (and/or FIN) segment starting at seq; advances sndNxt when seq == sndNxt.
     * Returns the payload length actually sent (SACK options can shorten it).
     */
    private int sendSegment(int seq, int len, boolean fin, long now) {
        TcpSegment s = header(seq, TcpSegment.ACK | (fin ? TcpSegment.FIN : 0), now);
        if (s.sackBlockCount > 0) {
            int limit = sendMss - optionBytes(s);
            if (len > limit) {
                len = limit;
                fin = false;
                s.flags &= ~TcpSegment.FIN;
            }
        }
        int dataEnd = sendBase + sendQueue.size();
        if (len > 0) {
            s.payload = sendQueue.view(seq - sendBase, len, scratch(len));
            if (seq + len == dataEnd) s.flags |= TcpSegment.PSH;
        }
        boolean retransmission = Seq.lt(seq, sndMax);
        if (retransmission) {
            stats.retransmits++;
            int rxEnd = Seq.min(seq + len + (fin ? 1 : 0), sndMax);
            if (!retransmittedAny || Seq.gt(rxEnd, retransmittedTo)) retransmittedTo = rxEnd;
            retransmittedAny = true;
            if (rttTiming && Seq.ge(rttSeq, seq) && Seq.lt(rttSeq, seq + len + (fin ? 1 : 0))) rttTiming = false; // Karn
            if (sackOk && len > 0) {
                if (retransmissions == null) retransmissions = new RetransmissionLedger();
                retransmissions.record(seq, Seq.min(seq + len, sndMax), sndMax);
            }
        } else if (!rttTiming && !tsOk && len > 0) {
            rttTiming = true;
            rttSeq = seq;
            rttStart = now;
        }
        transmit(s, len);
        if (len > 0 && len < maxSegmentPayload()) smallSegmentEnd = seq + len;
        int end = seq + len + (fin ? 1 : 0);
        if (seq == sndNxt) sndNxt = end;
        raiseSndMax(end);
        if (rtoDeadline == Long.MAX_VALUE) armRto(now);
        return len;
    }

    /** Retransmits one segment at snd.una (fast retransmit, partial ACK). */
    private void retransmitFirst(long now) {
        int dataEnd = sendBase + sendQueue.size();
        int len = Math.max(0, Math.min(maxSegmentPayload(), dataEnd - sndUna));
        boolean fin = finQueued && sndUna + len == dataEnd && Seq.gt(sndMax, dataEnd);
        if (len == 0 && !fin) return;
        sendSegment(sndUna, len, fin, now);
        armRto(now);
    }

    private static ByteBuffer scratch(int len) {
        ByteBuffer[] holder = SCRATCH.get();
        if (holder[0] == null || holder[0].capacity() < len) holder[0] = ByteBuffer.allocate(Math.max(len, 1 << 16));
        return holder[0];
    }

    /** Fills the reusable output segment's header fields: ACK number, window, timestamps, SACK. */
    private TcpSegment header(int seq, int flags, long now) {
        TcpSegment s = out.clear();
        s.seq = seq;
        s.flags = flags;
        if ((flags & TcpSegment.ACK) != 0) {
            s.ack = rcvNxt;
            lastAckSent = rcvNxt;
            pendingAckBytes = 0;
            ackNow = false;
            delayedAckDeadline = Long.MAX_VALUE;
        }
        s.window = windowField();
        if (tsOk) {
            s.hasTimestamp = true;
            s.tsVal = tsNow(now);
            s.tsEcr = tsRecent;
        }
        if (sackOk && outOfOrder != null) {
            outOfOrder.fillSack(s, rcvNxt, tsOk ? 3 : 4);
        }
        return s;
    }

    private int optionBytes(TcpSegment s) {
        return (s.hasTimestamp ? TS_OPTION_BYTES : 0) + (s.sackBlockCount > 0 ? 4 + 8 * s.sackBlockCount : 0);
    }

    private void transmit(TcpSegment s, int payloadLen) {
        stats.segmentsSent++;
        stats.bytesSent += payloadLen;
        stats.cwnd = cc.cwnd;
        stats.ssthresh = cc.ssthresh;
        output.transmit(this, s);
        s.payload = null;
    }

    private void sendSyn(boolean withAck, long now) {
        TcpSegment s = out.clear();
        s.seq = iss;
        s.flags = TcpSegment.SYN | (withAck ? TcpSegment.ACK : 0);
        s.mss = config.mss();
        s.window = (int) Math.min(config.receiveBuffer(), 65535);
        if (withAck) {
            s.ack = rcvNxt;
            lastAckSent = rcvNxt;
            rcvAdvEdge = rcvNxt + s.window;
            if (windowScaleAgreed) s.windowScale = rcvShift;
            s.sackPermitted = sackOk;
            if (tsOk) {
                s.hasTimestamp = true;
                s.tsVal = tsNow(now);
                s.tsEcr = tsRecent;
            }
        } else {
            if (config.windowScaling()) s.windowScale = config.receiveWindowShift();
            s.sackPermitted = config.sack();
            if (config.timestamps()) {
                s.hasTimestamp = true;
                s.tsVal = tsNow(now);
            }
        }
        if (retransmits == 0) rttStart = now;
        transmit(s, 0);
    }

    /**
     * Answers an unacceptable segment with an ACK, but a pure ACK at most once per
     * {@link #OUT_OF_WINDOW_ACK_INTERVAL} (like Linux's tcp_invalid_ratelimit): two ends that
     * each find the other's ACKs out of window would otherwise answer each other forever.
     */
    private void sendOutOfWindowAck(TcpSegment seg, long now) {
        if (seg.sequenceLength() == 0 && lastOutOfWindowAck != Long.MIN_VALUE && now - lastOutOfWindowAck < OUT_OF_WINDOW_ACK_INTERVAL) {
            stats.outOfWindowAcksSuppressed++;
            return;
        }
        lastOutOfWindowAck = now;
        sendAckNow(now);
    }

    private void sendAckNow(long now) {
        if (state == TcpState.CLOSED || state == TcpState.SYN_SENT) return;
        // snd.max, not snd.nxt: after a timeout snd.nxt falls back, and an ACK carrying an old
        // sequence number would be discarded by the peer's acceptability test.
        transmit(header(controlSeq(), TcpSegment.ACK, now), 0);
    }

    private void sendReset(int seq, int ack, boolean withAck) {
        TcpSegment s = out.clear();
        s.seq = seq;
        s.flags = TcpSegment.RST | (withAck ? TcpSegment.ACK : 0);
        s.ack = ack;
        transmit(s, 0);
    }

    /** Our receive window in bytes as currently advertised (right edge minus rcv.nxt). */
    private int receiveWindow() {
        return Math.max(0, rcvAdvEdge - rcvNxt);
    }

    /**
     * Computes the window field, moving the right edge only by worthwhile amounts: at least
     * min(buffer / 2, MSS) (receiver SWS avoidance, RFC 9293 3.8.6.2.2), so a reader that takes a
     * few bytes from a full buffer does not invite a tinygram.
     */
    private int windowField() {
        long free = Math.max(0, (long) config.receiveBuffer() - receiveQueue.size());
        long maxWindow = 65535L << rcvShift;
        long candidate = Math.min(free, maxWindow) >> rcvShift << rcvShift;
        long current = receiveWindow();
        long threshold = Math.min(config.receiveBuffer() / 2, Math.max(rcvMss, 1));
        if (candidate - current >= threshold) {
            rcvAdvEdge = rcvNxt + (int) candidate;
            current = candidate;
        }
        long field = (current + (1L << rcvShift) - 1) >> rcvShift; // round up: never shrink the edge
        field = Math.min(field, 65535);
        int edge = rcvNxt + (int) (field << rcvShift);
        if (Seq.gt(edge, rcvAdvEdge)) rcvAdvEdge = edge;
        return (int) field;
    }

    private int tsNow(long now) {
        return (int) (now / MS) + tsOffset;
    }

    // =====================================================================================
    // Timers
    // =====================================================================================

    /** While the peer has reneged, the timer runs no later than {@link #renegingWait} from when that was seen. */
    private void armRto(long now) {
        rtoDeadline = sackReneged ? Math.min(rtoDeadline, now + renegingWait()) : now + rtt.timeout();
    }

    private void stopRto() {
        rtoDeadline = Long.MAX_VALUE;
    }

    private void restartKeepalive(long now) {
        keepaliveProbesSent = 0;
        keepaliveDeadline = keepalive && established ? now + config.keepaliveIdle() : Long.MAX_VALUE;
    }

    /** Runs expired timers (retransmission, delayed ACK, persist, keepalive, TIME-WAIT). */
    public void onTimer(long now) {
        if (state == TcpState.CLOSED) return;
        if (closeDeadline <= now) {
            enterClosed(CloseReason.CLOSED);
            return;
        }
        if (rtoDeadline <= now) {
            onRetransmissionTimeout(now);
            if (state == TcpState.CLOSED) return;
        }
        if (persistDeadline <= now) onPersistTimeout(now);
        if (delayedAckDeadline <= now) sendAckNow(now);
        if (keepaliveDeadline <= now) {
            onKeepaliveTimeout(now);
        }
    }

    private void onRetransmissionTimeout(long now) {
        rtoDeadline = Long.MAX_VALUE;
        boolean handshake = state == TcpState.SYN_SENT || state == TcpState.SYN_RECEIVED;
        if (!handshake && sndMax == sndUna) {
            trySend(now, false); // armed by restore with only unsent data
            return;
        }
        // Brought forward because the peer reneged (it is alive and ACKing): not a timeout of the
        // path, so the timer is not backed off. Only this one: the next timeout finds the
        // scoreboard forgotten. It still spends a retry: a peer that SACKs the data at snd.una
        // but never acknowledges it would otherwise have it resent every 10 ms for good.
        boolean reneged = sackReneged && !handshake;
        retransmits++;
        int limit = handshake ? config.synRetries() : config.dataRetries();
        if (retransmits > limit) {
            enterClosed(CloseReason.TIMED_OUT);
            return;
        }
        if (!reneged) {
            stats.timeouts++;
            rtt.backOff();
        }
        rttTiming = false;
        timedOut = true;
        timeoutTsVal = tsNow(now);
        if (handshake) {
            stats.retransmits++;
            sendSyn(state == TcpState.SYN_RECEIVED, now);
            armRto(now);
            return;
        }
        int mss = maxSegmentPayload();
        // RFC 5681 3.1: a timeout for a segment the timer already resent holds ssthresh where the
        // first set it (Linux's tcp_enter_loss too). Cutting it again from the collapsed cwnd left
        // CUBIC at two segments after a few timeouts, so the recovery then crawled in avoidance.
        if (retransmits > 1) cc.cwnd = mss;
        else cc.onTimeout(sndMax - sndUna, mss, now);
        inRecovery = false;
        recover = sndMax;
        timeoutRecovery = true;
        // Going back N resends only what the peer has not SACKed, as Linux does after a timeout
        // (RFC 6675 5.1 lets SACK information guide it). Resending all of a large flight, every
        // segment a retransmission that Karn's rule cannot time, crawled from timeout to timeout
        // on a lossy link: each lost resend doubled a timer that no sample ever reset.
        if (sackReneged) scoreboard = null;
        sackReneged = false;
        if (retransmissions != null) retransmissions.clear(); // going back N sends every hole again
        cutForLostRetransmission = false;
        dupAcks = 0;
        sndNxt = sndUna; // go back N
        skipSackedWhileGoingBack();
        int dataEnd = sendBase + sendQueue.size();
        int len = Math.max(0, Math.min(mss, dataEnd - sndNxt));
        boolean fin = finQueued && sndNxt + len == dataEnd;
        if (Seq.lt(sndNxt, sndMax)) sendSegment(sndNxt, len, fin, now);
        else trySend(now, false); // the peer SACKed everything unacknowledged
        armRto(now);
    }

    private void onPersistTimeout(long now) {
        persistDeadline = Long.MAX_VALUE;
        if (!canSendData()) return;
        if (sndWnd == 0) {
            // As Linux's tcp_probe_timer: a peer silent for as many probes as the retransmission
            // timer allows is gone, and an orphan is not kept waiting on a live one forever.
            if (zeroWindowProbesUnanswered >= config.dataRetries() || closedByUser && persistBackoff >= ORPHAN_ZERO_WINDOW_PROBES) {
                sendReset(controlSeq(), rcvNxt, true); // a live peer learns it, as from keepalive
                enterClosed(CloseReason.TIMED_OUT);
                return;
            }
            // Zero-window probe: an old sequence number forces the peer to answer with its window.
            transmit(header(sndUna - 1, TcpSegment.ACK, now), 0);
            persistBackoff++;
            zeroWindowProbesUnanswered++;
            persistDeadline = now + persistTimeout();
        } else {
            trySend(now, true); // SWS override: send what the small window allows
            if (persistDeadline == Long.MAX_VALUE && sndMax == sndUna) persistDeadline = now + persistTimeout();
        }
    }

    private void onKeepaliveTimeout(long now) {
        keepaliveDeadline = Long.MAX_VALUE;
        // FIN_WAIT_2 too: a half-closed connection whose peer died must not live forever.
        if (!keepalive || !(state == TcpState.ESTABLISHED || state == TcpState.CLOSE_WAIT || state == TcpState.FIN_WAIT_2)) return;
        if (sndMax != sndUna || !sendQueue.isEmpty()) {
            keepaliveDeadline = now + config.keepaliveIdle(); // the retransmission timer watches the peer
            return;
        }
        if (keepaliveProbesSent >= config.keepaliveProbes()) {
            sendReset(controlSeq(), rcvNxt, true);
            enterClosed(CloseReason.TIMED_OUT);
            return;
        }
        keepaliveProbesSent++;
        transmit(header(sndUna - 1, TcpSegment.ACK, now), 0);
        keepaliveDeadline = now + config.keepaliveInterval();
    }

    /** When onTimer must next be called; Long.MAX_VALUE if no timer is armed. */
    public long nextDeadline() {
        return Math.min(Math.min(rtoDeadline, persistDeadline), Math.min(Math.min(delayedAckDeadline, keepaliveDeadline), closeDeadline));
    }

    private void enterTimeWait(long now) {
        state = TcpState.TIME_WAIT;
        stopRto();
        persistDeadline = keepaliveDeadline = Long.MAX_VALUE;
        closeDeadline = now + config.timeWait();
        sendQueue.clear();
        outOfOrder = null;
    }

    private void enterClosed(CloseReason reason) {
        state = TcpState.CLOSED;
        rtoDeadline = persistDeadline = delayedAckDeadline = keepaliveDeadline = closeDeadline = Long.MAX_VALUE;
        sendQueue.clear();
        outOfOrder = null;
        // What the peer sent before its RST (or before it went silent) stays readable, as on Linux:
        // an answer followed at once by a reset reaches the application. An abort of ours discards it.
        if (reason == CloseReason.ABORTED || reason == CloseReason.REFUSED) receiveQueue.clear();
        events.onClosed(this, reason);
    }

    // =====================================================================================
    // User calls
    // =====================================================================================

    /** Queues bytes from {@code src} for sending; returns how many fit in the send buffer (may be 0). */
    public int write(ByteBuffer src, long now) {
        if (finQueued || state == TcpState.CLOSED) throw new IllegalStateException("output is shut down (" + state + ")");
        int skipped = 0;
        if (peerAhead) {
            // The peer holds these bytes already (acceptAckAhead): nothing to queue or send.
            int queueEnd = sendBase + sendQueue.size();
            skipped = (int) Math.min(src.remaining(), Math.max(0, peerHoldsUpTo - queueEnd));
            if (skipped > 0) {
                src.position(src.position() + skipped);
                sendBase += skipped;
                if (Seq.lt(sndUna, sendBase)) sndUna = sendBase;
                if (Seq.lt(sndNxt, sendBase)) sndNxt = sendBase;
                raiseSndMax(sendBase);
                smallSegmentEnd = sndUna;
            }
            if (!Seq.gt(peerHoldsUpTo, sendBase + sendQueue.size())) peerAhead = false;
        }
        int n = Math.min(src.remaining(), writableBytes());
        if (n <= 0) return skipped;
        sendQueue.append(src, src.position(), n);
        src.position(src.position() + n);
        trySend(now, false);
        return skipped + n;
    }

    /** Reads received bytes into {@code dst}; returns the count, 0 if none, -1 at end of stream. */
    public int read(ByteBuffer dst, long now) {
        if (receiveQueue.isEmpty()) return finReceived ? -1 : 0;
        long before = receiveWindow();
        int n = receiveQueue.read(dst);
        if (n > 0 && established && state != TcpState.CLOSED && state != TcpState.TIME_WAIT && !finReceived) {
            maybeSendWindowUpdate(before, now);
        }
        return n;
    }

    /** After the application read: tell a possibly stalled sender that the window reopened. */
    private void maybeSendWindowUpdate(long advertisedBefore, long now) {
        long free = Math.max(0, (long) config.receiveBuffer() - receiveQueue.size());
        long possible = Math.min(free, 65535L << rcvShift);
        long threshold = Math.min(config.receiveBuffer() / 2, 2L * Math.max(rcvMss, 1));
        if (possible - advertisedBefore >= threshold && possible >= 2 * advertisedBefore) {
            sendAckNow(now);
        }
    }

    /**
     * A SYN for this four-tuple while in TIME-WAIT that opens a new incarnation, as Linux takes it
     * (tcp_timewait_state_process, TCP_TW_SYN): a pure SYN, not refused by PAWS, whose sequence
     * number lies past everything of the old one or whose timestamp is newer. A server that
     * closes first holds TIME-WAIT for a minute, while its client, with none, may reuse the port
     * at once; answered with an ACK (RFC 9293), such a client resets it and connects only on its
     * SYN's retransmission a second later. If so this connection ends here (CLOSED, as at the
     * end of TIME-WAIT), and the new one must start above {@link #issForNextIncarnation}.
     */
    public boolean endsForNewIncarnation(TcpSegment syn, long now) {
        if (state != TcpState.TIME_WAIT || (syn.flags & (TcpSegment.SYN | TcpSegment.ACK | TcpSegment.RST)) != TcpSegment.SYN) return false;
        if (pawsRejects(syn, now)) return false;
        if (!Seq.gt(syn.seq, rcvNxt) && !(tsOk && syn.hasTimestamp && Seq.gt(syn.tsVal, tsRecent))) return false;
        enterClosed(CloseReason.CLOSED);
        return true;
    }

    /** RFC 7323 5.3 (PAWS): a timestamp older than the latest taken, unless idle past the limit; an RST is exempt. */
    private boolean pawsRejects(TcpSegment seg, long now) {
        return tsOk && seg.hasTimestamp && !seg.has(TcpSegment.RST) && Seq.lt(seg.tsVal, tsRecent) && now - tsRecentTime < PAWS_IDLE_LIMIT;
    }

    /** The ISS for the incarnation after this one: past anything it sent, so no old segment is taken for new (as Linux). */
    public int issForNextIncarnation() {
        int iss = sndMax + 65535 + 2;
        return iss == 0 ? 1 : iss;
    }

    /** Sends FIN after queued data (half-close). */
    public void shutdownOutput(long now) {
        if (finQueued) return;
        switch (state) {
            case SYN_SENT -> { enterClosed(CloseReason.CLOSED); return; }
            case SYN_RECEIVED -> { finQueued = true; return; }
            case ESTABLISHED -> state = TcpState.FIN_WAIT_1;
            case CLOSE_WAIT -> state = TcpState.LAST_ACK;
            default -> { return; }
        }
        finQueued = true;
        trySend(now, false);
    }

    /** Orderly close: shutdownOutput, and unread or later input is discarded (RST if data was unread, like Linux). */
    public void close(long now) {
        if (state == TcpState.CLOSED) return;
        closedByUser = true;
        if (!receiveQueue.isEmpty()) {
            abort(now);
            return;
        }
        shutdownOutput(now);
        if (state == TcpState.FIN_WAIT_2 && closeDeadline == Long.MAX_VALUE) closeDeadline = now + config.timeWait();
    }

    /** Abortive close: sends RST, discards everything, ends in CLOSED. */
    public void abort(long now) {
        if (state == TcpState.CLOSED) return;
        if (state != TcpState.SYN_SENT && state != TcpState.TIME_WAIT) sendReset(controlSeq(), rcvNxt, true);
        receiveQueue.clear();
        enterClosed(CloseReason.ABORTED);
    }

    /** Repair: the complete state, for restore elsewhere. */
    public TcpCheckpoint checkpoint(long now) {
        switch (state) {
            case SYN_SENT, SYN_RECEIVED, CLOSED -> throw new IllegalStateException("no checkpoint of a connection in state " + state);
            default -> { }
        }
        return new TcpCheckpoint(tuple, state, iss, irs, sndUna, controlSeq(), sndWnd, sndWl1, sndWl2, rcvNxt, receiveWindow(),
                sndShift, rcvShift, sendMss, sackOk, tsOk, tsOffset, tsRecent,
                sendQueue.toArray(), finQueued, receiveQueue.toArray(), finReceived, nagle, keepalive);
    }

    /**
     * An ICMP error quoted one of our segments with sequence number {@code quotedSeq}. RFC 5927:
     * believed only if that number lies in [snd.una, snd.max), so a blind attacker cannot shrink
     * our segments or kill the connection.
     *
     * @param nextHopMtu for "fragmentation needed" (RFC 1191 path MTU discovery): the MTU the
     *                   router can forward; 0 for other errors
     * @param hard       a hard error (protocol or port unreachable, RFC 1122 4.2.3.9): it ends a
     *                   connection that is still opening; an established one only ignores it
     *                   (RFC 5461)
     * @return true if the error was accepted
     */
    public boolean onIcmpError(int quotedSeq, int nextHopMtu, boolean hard, long now) {
        if (!Seq.le(sndUna, quotedSeq) || !Seq.lt(quotedSeq, Seq.max(sndMax, sndUna + 1))) return false;
        if (nextHopMtu > 0) {
            int mss = Math.max(MIN_MSS, nextHopMtu - 40);
            if (mss >= sendMss) return true;
            sendMss = mss;
            retransmitNow(now); // what was in flight was dropped by the router
            return true;
        }
        if (hard && (state == TcpState.SYN_SENT || state == TcpState.SYN_RECEIVED)) {
            enterClosed(activeOpen ? CloseReason.REFUSED : CloseReason.RESET_BY_PEER);
        }
        return true;
    }

    /**
     * Repair/takeover: resends outstanding data from snd.una at once (as a timeout would, but
     * without waiting and without shrinking the congestion window), then any unsent data (a
     * restored connection's whole queue is unsent to it: see {@link #restore}).
     */
    public void retransmitNow(long now) {
        if (!canSendData()) return;
        if (sndMax != sndUna) {
            sndNxt = sndUna;
            rttTiming = false;
            inRecovery = false;
            scoreboard = null;
            sackReneged = false;
            if (retransmissions != null) retransmissions.clear();
        }
        trySend(now, true);
        trySend(now, false);
        if (rtoDeadline == Long.MAX_VALUE && sndMax != sndUna) armRto(now);
    }

    /** Emits a pure ACK at once (e.g. after takeover, to make the peer retransmit promptly). */
    public void sendAck(long now) {
        if (state == TcpState.CLOSED || state == TcpState.SYN_SENT) return;
        sendAckNow(now);
    }

    public void setNagle(boolean on) {
        nagle = on;
    }

    /** Like {@link #setNagle(boolean)}; turning Nagle off also sends what it was holding back, as Linux does for TCP_NODELAY. */
    public void setNagle(boolean on, long now) {
        boolean flush = nagle && !on;
        nagle = on;
        if (flush && canSendData()) trySend(now, false);
    }

    public void setKeepalive(boolean on, long now) {
        keepalive = on;
        restartKeepalive(now);
    }

    /**
     * Lets the host accept super-segments of up to maxBytes payload (rounded down to a multiple of
     * {@link #maxSegmentPayload()}), for TAP segmentation offload; 0 turns it off.
     */
    public void setSegmentOffload(int maxBytes) {
        segmentOffload = Math.max(0, maxBytes);
    }

    /** Largest payload of a normal segment: the send MSS minus the timestamp option when negotiated. */
    public int maxSegmentPayload() {
        return Math.max(1, sendMss - (tsOk ? TS_OPTION_BYTES : 0));
    }

    public FourTuple tuple() { return tuple; }

    public TcpState state() { return state; }

    /** Bytes readable now (excluding FIN). */
    public int readableBytes() { return receiveQueue.size(); }

    /** True when the peer's FIN was received and all data before it read. */
    public boolean isEndOfStream() { return finReceived && receiveQueue.isEmpty(); }

    /** Our side shut down its output (a FIN is queued or sent), e.g. a restored FIN_WAIT connection. */
    public boolean isOutputShutdown() { return finQueued; }

    /** Free send-buffer space. */
    public int writableBytes() {
        if (finQueued || state == TcpState.CLOSED) return 0;
        return Math.max(0, config.sendBuffer() - sendQueue.size());
    }

    /** True once the handshake completed (stays true after close). */
    public boolean isEstablished() { return established; }

    /** Statistics for tests and metrics. */
    public TcpStats stats() { return stats; }

    // Internals for tests in this package.
    int sndUna() { return sndUna; }
    int sndNxt() { return sndNxt; }
    int sndMax() { return sndMax; }
    int sackRanges() { return scoreboard == null ? 0 : scoreboard.rangeCount(); }
    int retransmissionsRecorded() { return retransmissions == null ? 0 : retransmissions.size(); }
    long retransmissionLedgerPasses() { return retransmissions == null ? 0 : retransmissions.passes(); }
    long sndWnd() { return sndWnd; }
    int rcvNxt() { return rcvNxt; }
    long cwnd() { return cc.cwnd; }
    long ssthresh() { return cc.ssthresh; }
    long currentRto() { return rtt.timeout(); }
    int sndWindowShift() { return sndShift; }
    int rcvWindowShift() { return rcvShift; }
    boolean inRecovery() { return inRecovery; }
    int tsRecent() { return tsRecent; }
    long srtt() { return rtt.srtt; }

    @Override
    public String toString() {
        return "TcpConnection[" + tuple + " " + state + " una=" + Integer.toUnsignedString(sndUna) + " nxt=" + Integer.toUnsignedString(sndNxt)
                + " rcv=" + Integer.toUnsignedString(rcvNxt) + "]";
    }
}
