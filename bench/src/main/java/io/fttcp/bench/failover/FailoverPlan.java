package io.fttcp.bench.failover;

import io.fttcp.bench.SteadyWarmUp;

/**
 * How much the failover benchmark measures.
 *
 * @param name              shown in the report (quick, full, ...)
 * @param killTrials        trials with the primary SIGKILLed mid-download
 * @param linkDownTrials    trials with the primary's switch port taken down mid-download
 * @param trialBytes        bytes of each trial's download
 * @param markBytes         bytes received before the failure is injected
 * @param seasonRounds      rounds of an upload and a download of {@code transferBytes} each fresh pair serves before
 *                          a stall trial, so that the primary fails as one that has worked: JIT compiled (both
 *                          directions: with uploads alone, a cut-off primary's compiler threads were still
 *                          compiling the download path, 80 to 200 ms of CPU on the cores the takeover needs),
 *                          heap in use. (A SIGKILLed process's sockets close only once the kernel has freed its
 *                          memory: a primary killed two seconds after its start would flatter the stall.)
 * @param rounds            rounds of (b), each the unprotected server then the protected pair, so noise hits both
 * @param transfersPerRound downloads and uploads per variant and round
 * @param transferBytes     bytes of one download or upload of (b)
 * @param warmupBytes       uncounted downloads per variant and round first, each followed by an uncounted upload (JIT, ARP)
 * @param warmup            how many such uncounted download-and-upload pairs: until the server's speed settles
 * @param rrWarmup          uncounted requests before the latency measurement
 * @param rrRequests        measured requests of the latency measurement, per variant and round
 * @param rrBodyBytes       body bytes of each small response
 */
public record FailoverPlan(String name, int killTrials, int linkDownTrials, long trialBytes, long markBytes, int seasonRounds,
                           int rounds, int transfersPerRound, long transferBytes, long warmupBytes, SteadyWarmUp warmup,
                           int rrWarmup, int rrRequests, int rrBodyBytes) {

    private static final long MIB = 1L << 20;

    public FailoverPlan {
        if (killTrials < 1 || linkDownTrials < 1 || trialBytes < 1 || markBytes < 1 || markBytes >= trialBytes || seasonRounds < 0
                || rounds < 1 || transfersPerRound < 1 || transferBytes < 1 || warmupBytes < 1 || warmup == null
                || rrWarmup < 0 || rrRequests < 1 || rrBodyBytes < 0) {
            throw new IllegalArgumentException("invalid failover plan: " + name);
        }
    }

    /** Under a minute in all. */
    public static FailoverPlan quick() {
        return new FailoverPlan("quick", 3, 3, 64 * MIB, 16 * MIB, 1, 1, 2, 64 * MIB, 64 * MIB, SteadyWarmUp.fixed(2), 3_000, 2_000, 64);
    }

    /** The run: ten trials of each failure. */
    public static FailoverPlan full() {
        return new FailoverPlan("full", 10, 10, 128 * MIB, 32 * MIB, 2, 2, 3, 512 * MIB, 512 * MIB, new SteadyWarmUp(3, 10), 2_000, 10_000, 64);
    }

    /** Seconds: checks that every measurement works, not how fast. */
    public static FailoverPlan smoke() {
        return new FailoverPlan("smoke", 1, 1, 32 * MIB, 8 * MIB, 1, 1, 1, 16 * MIB, 4 * MIB, SteadyWarmUp.fixed(1), 50, 200, 64);
    }
}
