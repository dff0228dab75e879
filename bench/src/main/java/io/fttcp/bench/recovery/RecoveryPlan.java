package io.fttcp.bench.recovery;

import io.fttcp.bench.SteadyWarmUp;

import java.util.List;

/**
 * How much the recovery benchmark measures.
 *
 * @param name                 shown in the report (quick, full, ...)
 * @param logSizesMib          (a) client bytes logged on the one live connection before the primary is killed, MiB
 * @param oneMibTrials         (a) standby recoveries with 1 MiB logged (the result line's figure is their median)
 * @param restartInPlaceMib    (a) the same, for the restart in place (a new JVM on the primary's host)
 * @param connectionCounts     (b) live connections when the primary is killed
 * @param perConnectionBytes   (b) bytes each connection echoes before the kill
 * @param downloadBytes        (c) one download's size
 * @param uploadBytes          (c) one upload's size
 * @param transfers            (c) downloads and uploads per variant
 * @param warmupBytes          (c) uncounted downloads per variant first (JIT, ARP), each followed by an uncounted upload
 * @param warmup               (c) how many such uncounted download-and-upload pairs: until the server's speed settles
 * @param sharedDownloadBytes  (d) each of the four primaries' download
 */
public record RecoveryPlan(String name, List<Integer> logSizesMib, int oneMibTrials, int restartInPlaceMib, List<Integer> connectionCounts, long perConnectionBytes,
                           long downloadBytes, long uploadBytes, int transfers, long warmupBytes, SteadyWarmUp warmup, long sharedDownloadBytes) {
    private static final long MIB = 1L << 20;

    public RecoveryPlan {
        logSizesMib = List.copyOf(logSizesMib);
        connectionCounts = List.copyOf(connectionCounts);
        if (logSizesMib.isEmpty() || logSizesMib.stream().anyMatch(s -> s < 1) || !logSizesMib.contains(1) || oneMibTrials < 1 || restartInPlaceMib < 1
                || connectionCounts.isEmpty() || connectionCounts.stream().anyMatch(c -> c < 1) || perConnectionBytes < 1
                || downloadBytes < 1 || uploadBytes < 1 || transfers < 1 || warmupBytes < 1 || warmup == null || sharedDownloadBytes < 1) {
            throw new IllegalArgumentException("invalid recovery plan: " + name);
        }
    }

    /** Under a minute in all. */
    public static RecoveryPlan quick() {
        return new RecoveryPlan("quick", List.of(1, 16), 3, 1, List.of(1, 100), 1024, 32 * MIB, 16 * MIB, 1, 8 * MIB, SteadyWarmUp.fixed(2), 16 * MIB);
    }

    /** The run. */
    public static RecoveryPlan full() {
        return new RecoveryPlan("full", List.of(1, 4, 16, 64, 256), 5, 1, List.of(1, 10, 100, 1000), 1024, 256 * MIB, 256 * MIB, 3, 256 * MIB, new SteadyWarmUp(3, 10), 64 * MIB);
    }

    /** Seconds: checks that every measurement works, not how fast. */
    public static RecoveryPlan smoke() {
        return new RecoveryPlan("smoke", List.of(1), 1, 1, List.of(10), 1024, 8 * MIB, 4 * MIB, 1, 2 * MIB, SteadyWarmUp.fixed(1), 4 * MIB);
    }

    /** The size replay speed is computed from. */
    public int largestLogMib() {
        return logSizesMib.stream().mapToInt(Integer::intValue).max().orElseThrow();
    }
}
