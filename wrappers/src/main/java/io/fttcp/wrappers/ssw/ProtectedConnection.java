package io.fttcp.wrappers.ssw;

import io.fttcp.stack.tcp.FourTuple;
import io.fttcp.stack.tcp.TcpSegment;

import java.util.ArrayDeque;

/**
 * What the south-side wrapper knows of one protected connection, learned only from the packets
 * passing it. Sequence numbers compare modulo 2^32; stream offsets (ours, 0 = the first byte
 * after our SYN) are 64-bit.
 */
final class ProtectedConnection {
    final long key;
    /** As the stack sees it: local = the service address. */
    final FourTuple tuple;

    // ---- the client's SYN (remembered until the SYN-ACK makes the CONNECT record) ----------
    long synAt;
    int clientIsn;
    int clientMss;
    int clientWindowShift;
    boolean clientSack;
    boolean clientTimestamps;
    int clientSynTsVal;
    int clientWindow;

    // ---- the handshake ---------------------------------------------------------------------
    /** LSN of the CONNECT record, or -1 before our first SYN-ACK. */
    long connectLsn = -1;
    /** The stack ended it on its own, and a CLOSE of kind RESET says so in the log (written once). */
    boolean stackResetLogged;
    /** The stack's abort RST is held: it leaves right after the output held before it. */
    boolean abortHeld;
    int serverIsn;
    /** Shift of OUR window field: the SYN-ACK's window scale if the client offered one too, else 0. */
    int ourShift;
    boolean timestamps;
    /** Our SYN-ACK reached the link (its CONNECT was stable). */
    boolean handshakeReleased;

    // ---- input stability -------------------------------------------------------------------
    ReceiveStability receive;
    int latestClientTsVal;
    int clientFinEnd;
    boolean clientFinSeen;
    boolean ourFinAcked;
    /** The last client pure ACK logged (or any logged segment): what a thinned pure ACK is compared with. */
    int loggedAck;
    int loggedWindow;
    long loggedAt;
    boolean loggedAny;

    // ---- what the stack emitted (before clamping) ---------------------------------------------
    int stackAck;
    int stackRightEdge;
    boolean hasStackAck;
    int maxTsVal;
    boolean hasTsVal;
    boolean tsValChanged;

    // ---- what the client was sent: the template of wrapper ACKs ---------------------------
    int lastAckSent;
    int rightEdgeSent;
    int sndNxtSent;
    int lastTsValSent;
    int ourFinEnd;
    boolean ourFinSent;

    // ---- output commit -----------------------------------------------------------------------
    final OutputCommit commit = new OutputCommit();
    /** Reference point mapping our sequence numbers to stream offsets. */
    int refSeq;
    long refOffset;
    /** Stream offset below which every byte (and FIN) has been released to the link. */
    long releasedEnd;
    ArrayDeque<OutgoingPacket> held;
    /**
     * While output is held: the end of the stream the held packets cover without a gap from
     * {@link #releasedEnd}. A retransmission ending below it is redundant (the held copies
     * will carry its bytes), so it is dropped rather than held twice. 0 when nothing is held.
     */
    long heldEnd;

    /** A SYN with a new ISN seen after the handshake was logged: a possible new incarnation. */
    ProtectedConnection successor;
    boolean waiting;
    boolean forgotten;
    /** At least one client segment after the SYN was logged (the handshake was real). */
    boolean clientSegmentLogged;
    /** The client resent data below our last ACK since the last ACK we sent: a repeat ACK is an answer, not noise. */
    boolean clientRetransmitted;
    /** When the wrapper saw both FINs exchanged and acknowledged (last refreshed by stack output), or -1. */
    long retiredAt = -1;

    ProtectedConnection(long key, FourTuple tuple) {
        this.key = key;
        this.tuple = tuple;
    }

    void rememberSyn(TcpSegment syn, long now) {
        synAt = now;
        clientIsn = syn.seq;
        clientMss = syn.mss;
        clientWindowShift = syn.windowScale;
        clientSack = syn.sackPermitted;
        clientTimestamps = syn.hasTimestamp;
        clientSynTsVal = syn.hasTimestamp ? syn.tsVal : 0;
        latestClientTsVal = clientSynTsVal;
        clientWindow = syn.window;
        receive = new ReceiveStability(clientIsn);
        lastAckSent = clientIsn + 1;
    }

    /** Our SYN-ACK fixes the sequence spaces and options. */
    void handshake(TcpSegment synAck) {
        serverIsn = synAck.seq;
        ourShift = synAck.windowScale >= 0 && clientWindowShift >= 0 ? Math.min(14, synAck.windowScale) : 0;
        timestamps = synAck.hasTimestamp && clientTimestamps;
        refSeq = serverIsn + 1;
        refOffset = 0;
        sndNxtSent = serverIsn;
    }

    /**
     * A connection restored at takeover ({@link SouthSideWrapper#adopt}): as if its handshake
     * were logged and released, every client byte below {@code rcvNxt} stable, and every byte of
     * ours queued so far released.
     */
    void adopt(AdoptedConnection a) {
        clientIsn = a.clientIsn();
        clientTimestamps = a.timestamps();
        serverIsn = a.serverIsn();
        ourShift = a.ourWindowShift();
        timestamps = a.timestamps();
        connectLsn = 0; // counts as stable: the old primary's records hold the handshake
        handshakeReleased = true;
        clientSegmentLogged = true;
        receive = new ReceiveStability(a.rcvNxt() - 1);
        latestClientTsVal = a.latestClientTsVal();
        clientFinSeen = a.clientFinReceived();
        clientFinEnd = a.rcvNxt();
        lastAckSent = a.rcvNxt();
        rightEdgeSent = a.rcvNxt();
        int dataEnd = serverIsn + 1 + (int) a.sentEndOffset();
        refSeq = dataEnd;
        refOffset = a.sentEndOffset();
        ourFinSent = a.ourFinSent();
        ourFinEnd = dataEnd + 1;
        ourFinAcked = a.ourFinAcked();
        sndNxtSent = ourFinSent ? ourFinEnd : dataEnd;
        lastTsValSent = a.tsValFloor();
        released(a.sentEndOffset() + (ourFinSent ? 1 : 0));
    }

    boolean hasHeld() {
        return held != null && !held.isEmpty();
    }

    /** Stream offset of our sequence number {@code seq} (within 2^31 of the highest seen). */
    long streamOffset(int seq) {
        return refOffset + (seq - refSeq);
    }

    /** Moves the reference point forward to {@code seq} at {@code offset}. */
    void advanceReference(int seq, long offset) {
        if (offset > refOffset) {
            refOffset = offset;
            refSeq = seq;
        }
    }

    void released(long end) {
        if (end > releasedEnd) {
            releasedEnd = end;
            commit.released(end);
        }
    }

    /** Both FINs were sent and acknowledged to/by the client: nothing of this connection is left to protect. */
    boolean closedBothWays() {
        return clientFinSeen && lastAckSent - clientFinEnd >= 0 && ourFinSent && ourFinAcked;
    }
}
