package io.fttcp.stack.tcp;

/** Per-connection counters, mutable, owned by the connection. */
public final class TcpStats {
    public long segmentsSent;
    public long segmentsReceived;
    public long bytesSent;
    public long bytesReceived;
    public long retransmits;
    public long fastRetransmits;
    public long timeouts;
    public long duplicateSegments;
    public long outOfOrderSegments;
    public long invalidSegments;
    public long pawsRejected;
    public long challengeAcks;
    /** Pure ACKs answering unacceptable pure ACKs that were not sent (rate limit against ACK storms). */
    public long outOfWindowAcksSuppressed;
    /** ACK fields taken from segments outside the window of a connection restored at takeover (TcpConnection.takeAckOfUnacceptable). */
    public long acksOfUnacceptableSegmentsTaken;
    /** SACK blocks ignored because they would have grown the scoreboard past its bound (hostile tiny ranges). */
    public long sackBlocksIgnored;
    /** Times the peer was seen to drop data it had SACKed (its cumulative ACK stopped where that data began). */
    public long sackRenegings;
    /** Retransmissions found lost in turn (the peer SACKed something sent after them) and sent again without a timeout. */
    public long lostRetransmissions;
    /** Congestion window and slow-start threshold in bytes, and smoothed RTT in ns, at last update. */
    public long cwnd;
    public long ssthresh;
    public long srtt;
}
