package io.fttcp.wrappers.ssw;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class OutputCommitTest {
    @Test
    void eachRequirementCoversTheBytesSinceThePreviousOne() {
        OutputCommit c = new OutputCommit();
        assertEquals(OutputCommit.UNCOVERED, c.lsnNeededBelow(1));
        c.require(100, 5);
        c.require(250, 9);
        assertEquals(5, c.lsnNeededBelow(1));
        assertEquals(5, c.lsnNeededBelow(100));
        assertEquals(9, c.lsnNeededBelow(101));
        assertEquals(9, c.lsnNeededBelow(250));
        assertEquals(OutputCommit.UNCOVERED, c.lsnNeededBelow(251));
    }

    @Test
    void requirementsNeverGoBackwards() {
        OutputCommit c = new OutputCommit();
        c.require(100, 5);
        c.require(80, 7);   // a smaller offset: raises the last requirement instead
        assertEquals(7, c.lsnNeededBelow(50));
        c.require(200, 3);  // a smaller LSN for later bytes: they need at least the earlier one
        assertEquals(7, c.lsnNeededBelow(150));
    }

    @Test
    void releasedBytesDropTheirRequirementsAndTheRingGrows() {
        OutputCommit c = new OutputCommit();
        for (int i = 1; i <= 1000; i++) c.require(i * 10L, i);
        assertEquals(500, c.lsnNeededBelow(5000));
        c.released(5000);
        assertEquals(501, c.lsnNeededBelow(4000), "bytes below 5000 left already: their requirement is gone");
        assertEquals(1000, c.lsnNeededBelow(10_000));
    }

    @Test
    void theRestOfAPartialWriteNeedsTheLaterWritesLsn() {
        OutputCommit c = new OutputCommit();
        c.require(0, 100, 5);    // a write offered bytes [0,100) but the stack took only [0,40)
        c.require(40, 90, 8);    // the next write hands over [40,90) again, after more records
        assertEquals(8, c.lsnNeededBelow(60), "bytes [40,90) depend on records logged before the second write");
        assertEquals(8, c.lsnNeededBelow(100));
        c.require(100, 150, 6);  // no overlap: later bytes still need at least the earlier LSN
        assertEquals(8, c.lsnNeededBelow(120));
    }
}
