package io.fttcp.stack.host;

import io.fttcp.stack.tcp.TcpStats;

/**
 * Loss-recovery counters summed over a host's connections, open and already closed, as Linux's
 * {@code netstat -s} reports them: never decreasing, so they can be exported as counters.
 */
public final class LossTotals {
    /** Data segments sent again, for any reason. */
    public long retransmits;
    /** Retransmission timeouts (not counting one brought forward for a peer that reneged). */
    public long timeouts;
    /** Loss recoveries entered by duplicate ACKs or SACK. */
    public long fastRetransmits;
    /** Retransmissions found lost in turn and sent again without a timeout. */
    public long lostRetransmissions;
    /** Peers seen dropping data they had SACKed. */
    public long sackRenegings;

    void add(TcpStats s) {
        retransmits += s.retransmits;
        timeouts += s.timeouts;
        fastRetransmits += s.fastRetransmits;
        lostRetransmissions += s.lostRetransmissions;
        sackRenegings += s.sackRenegings;
    }

    void add(LossTotals t) {
        retransmits += t.retransmits;
        timeouts += t.timeouts;
        fastRetransmits += t.fastRetransmits;
        lostRetransmissions += t.lostRetransmissions;
        sackRenegings += t.sackRenegings;
    }
}
