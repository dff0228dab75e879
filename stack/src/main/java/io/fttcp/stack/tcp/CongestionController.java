package io.fttcp.stack.tcp;

/**
 * Congestion window policy (RFC 5681 framework). The connection owns loss detection and
 * recovery; the controller only decides how cwnd grows on ACKs and what ssthresh becomes on loss.
 */
abstract class CongestionController {
    long cwnd;
    long ssthresh = Long.MAX_VALUE / 4;

    static CongestionController create(TcpConfig.CongestionControl kind) {
        return kind == TcpConfig.CongestionControl.NEWRENO ? new NewReno() : new Cubic();
    }

    void init(int mss, int initialSegments) {
        cwnd = (long) Math.max(1, initialSegments) * mss;
    }

    /** Newly acknowledged bytes outside loss recovery. */
    abstract void onAck(long acked, int mss, long now, long srtt);

    /** A loss detected by duplicate ACKs or SACK: sets ssthresh (cwnd is then managed by recovery). */
    abstract void onLoss(long flight, int mss, long now);

    /** Retransmission timeout: ssthresh from the loss, cwnd collapses to one segment (RFC 5681 3.1). */
    void onTimeout(long flight, int mss, long now) {
        onLoss(flight, mss, now);
        cwnd = mss;
    }

    /** Standard slow start; returns the bytes left for congestion avoidance. */
    long slowStart(long acked, int mss) {
        if (cwnd >= ssthresh) return acked;
        long grow = Math.min(acked, 2L * mss); // RFC 3465 L=2
        long room = ssthresh - cwnd;
        if (grow <= room) {
            cwnd += grow;
            return acked - Math.min(acked, grow);
        }
        cwnd = ssthresh;
        return acked - room;
    }
}
