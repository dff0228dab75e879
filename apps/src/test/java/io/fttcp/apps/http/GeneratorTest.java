package io.fttcp.apps.http;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

class GeneratorTest {

    @Test
    void fillAtAnyOffsetAgreesWithByteAt() {
        long seed = new SplittableRandom().nextLong();
        SplittableRandom random = new SplittableRandom(seed);
        Generator generator = new Generator(random.nextLong());
        for (int trial = 0; trial < 200; trial++) {
            long offset = random.nextLong(1L << 40);
            int len = random.nextInt(0, 100);
            int off = random.nextInt(0, 8);
            byte[] dst = new byte[off + len + 3];
            generator.fill(offset, dst, off, len);
            for (int i = 0; i < len; i++) {
                assertEquals(generator.byteAt(offset + i), dst[off + i], "seed " + seed + " offset " + (offset + i));
            }
            assertEquals(0, dst[off + len], "wrote past the end, seed " + seed);
            ByteBuffer direct = ByteBuffer.allocateDirect(len);
            generator.fill(offset, direct, len);
            for (int i = 0; i < len; i++) {
                assertEquals(dst[off + i], direct.get(i), "direct buffer, seed " + seed);
            }
        }
    }

    @Test
    void sha256MatchesTheStreamReadInOddPieces() throws Exception {
        long seed = new SplittableRandom().nextLong();
        SplittableRandom random = new SplittableRandom(seed);
        Generator generator = new Generator(7);
        long length = 1_000_003;
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        try (var in = generator.stream(length)) {
            byte[] buf = new byte[10_000];
            int n;
            while ((n = in.read(buf, 0, random.nextInt(1, buf.length))) > 0) {
                digest.update(buf, 0, n);
            }
        }
        assertEquals(HexFormat.of().formatHex(digest.digest()), generator.sha256Hex(length), "seed " + seed);
    }

    @Test
    void streamsDifferBySeedAndLookRandom() {
        byte[] a = new byte[4096];
        byte[] b = new byte[4096];
        new Generator(1).fill(0, a, 0, a.length);
        new Generator(2).fill(0, b, 0, b.length);
        assertFalse(java.util.Arrays.equals(a, b));
        int[] counts = new int[256];
        for (byte x : a) {
            counts[x & 0xFF]++;
        }
        for (int c : counts) {
            assertTrue(c < 60, "byte distribution far from uniform: " + c + " of 4096");
        }
        assertNotEquals(new Generator(1).sha256Hex(100), new Generator(1).sha256Hex(101));
    }
}
