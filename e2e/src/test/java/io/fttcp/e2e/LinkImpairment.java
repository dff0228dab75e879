package io.fttcp.e2e;

import java.time.Duration;
import java.util.SplittableRandom;

/**
 * What a cable does to the frames crossing it, each a probability per frame: lose it, hold it
 * back for a while (so that later frames overtake it: reordering), or deliver it twice. The
 * kernel here has no netem, so {@link ImpairedCable} applies this in user space. Sans-I/O: the
 * fate of each frame comes from a seeded sequence ({@link #fates}).
 *
 * @param loss      probability that a frame is lost
 * @param reorder   probability that a frame is held back for {@code minDelay..maxDelay}
 * @param duplicate probability that a frame is delivered twice
 */
record LinkImpairment(double loss, double reorder, Duration minDelay, Duration maxDelay, double duplicate) {
    /** The bad links of the end-to-end tests: 1% lost, 3% held back 1 to 4 ms, 0.5% duplicated. */
    static final LinkImpairment BAD_LINK = new LinkImpairment(0.01, 0.03, Duration.ofMillis(1), Duration.ofMillis(4), 0.005);

    LinkImpairment {
        for (double p : new double[] {loss, reorder, duplicate}) {
            if (!(p >= 0 && p <= 1)) {
                throw new IllegalArgumentException("probabilities must be within 0..1: " + loss + ", " + reorder + ", " + duplicate);
            }
        }
        if (loss + reorder + duplicate > 1) {
            throw new IllegalArgumentException("loss + reorder + duplicate must not exceed 1");
        }
        if (minDelay.isNegative() || maxDelay.compareTo(minDelay) < 0) {
            throw new IllegalArgumentException("delays must satisfy 0 <= min <= max: " + minDelay + ", " + maxDelay);
        }
    }

    enum Kind { PASS, DROP, DELAY, DUPLICATE }

    /** One frame's fate; {@code delayNanos} is 0 unless it is held back. */
    record Fate(Kind kind, long delayNanos) {
        static final Fate PASS = new Fate(Kind.PASS, 0);
        static final Fate DROP = new Fate(Kind.DROP, 0);
        static final Fate DUPLICATE = new Fate(Kind.DUPLICATE, 0);
    }

    /** The fates of successive frames, from {@code seed}: the same seed, the same sequence. */
    Fates fates(long seed) {
        return new Fates(this, new SplittableRandom(seed));
    }

    static final class Fates {
        private final LinkImpairment impairment;
        private final SplittableRandom random;

        private Fates(LinkImpairment impairment, SplittableRandom random) {
            this.impairment = impairment;
            this.random = random;
        }

        Fate next() {
            double u = random.nextDouble();
            if (u < impairment.loss) {
                return Fate.DROP;
            }
            u -= impairment.loss;
            if (u < impairment.reorder) {
                long min = impairment.minDelay.toNanos();
                long span = impairment.maxDelay.toNanos() - min;
                return new Fate(Kind.DELAY, min + (span == 0 ? 0 : random.nextLong(span + 1)));
            }
            u -= impairment.reorder;
            return u < impairment.duplicate ? Fate.DUPLICATE : Fate.PASS;
        }
    }
}
