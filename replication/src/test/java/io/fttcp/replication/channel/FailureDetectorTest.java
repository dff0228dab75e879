package io.fttcp.replication.channel;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class FailureDetectorTest {
    private static final long MS = 1_000_000;

    @Test
    void suspectsAfterExactlyTheTimeoutOfSilence() {
        FailureDetector d = new FailureDetector(150 * MS, 1000 * MS);
        assertFalse(d.suspect(1000 * MS));
        assertFalse(d.suspect(1149 * MS));
        assertTrue(d.suspect(1150 * MS));
        d.heard(1140 * MS);
        assertFalse(d.suspect(1150 * MS));
        assertFalse(d.suspect(1289 * MS));
        assertTrue(d.suspect(1290 * MS));
        assertEquals(1290 * MS, d.deadline());
        assertEquals(10 * MS, d.silenceNanos(1150 * MS));
    }

    @Test
    void anOlderTimeDoesNotMoveLastHeardBack() {
        FailureDetector d = new FailureDetector(150 * MS, 0);
        d.heard(100 * MS);
        d.heard(50 * MS);
        assertEquals(100 * MS, d.lastHeard());
    }

    @Test
    void worksAcrossTheNanoTimeWrap() {
        long start = Long.MAX_VALUE - 100 * MS;
        FailureDetector d = new FailureDetector(150 * MS, start);
        long later = start + 149 * MS; // wraps negative
        assertTrue(later < 0);
        assertFalse(d.suspect(later));
        assertTrue(d.suspect(start + 150 * MS));
    }

    @Test
    void duringWarmUpOnlyALongerSilenceIsSuspectAndTheDeadlineSaysWhen() {
        long warm = FailureDetector.WARMUP_TIMEOUT_NANOS;
        FailureDetector d = new FailureDetector(150 * MS, 0, 2_000 * MS);
        assertFalse(d.suspect(150 * MS), "150 ms of silence right after the start is tolerated");
        assertFalse(d.suspect(warm - 1));
        assertTrue(d.suspect(warm));
        assertEquals(warm, d.deadline());
        d.heard(1_900 * MS); // a silence from here ends after the warm-up: the normal timeout, but not before the warm-up ends
        assertEquals(2_050 * MS, d.deadline());
        assertFalse(d.suspect(2_049 * MS));
        assertTrue(d.suspect(2_050 * MS));
        d.heard(1_990 * MS);
        assertEquals(2_140 * MS, d.deadline());
        d.heard(1_500 * MS + 1); // older: ignored
        d.heard(1_999 * MS);
        assertEquals(2_149 * MS, d.deadline());
        FailureDetector early = new FailureDetector(150 * MS, 0, 2_000 * MS);
        early.heard(1_800 * MS); // 1800 + 600 > 2000: the normal timeout applies from the warm-up's end
        assertEquals(2_000 * MS, early.deadline());
        assertTrue(early.suspect(2_000 * MS));
        assertFalse(early.suspect(1_999 * MS));
    }

    @Test
    void theWarmUpCanStartAnewWhenTheHandshakeCompletes() {
        FailureDetector d = new FailureDetector(150 * MS, 0, 2_000 * MS);
        d.restartWarmup(1_900 * MS, 2_000 * MS); // a slow handshake: the warm-up counts from here
        assertFalse(d.suspect(1_900 * MS + 599 * MS));
        assertTrue(d.suspect(1_900 * MS + FailureDetector.WARMUP_TIMEOUT_NANOS));
        d.heard(3_800 * MS);
        assertEquals(3_950 * MS, d.deadline(), "after the new warm-up, the normal timeout");
    }

    @Test
    void afterAPauseOfOursTheVerdictWaitsAGraceForTheReader() {
        FailureDetector d = new FailureDetector(150 * MS, 0, 0, 40 * MS, 20 * MS);
        for (long t = 0; t <= 120 * MS; t += 20 * MS) {
            assertFalse(d.observe(t));
        }
        // Our ticker stalls from 120 to 179 ms: the silence is over the timeout, but we were not looking.
        assertFalse(d.observe(179 * MS), "no verdict right after a pause of our own");
        assertEquals(1, d.verdictsDeferred());
        assertEquals(199 * MS, d.deadline(), "looks again a grace later");
        assertFalse(d.observe(198 * MS));
        d.heard(185 * MS); // the reader ran and found the peer's frames waiting
        assertFalse(d.observe(199 * MS));
        assertEquals(335 * MS, d.deadline());
        for (long t = 219 * MS; t < 335 * MS; t += 20 * MS) {
            assertFalse(d.observe(t));
        }
        assertTrue(d.observe(335 * MS), "a silence seen while we run is suspect at the timeout, no later");
        assertEquals(1, d.verdictsDeferred());
    }

    @Test
    void aSilentPeerIsStillSuspectedOneGraceAfterAPauseOfOurs() {
        FailureDetector d = new FailureDetector(150 * MS, 0, 0, 40 * MS, 20 * MS);
        assertFalse(d.observe(100 * MS));
        assertFalse(d.observe(300 * MS));
        assertTrue(d.suspect(300 * MS));
        assertFalse(d.observe(319 * MS));
        assertTrue(d.observe(320 * MS));
    }

    @Test
    void anObserverPausedAgainAndAgainStillReachesItsVerdictOneGraceLate() {
        FailureDetector d = new FailureDetector(150 * MS, 0, 0, 40 * MS, 20 * MS);
        long verdictAt = -1;
        for (long t = 0; t <= 400 * MS; t += 50 * MS) { // every look 50 ms after the last: always a pause of ours
            if (d.observe(t)) {
                verdictAt = t;
                break;
            }
        }
        assertEquals(200 * MS, verdictAt, "the first look past the timeout waits; the next one decides");
        assertEquals(1, d.verdictsDeferred());
    }

    @Test
    void aPauseWhileThePeerIsHeardDefersNothing() {
        FailureDetector d = new FailureDetector(150 * MS, 0, 0, 40 * MS, 20 * MS);
        assertFalse(d.observe(0));
        d.heard(90 * MS);
        assertFalse(d.observe(100 * MS), "a late look, the peer not silent: no verdict to defer");
        assertEquals(0, d.verdictsDeferred());
        assertEquals(240 * MS, d.deadline());
    }
}
