package io.fttcp.wrappers.ssw;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReceiveStabilityTest {
    @Test
    void stableEndIsTheContiguousStableCoverageFromTheIsn() {
        ReceiveStability s = new ReceiveStability(-10); // sequence space wraps through 0
        s.logged(1, -9, -4);     // [-9, -4)
        s.logged(2, 1, 6);       // beyond a gap
        s.logged(3, -4, 1);      // fills it
        assertFalse(s.advance(0));
        assertEquals(-9, s.stableRcv());
        assertTrue(s.advance(2));
        assertEquals(-4, s.stableRcv(), "the second range waits beyond the gap");
        assertTrue(s.advance(3));
        assertEquals(6, s.stableRcv());
        assertFalse(s.hasPending());
    }

    @Test
    void matchesAModelUnderRandomSegments() {
        // Far fewer ranges than MAX_ISLANDS per run, so no island is ever dropped: exact.
        check(64, true, 200);
        check(400, true, 20);
    }

    @Test
    void beyondMaxIslandsTheFarthestAreDroppedAndARetransmissionRestoresThem() {
        int isn = 12345, n = ReceiveStability.MAX_ISLANDS + 50;
        ReceiveStability s = new ReceiveStability(isn);
        long lsn = 0;
        for (int k = 0; k < n; k++) s.logged(++lsn, isn + 1 + 2 * k + 1, isn + 2 + 2 * k + 1); // odd bytes: islands
        s.advance(lsn);
        assertEquals(ReceiveStability.MAX_ISLANDS, s.islandCount(), "bounded");
        assertEquals(isn + 1, s.stableRcv());
        for (int k = 0; k < n; k++) s.logged(++lsn, isn + 1 + 2 * k, isn + 2 + 2 * k); // the even bytes fill the gaps
        s.advance(lsn);
        int kept = isn + 1 + 2 * ReceiveStability.MAX_ISLANDS + 1; // the kept islands and the gap byte after the last
        assertEquals(kept, s.stableRcv(), "the nearest islands joined; the dropped ones wait for a retransmission");
        s.logged(++lsn, kept, isn + 1 + 2 * n); // the client retransmits the rest
        s.advance(lsn);
        assertEquals(isn + 1 + 2 * n, s.stableRcv());
        assertEquals(0, s.islandCount());
    }

    private static void check(int maxRanges, boolean exact, int runs) {
        long seed = new SplittableRandom().nextLong();
        SplittableRandom r = new SplittableRandom(seed);
        for (int run = 0; run < runs; run++) {
            int isn = r.nextInt();
            ReceiveStability s = new ReceiveStability(isn);
            List<long[]> logged = new ArrayList<>(); // {lsn, from, to} as offsets from isn + 1
            long lsn = 0, stable = 0;
            for (int step = 0; step < 3 * maxRanges; step++) {
                if (r.nextInt(3) > 0 && lsn < maxRanges) {
                    long from = r.nextInt(20_000), to = from + r.nextInt(1, 1500);
                    s.logged(++lsn, isn + 1 + (int) from, isn + 1 + (int) to);
                    logged.add(new long[]{lsn, from, to});
                } else {
                    stable = r.nextLong(stable, lsn + 1);
                    s.advance(stable);
                    long expected = model(logged, stable), got = s.stableRcv() - (isn + 1) & 0xFFFF_FFFFL;
                    if (exact) assertEquals(expected, got, "seed " + seed + " run " + run);
                    else assertTrue(got <= expected, "seed " + seed + " run " + run);
                }
            }
        }
    }

    /** Contiguous coverage from 0 by the ranges whose LSN is stable. */
    private static long model(List<long[]> logged, long stable) {
        List<long[]> ranges = new ArrayList<>();
        for (long[] l : logged) if (l[0] <= stable) ranges.add(l);
        ranges.sort((a, b) -> Long.compare(a[1], b[1]));
        long end = 0;
        for (long[] l : ranges) {
            if (l[1] > end) break;
            end = Math.max(end, l[2]);
        }
        return end;
    }
}
