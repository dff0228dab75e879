package io.fttcp.apps.http;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.*;

class ReadDeadlineTest {

    private static final long SECOND = 1_000_000_000L;

    @Test
    void aWholeDeadlineCountsFromTheFirstReadWhateverArrives() {
        ReadDeadline head = ReadDeadline.whole(Duration.ofSeconds(60));
        long start = 123 * SECOND;
        assertEquals(60 * SECOND, head.allowedWait(start));
        assertEquals(30 * SECOND, head.allowedWait(start + 30 * SECOND));
        assertTrue(head.allowedWait(start + 60 * SECOND) <= 0);
    }
}
