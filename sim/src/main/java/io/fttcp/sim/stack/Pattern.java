package io.fttcp.sim.stack;

import java.nio.ByteBuffer;

/**
 * A seeded pseudo-random byte stream that can be produced and checked at any offset: the sender
 * fills its buffers from it and the receiver compares what arrives against it, byte for byte,
 * without either keeping the stream.
 */
public final class Pattern {
    private final long seed;

    public Pattern(long seed) {
        this.seed = seed;
    }

    public long seed() {
        return seed;
    }

    /** The byte at {@code offset} of the stream. */
    public byte byteAt(long offset) {
        return (byte) (word(offset >>> 3) >>> ((offset & 7) << 3));
    }

    /** Puts the {@code length} bytes starting at stream {@code offset} into {@code dst} (relative put). */
    public void fill(ByteBuffer dst, long offset, int length) {
        long end = offset + length;
        long at = offset;
        while (at < end) {
            long word = word(at >>> 3);
            int shift = (int) (at & 7) << 3;
            while (shift < 64 && at < end) {
                dst.put((byte) (word >>> shift));
                shift += 8;
                at++;
            }
        }
    }

    /**
     * Compares {@code src} (position..limit, left unchanged) with the stream from {@code offset};
     * returns the stream offset of the first differing byte, or -1 if all match.
     */
    public long firstMismatch(ByteBuffer src, long offset) {
        int from = src.position();
        int to = src.limit();
        long word = 0;
        long wordIndex = -1;
        for (int i = from; i < to; i++) {
            long at = offset + (i - from);
            if ((at >>> 3) != wordIndex) {
                wordIndex = at >>> 3;
                word = word(wordIndex);
            }
            if (src.get(i) != (byte) (word >>> ((at & 7) << 3))) {
                return at;
            }
        }
        return -1;
    }

    /** SplitMix64 of (seed, index): independent-looking words for every index. */
    private long word(long index) {
        long z = seed + (index + 1) * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
