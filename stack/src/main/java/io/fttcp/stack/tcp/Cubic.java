package io.fttcp.stack.tcp;

/**
 * CUBIC (RFC 9438): after a loss the window follows W(t) = C (t - K)^3 + Wmax, with the
 * Reno-friendly estimate as a floor; multiplicative decrease by beta = 0.7.
 */
final class Cubic extends CongestionController {
    private static final double C = 0.4;
    private static final double BETA = 0.7;
    private static final double ALPHA_AIMD = 3 * (1 - BETA) / (1 + BETA);

    /** Window before the last reduction, in segments. */
    private double wMax;
    private double k;
    /** Start of the current congestion-avoidance epoch (ns), or -1. */
    private long epochStart = -1;
    /** Reno-friendly window estimate, in segments. */
    private double wEst;
    private long avoidanceCredit;

    @Override
    void onAck(long acked, int mss, long now, long srtt) {
        long rest = slowStart(acked, mss);
        if (rest <= 0 || cwnd < ssthresh) return;
        double cwndSeg = (double) cwnd / mss;
        if (epochStart < 0) {
            epochStart = now;
            if (wMax < cwndSeg) {
                wMax = cwndSeg;
                k = 0;
            } else {
                k = Math.cbrt((wMax - cwndSeg) / C);
            }
            wEst = cwndSeg;
        }
        double t = (now - epochStart + srtt) / 1e9;
        double target = C * Math.pow(t - k, 3) + wMax;
        wEst += ALPHA_AIMD * ((double) rest / mss) / cwndSeg;
        if (wEst > target) target = wEst;
        // Grow towards the target, at most by half the ACKed amount per ACK (RFC 9438 4.2).
        if (target > cwndSeg) {
            double incSeg = (target - cwndSeg) / cwndSeg * ((double) rest / mss);
            avoidanceCredit += (long) (incSeg * mss);
            long step = Math.min(avoidanceCredit, Math.max(rest / 2, 1));
            if (step > 0) {
                cwnd += step;
                avoidanceCredit -= step;
            }
        }
    }

    @Override
    void onLoss(long flight, int mss, long now) {
        double cwndSeg = (double) cwnd / mss;
        // Fast convergence (RFC 9438 4.7).
        wMax = cwndSeg < wMax ? cwndSeg * (1 + BETA) / 2 : cwndSeg;
        ssthresh = Math.max((long) (cwnd * BETA), 2L * mss);
        epochStart = -1;
        avoidanceCredit = 0;
    }
}
