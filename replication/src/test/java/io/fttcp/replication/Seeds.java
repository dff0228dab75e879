package io.fttcp.replication;

import java.util.SplittableRandom;

/** Test seeds: random, or the one given with -Dfttcp.seed=N to replay a failure. */
public final class Seeds {
    private Seeds() {
    }

    public static long next() {
        Long given = Long.getLong("fttcp.seed");
        return given != null ? given : new SplittableRandom().nextLong();
    }
}
