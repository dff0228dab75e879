package io.fttcp.bench.transfers;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What the threads used between two samples, one row per process and kind of thread (the
 * kernel's thread name without its trailing number, so a pool's workers add up).
 *
 * @param process  the process's name
 * @param kind     the thread name without trailing digits
 * @param threads  how many threads of that kind ran
 * @param cpuSeconds    CPU time used
 * @param waitSeconds   time spent waiting for a core
 * @param slices        times put on a core
 */
public record ThreadUsage(String process, String kind, int threads, double cpuSeconds, double waitSeconds, long slices) {

    /** Rows for the threads of {@code after}, less what they had used in {@code before} (threads new since count from zero), most CPU first. */
    public static List<ThreadUsage> between(List<ThreadSample> before, List<ThreadSample> after) {
        Map<String, ThreadSample> earlier = new LinkedHashMap<>();
        for (ThreadSample s : before) earlier.put(s.process() + "/" + s.tid(), s);
        Map<String, ThreadUsage> rows = new LinkedHashMap<>();
        for (ThreadSample s : after) {
            ThreadSample b = earlier.get(s.process() + "/" + s.tid());
            long ticks = s.cpuTicks() - (b == null ? 0 : b.cpuTicks());
            long wait = s.waitNanos() - (b == null ? 0 : b.waitNanos());
            long slices = s.slices() - (b == null ? 0 : b.slices());
            String kind = kindOf(s.thread());
            rows.merge(s.process() + "/" + kind,
                    new ThreadUsage(s.process(), kind, 1, ticks / (double) ThreadSample.TICKS_PER_SECOND, wait / 1e9, slices),
                    (x, y) -> new ThreadUsage(x.process, x.kind, x.threads + y.threads, x.cpuSeconds + y.cpuSeconds,
                            x.waitSeconds + y.waitSeconds, x.slices + y.slices));
        }
        List<ThreadUsage> out = new ArrayList<>(rows.values());
        out.sort(Comparator.comparingDouble(ThreadUsage::cpuSeconds).reversed().thenComparing(ThreadUsage::process).thenComparing(ThreadUsage::kind));
        return out;
    }

    /** "ForkJoinPool-1-" and "GC Thread#3" become "ForkJoinPool" and "GC Thread#". */
    static String kindOf(String thread) {
        int end = thread.length();
        while (end > 1 && (Character.isDigit(thread.charAt(end - 1)) || thread.charAt(end - 1) == '-')) end--;
        return thread.substring(0, end);
    }

    /** A report line: CPU and waiting time per GB moved. */
    public String line(long bytes) {
        double gigabytes = bytes / 1e9;
        return String.format(Locale.ROOT, "  %-8s %-18s %2d  cpu %5.2f s/GB  waited for a core %5.2f s/GB  scheduled %,9d times",
                process, kind, threads, cpuSeconds / gigabytes, waitSeconds / gigabytes, slices);
    }
}
