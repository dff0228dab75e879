package io.fttcp.bench.failover;

import io.fttcp.bench.transfers.ThreadSample;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What a primary cut off from the network (not killed) did with the CPU until its backup took
 * over: here the two share two cores, so its work delays the takeover. Its threads' CPU time
 * before and after, summed, and the three busiest kinds of thread (their names without numbers).
 */
final class CutOffCpu {
    private CutOffCpu() {}

    /** "; the cut-off primary used N ms of CPU until then (a 40, b 30, c 10)", or "" without samples. */
    static String describe(List<ThreadSample> before, List<ThreadSample> after) {
        if (before.isEmpty() || after.isEmpty()) return "";
        Map<Long, Long> start = new HashMap<>();
        for (ThreadSample t : before) start.put(t.tid(), t.cpuTicks());
        Map<String, Long> byKind = new HashMap<>();
        long total = 0;
        for (ThreadSample t : after) {
            long used = t.cpuTicks() - start.getOrDefault(t.tid(), 0L);
            if (used <= 0) continue;
            total += used;
            byKind.merge(kind(t.thread()), used, Long::sum);
        }
        String busiest = byKind.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(3)
                .map(e -> e.getKey() + " " + e.getValue() * 10).collect(Collectors.joining(", "));
        return String.format(Locale.ROOT, "; the cut-off primary used %d ms of CPU until then%s", total * 10,
                busiest.isEmpty() ? "" : " (" + busiest + ")");
    }

    /** A thread's kind: its name without a trailing number ("GC Thread#1" and "GC Thread#0" are one kind). */
    static String kind(String thread) {
        return thread.replaceAll("[#-]?[0-9]+$", "").strip();
    }
}
