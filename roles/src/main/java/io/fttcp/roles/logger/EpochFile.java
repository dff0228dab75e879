package io.fttcp.roles.logger;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * The highest primary epoch a logger has granted for one cluster, kept durable beside its log:
 * a logger restarted after serving a recovery must still refuse the superseded primary.
 * Written to a temporary file, forced, and renamed over the old one.
 */
final class EpochFile {
    private static final String NAME = "EPOCH";
    private final Path file;

    EpochFile(Path directory) {
        this.file = directory.resolve(NAME);
    }

    /** The stored epoch, 0 if none was stored; a damaged file is a clear error, never a silent 0. */
    long read() throws IOException {
        if (!Files.exists(file)) return 0;
        String text = Files.readString(file, StandardCharsets.US_ASCII).strip();
        try {
            long epoch = Long.parseLong(text);
            if (epoch < 0) throw new NumberFormatException("negative");
            return epoch;
        } catch (NumberFormatException e) {
            throw new IOException(file + " does not hold an epoch (found '" + text + "'): repair or remove it", e);
        }
    }

    void write(long epoch) throws IOException {
        Path temporary = file.resolveSibling(NAME + ".tmp");
        try (FileChannel out = FileChannel.open(temporary, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            out.write(ByteBuffer.wrap((epoch + "\n").getBytes(StandardCharsets.US_ASCII)));
            out.force(true);
        }
        Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel dir = FileChannel.open(file.getParent(), StandardOpenOption.READ)) {
            dir.force(true);
        }
    }
}
