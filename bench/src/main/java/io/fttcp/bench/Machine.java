package io.fttcp.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The machine a benchmark runs on, as its report states it (the figures depend on it). */
public final class Machine {
    private Machine() {}

    /** "2 CPUs, Linux 6.1, Java 25+36, load average 0.41 1.56 1.72". */
    public static String description() {
        return Runtime.getRuntime().availableProcessors() + " CPUs, Linux " + System.getProperty("os.version")
                + ", Java " + Runtime.version() + ", load average " + loadAverage();
    }

    /** The 1, 5 and 15 minute load averages, or "unknown". */
    public static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).strip().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }
}
