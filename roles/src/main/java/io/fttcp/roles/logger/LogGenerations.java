package io.fttcp.roles.logger;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Where the generations of one cluster's log live, and which one is current.
 *
 * <p>A primary that served unprotected while the logger was away comes back holding records the
 * log never got; it re-joins with a catch-up of its live connections' records, which must replace
 * everything stored before (old records plus the snapshot would replay connections twice, or
 * ones that have since finished). The catch-up goes into a new generation, a directory of its own;
 * once it is complete and durable the {@code GENERATION} file is switched to it
 * ({@link StoredNumber}: write, force, rename) and only then is the old generation deleted. A
 * crash before the switch leaves the old generation current (the new directory is removed at the
 * next start), one after it the new one: never a mixture.
 *
 * <p>Generation 0 is the cluster's directory itself (the segments of a log that never had a
 * re-join, as before generations existed); generation n &gt; 0 is its subdirectory
 * {@code generation-n}. The {@code EPOCH} file stays in the cluster's directory: epochs fence
 * primaries whatever the generation.
 */
final class LogGenerations {
    private static final String PREFIX = "generation-";
    private static final String SEGMENT_SUFFIX = ".seg";
    private final Path clusterDirectory;
    private final StoredNumber current;

    LogGenerations(Path clusterDirectory) {
        this.clusterDirectory = clusterDirectory;
        this.current = new StoredNumber(clusterDirectory.resolve("GENERATION"), "a log generation");
    }

    /** The current generation (0 if it was never switched); a damaged file is a clear error. */
    long current() throws IOException {
        return current.read();
    }

    /** Makes {@code generation} current, durably (its log must be durable first). */
    void switchTo(long generation) throws IOException {
        current.write(generation);
    }

    Path directoryOf(long generation) {
        return generation == 0 ? clusterDirectory : clusterDirectory.resolve(PREFIX + generation);
    }

    /** Removes every generation but {@code keep}: what an interrupted switch or deletion left. @return how many */
    int removeAllBut(long keep) throws IOException {
        int removed = 0;
        if (keep != 0 && hasSegments(clusterDirectory)) {
            remove(0);
            removed++;
        }
        try (Stream<Path> entries = Files.list(clusterDirectory)) {
            for (Path p : entries.filter(Files::isDirectory).toList()) {
                long g = generationOf(p.getFileName().toString());
                if (g > 0 && g != keep) {
                    remove(g);
                    removed++;
                }
            }
        }
        return removed;
    }

    /** Deletes the files of {@code generation} (never the current one: the caller makes sure). */
    void remove(long generation) throws IOException {
        if (generation == 0) {
            try (DirectoryStream<Path> segments = Files.newDirectoryStream(clusterDirectory, "*" + SEGMENT_SUFFIX)) {
                for (Path s : segments) Files.deleteIfExists(s);
            }
            Files.deleteIfExists(clusterDirectory.resolve(IncompleteMark.FILE)); // its mark, if any, goes with it
            return;
        }
        Path dir = directoryOf(generation);
        if (!Files.exists(dir)) return;
        try (Stream<Path> tree = Files.walk(dir)) {
            for (Path p : tree.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    private static boolean hasSegments(Path dir) throws IOException {
        try (DirectoryStream<Path> segments = Files.newDirectoryStream(dir, "*" + SEGMENT_SUFFIX)) {
            return segments.iterator().hasNext();
        }
    }

    /** The generation a subdirectory holds, or -1 if its name is not one {@link #directoryOf} makes. */
    private static long generationOf(String name) {
        if (!name.startsWith(PREFIX)) return -1;
        String digits = name.substring(PREFIX.length());
        if (digits.isEmpty() || digits.length() > 18 || !digits.chars().allMatch(Character::isDigit)) return -1;
        return Long.parseLong(digits);
    }
}
