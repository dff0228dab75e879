package io.fttcp.bench.recovery;

import org.junit.jupiter.api.Test;

import java.time.LocalTime;
import java.time.format.DateTimeFormatter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class LoggerViewTest {
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");

    /** A log line stamped {@code millis} after {@code base}. */
    private static String line(LocalTime base, long millis, String text) {
        return base.plusNanos(millis * 1_000_000).format(CLOCK) + " INFO fttcp.logger: " + text + "\n";
    }

    @Test
    void tellsTheLastLinesOfTheClusterAfterTheKill() {
        long killed = System.nanoTime();
        LocalTime now = LocalTime.now();
        // Log lines carry no date: around midnight the lines' day is ambiguous (as in the benchmark itself).
        assumeTrue(now.isAfter(LocalTime.of(0, 0, 10)) && now.isBefore(LocalTime.of(23, 59, 50)), "too close to midnight");
        String output = line(now, -5_000, "cluster 'b1': primary's channel closed (an earlier primary)")
                + line(now, 12, "cluster 'b2': primary's channel closed (another cluster)")
                + line(now, 20, "cluster 'b1': primary's channel closed (PEER_CLOSED)")
                + line(now, 23, "cluster 'b1': the primary's process is gone (its liveness port refused)")
                + line(now, 27, "cluster 'b1': serving a recovery at epoch 2");
        String view = LoggerView.describe(output, "b1", killed);
        // The log's clock has milliseconds only, and the line may fall on either side of one.
        assertTrue(view.matches("          logger: channel closed \\+(19|20|21), primary gone \\+(22|23|24), served \\+(26|27|28) ms after the kill"), view);
    }

    @Test
    void saysNothingWithoutTheLines() {
        assertEquals("", LoggerView.describe("", "b1", System.nanoTime()));
        assertEquals("", LoggerView.describe("12:00:00.000 INFO fttcp.logger: cluster 'b2': serving a recovery\n", "b1", System.nanoTime()));
    }
}
