package io.fttcp.api;

import java.security.SecureRandom;
import java.util.SplittableRandom;

/**
 * Time and randomness for applications. A protected application must take these from here,
 * never from {@link System#nanoTime()}, {@link System#currentTimeMillis()} or an unseeded
 * random generator: on the primary the north-side wrapper logs every value it hands out, and
 * on the backup it hands out the logged values, so both replicas compute the same output.
 * Unprotected runs use {@link #system()}.
 *
 * <p>Values are scoped to the connection the calling thread works on (the socket it last read,
 * wrote or closed; a thread started right after an accept starts on that connection), and each
 * connection's values replay in their own order: one thread per connection is deterministic.
 * Threads sharing one connection, or several threads on no connection, share one sequence and
 * must not read the runtime at the same time.
 */
public interface AppRuntime {

    /** Monotonic nanoseconds, like {@link System#nanoTime()}. */
    long nanoTime();

    /** Wall-clock milliseconds since the epoch, like {@link System#currentTimeMillis()}. */
    long currentTimeMillis();

    /** A fresh random seed; seed a generator with it (see {@link #newRandom()}) rather than drawing one per value. */
    long randomSeed();

    /** A random generator seeded from {@link #randomSeed()}: the backup draws the same numbers. */
    default SplittableRandom newRandom() {
        return new SplittableRandom(randomSeed());
    }

    /** The real clocks and a strong seed source, for unprotected runs. */
    static AppRuntime system() {
        return Unprotected.INSTANCE;
    }

    /** {@link #system()}'s implementation (public only because interface members are). */
    enum Unprotected implements AppRuntime {
        INSTANCE;

        private static final SecureRandom SEEDS = new SecureRandom();

        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public long currentTimeMillis() {
            return System.currentTimeMillis();
        }

        @Override
        public long randomSeed() {
            return SEEDS.nextLong();
        }
    }
}
