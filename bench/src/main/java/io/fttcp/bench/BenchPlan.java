package io.fttcp.bench;

/**
 * How much the stack benchmark measures: sizes and counts for each measurement.
 *
 * @param name                 shown in the report (quick, full, ...)
 * @param trials               trials per variant of each throughput measurement (interleaved a, b, a, b)
 * @param transferBytes        bytes of one single-connection download or upload
 * @param warmupRounds         uncounted warm-up rounds per variant, each a download of {@code warmupBytes} and an
 *                             aggregate download of half {@code aggregateBytes}: the stack's code needs a few
 *                             hundred MB of traffic before the JIT has compiled its hot paths
 * @param warmupBytes          bytes of one warm-up download
 * @param aggregateConnections concurrent connections of the aggregate download
 * @param aggregateBytes       bytes of one aggregate trial, split evenly across its connections
 * @param rrWarmup             uncounted round trips before the latency measurement
 * @param rrRoundTrips         measured round trips of the latency measurement
 * @param rrMessageBytes       bytes of one request (and of its echo), the newline included
 * @param idleConnections      idle connections held for the memory measurement
 */
public record BenchPlan(String name, int trials, long transferBytes, int warmupRounds, long warmupBytes,
                        int aggregateConnections, long aggregateBytes,
                        int rrWarmup, int rrRoundTrips, int rrMessageBytes, int idleConnections) {

    private static final long MIB = 1L << 20;

    public BenchPlan {
        if (trials < 1 || transferBytes < 1 || warmupRounds < 0 || warmupBytes < 1 || aggregateConnections < 1
                || aggregateBytes < aggregateConnections || rrWarmup < 0 || rrRoundTrips < 1
                || rrMessageBytes < 2 || idleConnections < 1) {
            throw new IllegalArgumentException("invalid bench plan: " + name);
        }
    }

    /** Under a minute in all, topology included. */
    public static BenchPlan quick() {
        return new BenchPlan("quick", 5, 128 * MIB, 3, 64 * MIB, 64, 256 * MIB, 500, 2_000, 64, 2_000);
    }

    /** The full run: more and larger trials, 10,000 idle connections. */
    public static BenchPlan full() {
        return new BenchPlan("full", 5, 1024 * MIB, 5, 256 * MIB, 64, 2048 * MIB, 5_000, 20_000, 64, 10_000);
    }

    /** A few seconds: checks that every measurement works end to end, not how fast. */
    public static BenchPlan smoke() {
        return new BenchPlan("smoke", 1, 16 * MIB, 1, 4 * MIB, 8, 16 * MIB, 50, 200, 64, 100);
    }

    /** Bytes each connection of the aggregate download fetches. */
    public long aggregateBytesPerConnection() {
        return aggregateBytes / aggregateConnections;
    }
}
