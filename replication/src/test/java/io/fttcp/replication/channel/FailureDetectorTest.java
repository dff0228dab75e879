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
}
