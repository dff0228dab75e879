package io.fttcp.stack.tcp;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class CongestionControllerTest {
    static final int MSS = 1000;
    static final long RTT = 100_000_000L;

    /** Feeds one window of ACKs per RTT (one ACK per segment) until time t; returns the final time. */
    private static long run(CongestionController cc, long from, long until) {
        long now = from;
        while (now < until) {
            long segs = cc.cwnd / MSS;
            for (long i = 0; i < segs; i++) cc.onAck(MSS, MSS, now + RTT * i / segs, RTT);
            now += RTT;
        }
        return now;
    }

    @Test
    void slowStartDoublesPerRoundTrip() {
        CongestionController cc = new NewReno();
        cc.init(MSS, 10);
        run(cc, 0, RTT);
        assertEquals(20 * MSS, cc.cwnd);
        run(cc, RTT, 2 * RTT);
        assertEquals(40 * MSS, cc.cwnd);
    }

    @Test
    void renoAddsOneSegmentPerRoundTripInAvoidance() {
        CongestionController cc = new NewReno();
        cc.init(MSS, 10);
        cc.ssthresh = 50L * MSS;
        cc.cwnd = 50L * MSS;
        run(cc, 0, 10 * RTT);
        assertEquals(60 * MSS, cc.cwnd, 1.0 * MSS);
    }

    @Test
    void cubicReturnsToWmaxAroundK() {
        Cubic cc = new Cubic();
        cc.init(MSS, 10);
        cc.cwnd = 100L * MSS;
        cc.ssthresh = 100L * MSS;
        cc.onLoss(100L * MSS, MSS, 0);
        assertEquals(70L * MSS, cc.ssthresh);
        cc.cwnd = cc.ssthresh;
        double k = Math.cbrt(30 / 0.4); // seconds
        long t = run(cc, 0, (long) ((k - 1) * 1e9));
        assertTrue(cc.cwnd < 100L * MSS && cc.cwnd > 90L * MSS, "concave approach, cwnd=" + cc.cwnd / MSS);
        run(cc, t, (long) ((k + 0.5) * 1e9));
        assertTrue(cc.cwnd >= 99L * MSS && cc.cwnd <= 103L * MSS, "plateau near Wmax, cwnd=" + cc.cwnd / MSS);
        long plateau = cc.cwnd;
        run(cc, (long) ((k + 0.5) * 1e9), (long) ((k + 4) * 1e9));
        assertTrue(cc.cwnd > plateau + 10L * MSS, "convex probing beyond Wmax, cwnd=" + cc.cwnd / MSS);
    }

    @Test
    void timeoutCollapsesWindowToOneSegment() {
        for (CongestionController cc : new CongestionController[] {new NewReno(), new Cubic()}) {
            cc.init(MSS, 10);
            cc.cwnd = 80L * MSS;
            cc.onTimeout(80L * MSS, MSS, 0);
            assertEquals(MSS, cc.cwnd);
            assertTrue(cc.ssthresh >= 2L * MSS && cc.ssthresh < 80L * MSS);
        }
    }
}
