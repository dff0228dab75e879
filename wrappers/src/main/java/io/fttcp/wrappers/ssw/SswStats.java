package io.fttcp.wrappers.ssw;

/** Counters of the south-side wrapper, for metrics. Written by the wrapper's thread only. */
public final class SswStats implements Cloneable {
    /** Packets of a connection whose CONNECT was not stable yet, other than its held SYN-ACK: dropped. */
    public long droppedBeforeConnectStable;
    /** CONNECT records logged (one per protected handshake). */
    public long connectsLogged;
    /** SEGMENT records logged. */
    public long segmentsLogged;
    /** Client pure ACKs not logged (their news was too small to matter to the backup). */
    public long pureAcksThinned;
    /** Outgoing packets held (SYN-ACKs waiting for their CONNECT, output waiting for commit). */
    public long held;
    /** Retransmissions of held bytes (or of a held SYN-ACK) not held again: the held copies carry them. */
    public long heldDuplicatesDropped;
    /** Gauge: packets held now. */
    public long heldPackets;
    /** Gauge: bytes (whole packets) held now. */
    public long heldBytes;
    /** Held packets sent once stability allowed. */
    public long released;
    /** Outgoing segments whose ACK was clamped to the stable client sequence. */
    public long clamped;
    /** Clamped pure ACKs not sent because they would repeat the previous ACK. */
    public long suppressedRepeatAcks;
    /** ACKs the wrapper built and sent itself when stability advanced. */
    public long wrapperAcks;
    /** Protected outgoing packets dropped because the primary is fenced (held ones included). */
    public long droppedWhileFenced;
    /** Protected incoming packets dropped as malformed (bad IP/TCP header or checksum): never logged. */
    public long malformedDropped;
    /** Protected outgoing SYN-ACKs dropped because their SYN was not remembered (table full). */
    public long untrackedSynAcksDropped;
    /** Protected outgoing data for a connection the wrapper does not know: dropped, never uncommitted output. */
    public long untrackedDataDropped;
    /** Client SYNs not remembered because too many handshakes were pending. */
    public long synsNotTracked;
    /** Connections restored at takeover and protected from then on ({@code SouthSideWrapper.adopt}). */
    public long connectionsAdopted;
    /** Connections forgotten (closed by both FINs, or reset). */
    public long connectionsForgotten;
    /** Connections the stack aborted or timed out on its own, or whose logged handshake no client segment followed, logged as over (a CLOSE of kind RESET). */
    public long stackResetsLogged;
    /** The stack's RSTs answering a client while the abort RST of the same connection was held (that one ends it): dropped. */
    public long resetsBehindHeldAbortDropped;

    /** A copy of the counters as they are now (take it under the lock the wrapper runs under; read it anywhere). */
    public SswStats snapshot() {
        try {
            return (SswStats) super.clone(); // every field, including any added later
        } catch (CloneNotSupportedException e) {
            throw new AssertionError(e);
        }
    }

    @Override
    public String toString() {
        return "connects=" + connectsLogged + " segments=" + segmentsLogged + " acksThinned=" + pureAcksThinned + " held=" + held + " heldNow=" + heldPackets
                + " released=" + released + " clamped=" + clamped + " wrapperAcks=" + wrapperAcks
                + " droppedWhileFenced=" + droppedWhileFenced + " malformed=" + malformedDropped;
    }
}
