package io.fttcp.stack.packet;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * One counter per {@link DropReason}, backed by a long array indexed by ordinal. Not thread-safe:
 * a stack counts on its own event-loop thread; {@link #snapshot()} from another thread may read
 * slightly stale values, which is fine for metrics.
 */
public final class DropCounters {
    private static final DropReason[] REASONS = DropReason.values();
    private final long[] counts = new long[REASONS.length];

    public void count(DropReason reason) {
        counts[reason.ordinal()]++;
    }

    public void count(DropReason reason, long n) {
        counts[reason.ordinal()] += n;
    }

    public long get(DropReason reason) {
        return counts[reason.ordinal()];
    }

    public long total() {
        long sum = 0;
        for (long c : counts) sum += c;
        return sum;
    }

    public void reset() {
        java.util.Arrays.fill(counts, 0);
    }

    /** Every reason with its count (zeros included), in declaration order; a copy, unmodifiable. */
    public Map<DropReason, Long> snapshot() {
        EnumMap<DropReason, Long> map = new EnumMap<>(DropReason.class);
        for (DropReason r : REASONS) map.put(r, counts[r.ordinal()]);
        return Collections.unmodifiableMap(map);
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("DropCounters{");
        String sep = "";
        for (DropReason r : REASONS) {
            long c = counts[r.ordinal()];
            if (c != 0) {
                b.append(sep).append(r).append('=').append(c);
                sep = ", ";
            }
        }
        return b.append('}').toString();
    }
}
