package io.fttcp.roles.logger;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The highest primary epoch a logger has granted for one cluster, kept durable beside its log
 * ({@link StoredNumber}): a logger restarted after serving a recovery must still refuse the
 * superseded primary. One per cluster, whatever the log's {@link LogGenerations generation}.
 */
final class EpochFile {
    private final StoredNumber stored;

    EpochFile(Path directory) {
        this.stored = new StoredNumber(directory.resolve("EPOCH"), "an epoch");
    }

    /** The stored epoch, 0 if none was stored; a damaged file is a clear error, never a silent 0. */
    long read() throws IOException {
        return stored.read();
    }

    void write(long epoch) throws IOException {
        stored.write(epoch);
    }
}
