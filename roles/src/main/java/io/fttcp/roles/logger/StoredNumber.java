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
 * A non-negative number kept durable in one small file: written to a temporary file, forced,
 * renamed over the old one and the directory forced, so that a crash leaves the old number or
 * the new one, never a torn file (a torn temporary file is ignored and overwritten).
 */
final class StoredNumber {
    private final Path file;
    private final String what;

    /** @param what what the number is, for error messages ("an epoch") */
    StoredNumber(Path file, String what) {
        this.file = file;
        this.what = what;
    }

    /** The stored number, 0 if none was stored; a damaged file is a clear error, never a silent 0. */
    long read() throws IOException {
        if (!Files.exists(file)) return 0;
        String text = Files.readString(file, StandardCharsets.US_ASCII).strip();
        try {
            long n = Long.parseLong(text);
            if (n < 0) throw new NumberFormatException("negative");
            return n;
        } catch (NumberFormatException e) {
            throw new IOException(file + " does not hold " + what + " (found '" + text + "'): repair or remove it", e);
        }
    }

    void write(long n) throws IOException {
        Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel out = FileChannel.open(temporary, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            out.write(ByteBuffer.wrap((n + "\n").getBytes(StandardCharsets.US_ASCII)));
            out.force(true);
        }
        Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel dir = FileChannel.open(file.getParent(), StandardOpenOption.READ)) {
            dir.force(true);
        }
    }
}
