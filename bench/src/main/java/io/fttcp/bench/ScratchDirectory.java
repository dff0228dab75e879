package io.fttcp.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A benchmark's temporary directory, in memory (/dev/shm) when it can be: upload files are large,
 * and a disk would be part of what is measured. Removed afterwards, even if the run is interrupted.
 */
public final class ScratchDirectory {
    /** The work to do in the directory. */
    @FunctionalInterface
    public interface Work {
        int run(Path directory) throws IOException, InterruptedException;
    }

    private ScratchDirectory() {}

    public static int with(String prefix, Work work) throws IOException, InterruptedException {
        Path shm = Path.of("/dev/shm");
        Path dir = Files.isDirectory(shm) && Files.isWritable(shm) ? Files.createTempDirectory(shm, prefix) : Files.createTempDirectory(prefix);
        Thread cleanup = new Thread(() -> deleteQuietly(dir), "bench-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        try {
            return work.run(dir);
        } finally {
            deleteQuietly(dir);
            try {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            } catch (IllegalStateException shuttingDown) {
                // The hook runs anyway.
            }
        }
    }

    private static void deleteQuietly(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // Best effort: a temporary directory.
                }
            });
        } catch (IOException e) {
            // Best effort.
        }
    }
}
