package io.fttcp.e2e;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LinkImpairmentTest {
    private static final LinkImpairment BAD = new LinkImpairment(0.01, 0.03, Duration.ofMillis(1), Duration.ofMillis(4), 0.005);

    /** Over many frames each fate comes at its rate (within five standard deviations), and delays stay within bounds. */
    @Test
    void fatesComeAtTheirRatesAndDelaysWithinBounds() {
        long seed = new SplittableRandom().nextLong();
        LinkImpairment.Fates fates = BAD.fates(seed);
        int frames = 200_000;
        Map<LinkImpairment.Kind, Integer> seen = new EnumMap<>(LinkImpairment.Kind.class);
        for (int i = 0; i < frames; i++) {
            LinkImpairment.Fate f = fates.next();
            seen.merge(f.kind(), 1, Integer::sum);
            if (f.kind() == LinkImpairment.Kind.DELAY) {
                assertTrue(f.delayNanos() >= 1_000_000 && f.delayNanos() <= 4_000_000, "delay " + f.delayNanos() + " ns, seed " + seed);
            } else {
                assertEquals(0, f.delayNanos(), "seed " + seed);
            }
        }
        expect(seen, LinkImpairment.Kind.DROP, 0.01, frames, seed);
        expect(seen, LinkImpairment.Kind.DELAY, 0.03, frames, seed);
        expect(seen, LinkImpairment.Kind.DUPLICATE, 0.005, frames, seed);
        expect(seen, LinkImpairment.Kind.PASS, 1 - 0.045, frames, seed);
    }

    private static void expect(Map<LinkImpairment.Kind, Integer> seen, LinkImpairment.Kind kind, double p, int n, long seed) {
        double mean = p * n;
        double sd = Math.sqrt(n * p * (1 - p));
        int got = seen.getOrDefault(kind, 0);
        assertTrue(Math.abs(got - mean) <= 5 * sd, kind + ": " + got + " of " + n + ", expected about " + mean + " (seed " + seed + ")");
    }

    @Test
    void theSameSeedGivesTheSameFates() {
        LinkImpairment.Fates a = BAD.fates(42);
        LinkImpairment.Fates b = BAD.fates(42);
        for (int i = 0; i < 10_000; i++) {
            assertEquals(a.next(), b.next(), "frame " + i);
        }
    }

    @Test
    void aPerfectLinkPassesEverything() {
        LinkImpairment.Fates fates = new LinkImpairment(0, 0, Duration.ZERO, Duration.ZERO, 0).fates(7);
        for (int i = 0; i < 10_000; i++) {
            assertEquals(LinkImpairment.Fate.PASS, fates.next());
        }
    }

    @Test
    void impossibleImpairmentsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new LinkImpairment(-0.1, 0, Duration.ZERO, Duration.ZERO, 0));
        assertThrows(IllegalArgumentException.class, () -> new LinkImpairment(0.6, 0.5, Duration.ZERO, Duration.ZERO, 0));
        assertThrows(IllegalArgumentException.class, () -> new LinkImpairment(0, 0.1, Duration.ofMillis(2), Duration.ofMillis(1), 0));
        assertThrows(IllegalArgumentException.class, () -> new LinkImpairment(Double.NaN, 0, Duration.ZERO, Duration.ZERO, 0));
    }
}
