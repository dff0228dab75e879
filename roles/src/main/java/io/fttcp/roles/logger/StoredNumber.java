package io.fttcp.roles.logger;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** A non-negative number kept durable in one small file ({@link DurableFile}: a crash leaves the old number or the new one). */
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

    /** @throws IllegalArgumentException {@code n} is negative: {@link #read} would refuse it, and the logger would not start */
    void write(long n) throws IOException {
        if (n < 0) {
            throw new IllegalArgumentException("cannot store " + n + " in " + file + " as " + what + ": it must not be negative");
        }
        DurableFile.replace(file, (n + "\n").getBytes(StandardCharsets.US_ASCII));
    }
}
