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
    /** Congestion window and slow-start threshold in bytes, and smoothed RTT in ns, at last update. */
    public long cwnd;
    public long ssthresh;
    public long srtt;
}
