package io.fttcp.bench.recovery;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EchoPatternTest {

    @Test
    void everyLineEndsWithinTheEchoServersLineLengthAndTheLastByteIsANewline() {
        long seed = System.nanoTime();
        SplittableRandom random = new SplittableRandom(seed);
        for (int trial = 0; trial < 20; trial++) {
            int length = random.nextInt(1, 40_000);
            EchoPattern p = new EchoPattern(random.nextInt(1000), length);
            byte[] b = new byte[length];
            p.fill(0, b, 0, length);
            assertEquals('\n', b[length - 1], "seed " + seed + ", length " + length);
            int sinceNewline = 0;
            for (byte x : b) {
                sinceNewline = x == '\n' ? 0 : sinceNewline + 1;
                assertTrue(sinceNewline < EchoPattern.LINE, "a line longer than the echo server's, seed " + seed);
                assertTrue(x == '\n' || (x >= 'a' && x <= 'z'), "seed " + seed);
            }
        }
    }

    @Test
    void aPieceFilledAtAnOffsetEqualsTheWholeStreamThere() {
        EchoPattern p = new EchoPattern(7, 100_000);
        byte[] whole = new byte[100_000];
        p.fill(0, whole, 0, whole.length);
        byte[] piece = new byte[5_000];
        p.fill(33_333, piece, 0, piece.length);
        assertArrayEquals(Arrays.copyOfRange(whole, 33_333, 38_333), piece);
    }

    @Test
    void connectionsAndOffsetsDiffer() {
        byte[] a = new byte[4096];
        byte[] b = new byte[4096];
        new EchoPattern(1, 1 << 20).fill(0, a, 0, a.length);
        new EchoPattern(2, 1 << 20).fill(0, b, 0, b.length);
        assertFalse(Arrays.equals(a, b), "two connections send the same bytes");
        new EchoPattern(1, 1 << 20).fill(8, b, 0, b.length);
        assertFalse(Arrays.equals(a, b), "the stream shifted by 8 bytes looks the same: a misplaced piece would pass");
    }
}
