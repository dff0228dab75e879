package io.fttcp.bench.failover;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReadTimelineTest {
    private static final long MS = 1_000_000;

    @Test
    void theStallIsTheLongestGapEndingAfterTheFailureEvenIfDataInFlightArrivesAfterIt() {
        ReadTimeline t = new ReadTimeline();
        // Reads every 1 ms, a 30 ms gap before the failure (noise), the failure at 100 ms, two more reads
        // (data in flight), then 45 ms of nothing, then reads again.
        for (long ms = 0; ms <= 50; ms++) t.record(ms * MS, 1000);
        for (long ms = 80; ms <= 102; ms++) t.record(ms * MS, 1000);
        for (long ms = 147; ms <= 160; ms++) t.record(ms * MS, 1000);
        long failure = 100 * MS;
        assertEquals(45 * MS, t.stallAfter(failure));
        assertEquals(new ReadTimeline.Gap(102 * MS, 147 * MS), t.stallGapAfter(failure).orElseThrow());
        assertEquals(30 * MS, t.longestGapBefore(failure));
        assertEquals(t.reads() * 1000L, t.totalBytes());
    }

    @Test
    void noReadAfterTheFailureIsNoStallMeasured() {
        ReadTimeline t = new ReadTimeline();
        t.record(1, 10);
        t.record(2, 10);
        assertEquals(-1, t.stallAfter(5));
        assertTrue(t.stallGapAfter(5).isEmpty());
    }

    @Test
    void binsAddTheBytesOfTheReadsThatEndedInThem() {
        ReadTimeline t = new ReadTimeline();
        t.record(0, 5);
        t.record(9 * MS, 7);
        t.record(10 * MS, 11);
        t.record(35 * MS, 13);
        t.record(40 * MS, 17); // outside [0, 40 ms)
        assertArrayEquals(new long[]{12, 11, 0, 13}, t.bytesPerBin(0, 40 * MS, 10 * MS));
        assertThrows(IllegalArgumentException.class, () -> t.bytesPerBin(0, 0, 10));
    }

    @Test
    void aWrittenTimelineReadsBackTheSameAndGrowsPastItsFirstArrays() throws IOException {
        long seed = new SplittableRandom().nextLong();
        SplittableRandom random = new SplittableRandom(seed);
        ReadTimeline t = new ReadTimeline();
        long now = 0;
        for (int i = 0; i < 40_000; i++) {
            now += random.nextLong(1, 1_000_000);
            t.record(now, random.nextInt(1, 1 << 18));
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        t.writeTo(bytes);
        ReadTimeline back = ReadTimeline.readFrom(new ByteArrayInputStream(bytes.toByteArray()));
        assertEquals(t.reads(), back.reads(), "seed " + seed);
        assertEquals(t.totalBytes(), back.totalBytes(), "seed " + seed);
        for (int i = 0; i < t.reads(); i++) {
            assertEquals(t.time(i), back.time(i), "seed " + seed + ", read " + i);
            assertEquals(t.size(i), back.size(i), "seed " + seed + ", read " + i);
        }
        assertEquals(t.stallAfter(now / 2), back.stallAfter(now / 2), "seed " + seed);
    }

    @Test
    void aCorruptTimelineIsAnIOExceptionNotACrash() {
        byte[] negativeCount = {(byte) 0xff, 0, 0, 0};
        assertThrows(IOException.class, () -> ReadTimeline.readFrom(new ByteArrayInputStream(negativeCount)));
        byte[] truncated = {0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 1};
        assertThrows(IOException.class, () -> ReadTimeline.readFrom(new ByteArrayInputStream(truncated)));
        byte[] zeroSize = {0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0};
        assertThrows(IOException.class, () -> ReadTimeline.readFrom(new ByteArrayInputStream(zeroSize)));
    }
}
