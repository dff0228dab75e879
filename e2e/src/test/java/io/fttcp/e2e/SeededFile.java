package io.fttcp.e2e;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.SplittableRandom;

/** A file of seeded random bytes, with the SHA-256 computed while writing it. */
record SeededFile(Path path, long size, long seed, String sha256) {

    static SeededFile create(Path path, long size, long seed) throws IOException {
        SplittableRandom random = new SplittableRandom(seed);
        MessageDigest sha = newSha256();
        byte[] block = new byte[1 << 20];
        try (OutputStream out = Files.newOutputStream(path)) {
            for (long written = 0; written < size; ) {
                int n = (int) Math.min(block.length, size - written);
                random.nextBytes(block);
                sha.update(block, 0, n);
                out.write(block, 0, n);
                written += n;
            }
        }
        return new SeededFile(path, size, seed, HexFormat.of().formatHex(sha.digest()));
    }

    static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return path + " (" + size + " bytes, seed " + seed + ", sha256 " + sha256 + ")";
    }
}
