package io.fttcp.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * The kernel's slab memory ({@code Slab:} of /proc/meminfo), where its sockets live. It is
 * machine-wide: both ends of a connection in the namespaces, and whatever else runs, count.
 */
public final class KernelSlab {
    private static final Path MEMINFO = Path.of("/proc/meminfo");

    private KernelSlab() {
    }

    /** Current slab bytes, or empty where /proc/meminfo cannot be read. */
    public static OptionalLong bytes() {
        try {
            return parse(Files.readString(MEMINFO));
        } catch (IOException e) {
            return OptionalLong.empty();
        }
    }

    /** The {@code Slab:} line of a meminfo text, in bytes; empty if it is missing or malformed. */
    static OptionalLong parse(String meminfo) {
        for (String line : meminfo.split("\n")) {
            if (line.startsWith("Slab:")) {
                String[] f = line.substring(5).strip().split("\\s+");
                if (f.length == 2 && f[1].equals("kB")) {
                    try {
                        return OptionalLong.of(Long.parseLong(f[0]) * 1024);
                    } catch (NumberFormatException e) {
                        return OptionalLong.empty();
                    }
                }
                return OptionalLong.empty();
            }
        }
        return OptionalLong.empty();
    }
}
