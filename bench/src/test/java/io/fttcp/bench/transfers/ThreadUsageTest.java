package io.fttcp.bench.transfers;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ThreadUsageTest {
    @Test
    void aPoolsWorkersAddUpAndOnlyWhatWasUsedSinceTheFirstSampleCounts() {
        List<ThreadSample> before = List.of(
                new ThreadSample("primary", "ForkJoinPool-1-", 10, 100, 1_000_000_000L, 50),
                new ThreadSample("primary", "tap-reader-tap0", 11, 40, 0, 10));
        List<ThreadSample> after = List.of(
                new ThreadSample("primary", "ForkJoinPool-1-", 10, 150, 1_500_000_000L, 80),
                new ThreadSample("primary", "ForkJoinPool-1-", 12, 30, 200_000_000L, 5), // a worker started since
                new ThreadSample("primary", "tap-reader-tap0", 11, 60, 100_000_000L, 20),
                new ThreadSample("backup", "ForkJoinPool-1-", 10, 10, 0, 1)); // same tid, another process
        List<ThreadUsage> rows = ThreadUsage.between(before, after);
        assertEquals(3, rows.size(), rows.toString());
        ThreadUsage pool = rows.getFirst();
        assertEquals("primary", pool.process());
        assertEquals("ForkJoinPool", pool.kind());
        assertEquals(2, pool.threads());
        assertEquals(0.8, pool.cpuSeconds(), 1e-9);
        assertEquals(0.7, pool.waitSeconds(), 1e-9);
        assertEquals(35, pool.slices());
        assertEquals(new ThreadUsage("primary", "tap-reader-tap", 1, 0.2, 0.1, 10), rows.get(1));
        assertEquals(new ThreadUsage("backup", "ForkJoinPool", 1, 0.1, 0, 1), rows.get(2));
        assertTrue(pool.line(2_000_000_000L).contains("cpu  0.40 s/GB"), pool.line(2_000_000_000L));
    }

    @Test
    void kindsDropTrailingNumbersOnly() {
        assertEquals("GC Thread#", ThreadUsage.kindOf("GC Thread#3"));
        assertEquals("C2 CompilerThre", ThreadUsage.kindOf("C2 CompilerThre"));
        assertEquals("7", ThreadUsage.kindOf("7"));
    }
}
