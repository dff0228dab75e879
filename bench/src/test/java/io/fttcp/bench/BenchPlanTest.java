package io.fttcp.bench;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class BenchPlanTest {

    @Test
    void quickIsSmallerThanFullAndFullHoldsTenThousandIdleConnections() {
        BenchPlan quick = BenchPlan.quick();
        BenchPlan full = BenchPlan.full();
        assertTrue(quick.trials() * quick.transferBytes() < full.trials() * full.transferBytes());
        assertTrue(quick.trials() * quick.aggregateBytes() < full.trials() * full.aggregateBytes());
        assertTrue(quick.rrRoundTrips() < full.rrRoundTrips());
        assertTrue(quick.idleConnections() < full.idleConnections());
        assertEquals(10_000, full.idleConnections());
        assertEquals(64, full.aggregateConnections());
        assertEquals(full.aggregateBytes() / 64, full.aggregateBytesPerConnection());
    }

    @Test
    void nonsensePlansAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new BenchPlan("x", 0, 1, 1, 1, 1, 1, 0, 1, 64, 1));
        assertThrows(IllegalArgumentException.class, () -> new BenchPlan("x", 1, 1, 1, 1, 8, 4, 0, 1, 64, 1));
        assertThrows(IllegalArgumentException.class, () -> new BenchPlan("x", 1, 1, 1, 1, 1, 1, 0, 1, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new BenchPlan("x", 1, 1, -1, 1, 1, 1, 0, 1, 64, 1));
        assertNotNull(new BenchPlan("x", 1, 1, 0, 1, 1, 1, 0, 1, 64, 1));
    }
}
