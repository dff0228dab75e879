package io.fttcp.stack.tcp;

/** RFC 5681 AIMD: slow start, then one MSS per cwnd of ACKed data; ssthresh = flight/2 on loss. */
final class NewReno extends CongestionController {
    private long avoidanceCredit;

    @Override
    void onAck(long acked, int mss, long now, long srtt) {
        long rest = slowStart(acked, mss);
        if (rest <= 0 || cwnd < ssthresh) return;
        avoidanceCredit += rest;
        if (avoidanceCredit >= cwnd) {
            avoidanceCredit -= cwnd;
            cwnd += mss;
        }
    }

    @Override
    void onLoss(long flight, int mss, long now) {
        ssthresh = Math.max(flight / 2, 2L * mss);
        avoidanceCredit = 0;
    }
}
