package io.fttcp.bench.transfers;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One thread's counters at one moment, from {@code /proc/<pid>/task/<tid>/}: CPU time ({@code stat}
 * fields 14 and 15, in clock ticks of 10 ms, Linux's fixed USER_HZ) and the time it waited on a
 * run queue and the number of times it was scheduled ({@code schedstat}).
 *
 * @param process   a name for the process (primary, backup, ...)
 * @param thread    the thread's name as the kernel keeps it (at most 15 characters)
 * @param tid       the thread's id
 * @param cpuTicks  user plus system time, clock ticks
 * @param waitNanos time spent runnable but waiting for a core
 * @param slices    times it was put on a core
 */
public record ThreadSample(String process, String thread, long tid, long cpuTicks, long waitNanos, long slices) {
    /** Linux's USER_HZ, the unit of {@code /proc/.../stat} times, is 100 on every architecture it exports. */
    static final long TICKS_PER_SECOND = 100;

    /** Every thread of process {@code pid} now; threads that end while being read are left out. */
    public static List<ThreadSample> of(String process, long pid) throws IOException {
        List<ThreadSample> out = new ArrayList<>();
        Path tasks = Path.of("/proc", Long.toString(pid), "task");
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(tasks)) {
            for (Path task : dir) {
                try {
                    long tid = Long.parseLong(task.getFileName().toString());
                    String comm = Files.readString(task.resolve("comm")).strip();
                    long ticks = cpuTicks(Files.readString(task.resolve("stat")));
                    long[] sched = schedstat(Files.readString(task.resolve("schedstat")));
                    out.add(new ThreadSample(process, comm, tid, ticks, sched[1], sched[2]));
                } catch (NoSuchFileException e) {
                    // the thread ended meanwhile
                }
            }
        }
        return out;
    }

    /**
     * User plus system ticks from a {@code stat} line. The second field, the name in parentheses,
     * may itself hold spaces and parentheses, so the fields are counted from the last ')'.
     */
    static long cpuTicks(String stat) {
        int close = stat.lastIndexOf(')');
        if (close < 0) throw new IllegalArgumentException("not a /proc stat line: " + stat);
        String[] f = stat.substring(close + 1).strip().split("\\s+");
        // After the name: state is field 3, so utime (14) and stime (15) are at 11 and 12 here.
        if (f.length < 13) throw new IllegalArgumentException("too few fields in a /proc stat line: " + stat);
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    /** {time on a core ns, time waiting ns, timeslices} from a {@code schedstat} line. */
    static long[] schedstat(String line) {
        String[] f = line.strip().split("\\s+");
        if (f.length < 3) throw new IllegalArgumentException("not a /proc schedstat line: " + line);
        return new long[] {Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2])};
    }
}
