package io.fttcp.apps.http;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

class ReadDeadlineTest {

    private static final long SECOND = 1_000_000_000L;

    @Test
    void aWholeDeadlineCountsFromTheFirstReadWhateverArrives() {
        ReadDeadline head = ReadDeadline.whole(Duration.ofSeconds(60));
        long start = 123 * SECOND;
        assertEquals(60 * SECOND, head.allowedWait(start));
        head.received(1_000_000);
        assertEquals(30 * SECOND, head.allowedWait(start + 30 * SECOND), "bytes buy a head no time");
        assertTrue(head.allowedWait(start + 60 * SECOND) <= 0);
    }

    @Test
    void withoutARateItIsATimeoutBetweenBytes() {
        ReadDeadline body = ReadDeadline.atLeast(0, Duration.ofSeconds(60));
        long now = 0;
        for (int i = 0; i < 1000; i++) {
            assertEquals(60 * SECOND, body.allowedWait(now));
            body.received(1);
            now += 59 * SECOND;
        }
        assertEquals(60 * SECOND, body.allowedWait(now));
        assertTrue(body.allowedWait(now + 60 * SECOND) <= 0, "a read that waited its 60 s for nothing");
    }

    @Test
    void aTrickleBelowTheRateRunsOutAndAFlowAtTheRateNeverDoes() {
        long seed = new SplittableRandom().nextLong();
        SplittableRandom random = new SplittableRandom(seed);
        for (int trial = 0; trial < 2000; trial++) {
            long rate = random.nextLong(1, 100_000);
            long timeoutSeconds = random.nextLong(1, 120);
            boolean fastEnough = random.nextBoolean();
            ReadDeadline body = ReadDeadline.atLeast(rate, Duration.ofSeconds(timeoutSeconds));
            long now = random.nextLong();
            long expiredAfter = -1;
            for (int read = 0; read < 10_000 && expiredAfter < 0; read++) {
                long allowed = body.allowedWait(now);
                if (allowed <= 0) {
                    expiredAfter = read;
                    break;
                }
                long waited = random.nextLong(1, Math.min(allowed, 10 * SECOND) + 1); // each read ends within its wait
                // bytes this read brought: at the rate (rounded up) or at 90% of it
                long atRate = (waited * rate + SECOND - 1) / SECOND;
                long bytes = fastEnough ? atRate + 1 : atRate * 9 / 10;
                now += waited;
                body.received((int) Math.min(bytes, Integer.MAX_VALUE));
            }
            String what = "seed " + seed + ", trial " + trial + ", rate " + rate + ", timeout " + timeoutSeconds + " s";
            if (fastEnough) {
                assertEquals(-1, expiredAfter, what + ": a flow above the rate timed out");
            } else {
                assertTrue(expiredAfter >= 0, what + ": a trickle at 90% of the rate went on");
            }
        }
    }

    @Test
    void aBurstBuysNoMoreThanTheTimeoutOfStallAfterIt() {
        ReadDeadline body = ReadDeadline.atLeast(500, Duration.ofSeconds(60));
        body.allowedWait(0);
        body.received(Integer.MAX_VALUE); // 2 GiB at once: days of credit at 500 bytes/s
        assertEquals(60 * SECOND, body.allowedWait(SECOND));
        assertTrue(body.allowedWait(61 * SECOND) <= 0, "a fast start must not pay for a later trickle");
    }
}
