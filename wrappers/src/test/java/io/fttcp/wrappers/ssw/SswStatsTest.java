package io.fttcp.wrappers.ssw;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class SswStatsTest {
    @Test
    void aSnapshotHoldsTheCountersOfItsMomentAndNoLaterChange() {
        SswStats live = new SswStats();
        live.segmentsLogged = 7;
        live.heldBytes = 1500;
        live.connectionsForgotten = 2;
        SswStats copy = live.snapshot();
        live.segmentsLogged++;
        live.heldBytes = 0;
        assertEquals(7, copy.segmentsLogged);
        assertEquals(1500, copy.heldBytes);
        assertEquals(2, copy.connectionsForgotten);
        assertEquals(8, live.segmentsLogged);
    }
}
