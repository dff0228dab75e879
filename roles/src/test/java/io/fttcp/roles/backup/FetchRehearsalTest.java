package io.fttcp.roles.backup;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

class FetchRehearsalTest {
    /** Every frame it makes decodes and is applied: CONNECT, ACCEPT, and 700 times SEGMENT, READ and WRITE per round. */
    @Test
    void decodesAndAppliesEveryRecordItMakes() {
        assertTimeoutPreemptively(java.time.Duration.ofSeconds(30), () -> assertEquals(3 * (2 + 3 * 700), FetchRehearsal.run(3)));
    }
}
