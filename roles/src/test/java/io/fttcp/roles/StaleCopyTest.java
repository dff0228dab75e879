package io.fttcp.roles;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StaleCopyTest {
    private static final long MS = 1_000_000L, SECOND = 1_000 * MS;
    private static final long DETECTION = 150 * MS;

    /** As a backup decides: the claim window of its configured detection timeout. */
    private static boolean stale(long lastSent, long foundGoneAt, long detection) {
        return StaleCopy.possible(lastSent, foundGoneAt, ClaimWindow.nanos(detection));
    }

    @Test
    void aPrimaryFoundGoneWithinItsClaimWindowServedNothingUnprotected() {
        long heard = 7 * SECOND;
        // The usual takeovers: a silence of the detection timeout (600 ms while warming up), a kernel's close, a question after a close.
        assertFalse(stale(heard, heard + DETECTION, DETECTION));
        assertFalse(stale(heard, heard + 600 * MS, DETECTION));
        // A backup cut off for a moment: the link back, settled a second, the question answered at once.
        assertFalse(stale(heard, heard + 2_300 * MS, DETECTION));
        assertTrue(stale(heard, heard + 2_400 * MS, DETECTION), "the primary may have served on after its 2.5 s claim window");
        assertTrue(stale(heard, heard + 60 * SECOND, DETECTION));
    }

    @Test
    void aLongerDetectionTimeoutLengthensTheClaimWindowSoASilenceNeverReadsAsStale() {
        long detection = 4 * SECOND;
        assertEquals(11 * SECOND, ClaimWindow.nanos(detection));
        assertEquals(2_500 * MS, ClaimWindow.nanos(DETECTION));
        assertFalse(stale(0, detection + 300 * MS, detection), "a silence");
        // A backup stalled past its watch's threshold (half the timeout) asks the primary, as long again when it is dead.
        assertFalse(stale(0, detection / 2 + 2 * detection + 300 * MS, detection), "a silence, our own short stall, then the question");
        assertTrue(stale(0, 11 * SECOND, detection));
    }

    @Test
    void framesReadRightAfterOurOwnStallMayHaveBeenSentWhenItBegan() {
        long threshold = 75 * MS;
        StallWatch watch = new StallWatch(threshold, 0);
        for (long t = 0; t <= 1 * SECOND; t += 10 * MS) watch.tick(t);
        assertEquals(990 * MS, watch.sentNoEarlierThan(990 * MS, 995 * MS), "no stall: when read");
        // Stopped from 1 s to 6 s: a frame read at 6.001 s, before the ticker's first tick, sat in the socket since 1 s at most.
        assertEquals(1 * SECOND, watch.sentNoEarlierThan(6_001 * MS, 6_002 * MS));
        watch.tick(6_003 * MS);
        assertEquals(1 * SECOND, watch.sentNoEarlierThan(6_001 * MS, 6_004 * MS), "read before the ticker saw the stall end");
        assertEquals(1 * SECOND, watch.sentNoEarlierThan(6_020 * MS, 6_030 * MS), "read just after");
        for (long t = 6_013 * MS; t <= 7 * SECOND; t += 10 * MS) watch.tick(t);
        assertEquals(6_500 * MS, watch.sentNoEarlierThan(6_500 * MS, 7 * SECOND), "read long after the stall: fresh");
        // So a backup that was stopped 5 s and then finds the primary gone holds a copy that may be stale.
        assertTrue(stale(watch.sentNoEarlierThan(6_001 * MS, 6_010 * MS), 6_200 * MS, DETECTION));
    }
}
