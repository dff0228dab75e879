package io.fttcp.api;

import java.io.IOException;
import java.net.InetSocketAddress;
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

    /**
     * Called once at start by a {@link Checkpointable} application (see there for the contract):
     * true if the runtime restored {@code application} from a checkpoint (a server recovering
     * from a log that starts at one), false for a fresh start. Unprotected runs and primaries
     * start fresh.
     */
    default boolean restore(Checkpointable application) throws IOException {
        return false;
    }

    /**
     * Records a checkpoint of a {@link Checkpointable} application: {@code state} is its complete
     * state (shared and per connection); the runtime adds each connection's stream positions and
     * the output the client may not have yet. Returns whether a checkpoint was recorded (false
     * where there is nothing to record it in: unprotected runs). On a backup replaying the
     * primary's log the call is matched with the primary's and checked against it.
     */
    default boolean checkpoint(byte[] state) {
        return false;
    }

    /**
     * The name of a connection in checkpoints: its local and remote address and port, the same
     * for the primary's socket and a replayed or restored copy of it.
     */
    default String connectionName(StreamSocket socket) {
        return name(socket.localAddress()) + "-" + name(socket.remoteAddress());
    }

    private static String name(InetSocketAddress a) {
        return (a.getAddress() == null ? a.getHostString() : a.getAddress().getHostAddress()) + ":" + a.getPort();
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
