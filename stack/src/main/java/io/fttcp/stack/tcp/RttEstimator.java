package io.fttcp.stack.tcp;

/** RFC 6298 smoothed RTT, variance and retransmission timeout, with exponential backoff. */
final class RttEstimator {
    private static final long CLOCK_GRANULARITY = 1_000_000L; // 1 ms

    long srtt;
    long rttvar;
    long rto;
    int backoff;
    private final long minRto, maxRto;

    RttEstimator(long initialRto, long minRto, long maxRto) {
        this.rto = initialRto;
        this.minRto = minRto;
        this.maxRto = maxRto;
    }

    void sample(long r) {
        if (r < 0) return;
        if (srtt == 0) {
            srtt = Math.max(r, 1);
            rttvar = r / 2;
        } else {
            long delta = Math.abs(srtt - r);
            rttvar = rttvar - (rttvar >> 2) + (delta >> 2);
            srtt = Math.max(1, srtt - (srtt >> 3) + (r >> 3));
        }
        rto = clamp(srtt + Math.max(CLOCK_GRANULARITY, 4 * rttvar));
        backoff = 0;
    }

    /** The current timeout including backoff. */
    long timeout() {
        long t = rto;
        for (int i = 0; i < backoff && t < maxRto; i++) t <<= 1;
        return Math.min(t, maxRto);
    }

    void backOff() {
        if (timeout() < maxRto) backoff++;
    }

    private long clamp(long v) {
        return Math.max(minRto, Math.min(maxRto, v));
    }
}
