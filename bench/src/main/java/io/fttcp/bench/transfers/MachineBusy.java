package io.fttcp.bench.transfers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The machine's CPU counters (the first line of {@code /proc/stat}): busy and total jiffies. */
public record MachineBusy(long busy, long total) {

    public static MachineBusy now() throws IOException {
        return parse(Files.readAllLines(Path.of("/proc/stat")).getFirst());
    }

    /** From "cpu  user nice system idle iowait irq softirq steal ...": idle and iowait are not busy. */
    static MachineBusy parse(String cpuLine) {
        String[] f = cpuLine.strip().split("\\s+");
        if (f.length < 6 || !f[0].equals("cpu")) throw new IllegalArgumentException("not the cpu line of /proc/stat: " + cpuLine);
        long total = 0;
        for (int i = 1; i < f.length; i++) total += Long.parseLong(f[i]);
        long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
        return new MachineBusy(total - idle, total);
    }

    /** The share of all cores busy since {@code before}, 0 to 1. */
    public double since(MachineBusy before) {
        long t = total - before.total;
        return t <= 0 ? 0 : (busy - before.busy) / (double) t;
    }
}
