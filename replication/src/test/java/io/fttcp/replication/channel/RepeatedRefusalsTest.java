package io.fttcp.replication.channel;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RepeatedRefusalsTest {
    private static final long MINUTE = 60_000_000_000L;

    @Test
    void firstRefusalWarnsRepeatsAreCountedAndWarnOncePerInterval() {
        RepeatedRefusals r = new RepeatedRefusals(MINUTE);
        assertEquals(0, r.warn("logger", "primary still connected", 0));
        assertEquals(-1, r.warn("logger", "primary still connected", 1_500_000_000L));
        assertEquals(-1, r.warn("logger", "primary still connected", 3_000_000_000L));
        assertEquals(2, r.warn("logger", "primary still connected", MINUTE), "the warning after the interval tells how many were not shown");
        assertEquals(-1, r.warn("logger", "primary still connected", MINUTE + 1));
    }

    @Test
    void anotherMessageOrPeerWarnsAtOnce() {
        RepeatedRefusals r = new RepeatedRefusals(MINUTE);
        assertEquals(0, r.warn("logger", "primary still connected", 0));
        assertEquals(0, r.warn("logger", "superseded by epoch 3", 1));
        assertEquals(0, r.warn("other", "primary still connected", 2));
        assertEquals(-1, r.warn("logger", "primary still connected", 3));
    }

    @Test
    void remembersABoundedNumberOfRefusals() {
        RepeatedRefusals r = new RepeatedRefusals(MINUTE);
        for (int i = 0; i < 1000; i++) {
            assertEquals(0, r.warn("peer" + i, "no", i));
        }
        assertEquals(0, r.warn("peer0", "no", 1000), "the oldest pairs are forgotten, so they warn again");
        assertEquals(-1, r.warn("peer999", "no", 1001));
    }
}
