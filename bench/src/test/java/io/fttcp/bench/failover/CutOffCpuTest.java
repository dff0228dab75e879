package io.fttcp.bench.failover;

import io.fttcp.bench.transfers.ThreadSample;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class CutOffCpuTest {
    private static ThreadSample t(String name, long tid, long ticks) {
        return new ThreadSample("primary", name, tid, ticks, 0, 0);
    }

    @Test
    void sumsWhatEachThreadUsedAndNamesTheBusiestKinds() {
        List<ThreadSample> before = List.of(t("GC Thread#0", 1, 100), t("GC Thread#1", 2, 50), t("fttcp-primary-p", 3, 10),
                t("C2 CompilerThre", 4, 500), t("idle", 5, 7));
        // A thread that started meanwhile counts whole; one that ended is not there.
        List<ThreadSample> after = List.of(t("GC Thread#0", 1, 103), t("GC Thread#1", 2, 52), t("fttcp-primary-p", 3, 11),
                t("C2 CompilerThre", 4, 504), t("idle", 5, 7), t("new", 6, 2));
        assertEquals("; the cut-off primary used 120 ms of CPU until then (GC Thread 50, C2 CompilerThre 40, new 20)",
                CutOffCpu.describe(before, after));
    }

    @Test
    void saysNothingWithoutSamples() {
        assertEquals("", CutOffCpu.describe(List.of(), List.of(t("a", 1, 1))));
        assertEquals("", CutOffCpu.describe(List.of(t("a", 1, 1)), List.of()));
    }
}
