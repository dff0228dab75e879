package io.fttcp.bench.transfers;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ThreadSampleTest {
    @Test
    void cpuTicksAreUserPlusSystemCountedFromTheLastParenthesis() {
        // A thread name with a space and a parenthesis of its own: the fields after it stay where they are.
        String stat = "4321 (odd) name) S 1 4321 4321 0 -1 4194368 100 0 0 0 250 75 0 0 20 0 30 0 1234 0 0";
        assertEquals(325, ThreadSample.cpuTicks(stat));
        assertEquals(7, ThreadSample.cpuTicks("7 (tap-reader-tap0) R 1 7 7 0 -1 0 0 0 0 0 3 4 0 0 20 0 1 0 9 0 0"));
    }

    @Test
    void schedstatGivesRunWaitAndSlices() {
        assertArrayEquals(new long[] {1_500_000_000L, 250_000_000L, 4_242}, ThreadSample.schedstat("1500000000 250000000 4242\n"));
    }

    @Test
    void malformedLinesAreClearErrors() {
        assertThrows(IllegalArgumentException.class, () -> ThreadSample.cpuTicks("no parenthesis here"));
        assertThrows(IllegalArgumentException.class, () -> ThreadSample.cpuTicks("1 (short) S 1 2"));
        assertThrows(IllegalArgumentException.class, () -> ThreadSample.schedstat("12 34"));
    }

    @Test
    void thisProcessesThreadsAreRead() throws IOException {
        List<ThreadSample> mine = ThreadSample.of("test", ProcessHandle.current().pid());
        assertFalse(mine.isEmpty());
        assertTrue(mine.stream().allMatch(s -> s.cpuTicks() >= 0 && s.waitNanos() >= 0 && s.slices() >= 0), mine.toString());
        assertTrue(mine.stream().anyMatch(s -> s.slices() > 0), "some thread of this JVM has run: " + mine);
    }
}
