package io.fttcp.wrappers.nsw;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The 64-bit hash of one write's bytes carried by WRITE records. Not cryptographic: it catches
 * an application that computes different output on the backup, not an adversary. Eight bytes
 * per multiply round, so hashing a 64 KiB write costs a few microseconds. Never 0 (0 in a
 * record means "not hashed").
 */
public final class OutputHash {

    private static final long MULTIPLIER_1 = 0x9E3779B97F4A7C15L;
    private static final long MULTIPLIER_2 = 0xC2B2AE3D27D4EB4FL;

    private OutputHash() {
    }

    /** Hash of {@code buffer}'s bytes at absolute indices {@code [from, from + length)}; the buffer's position is not changed. */
    public static long of(ByteBuffer buffer, int from, int length) {
        ByteBuffer view = buffer.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        long h = 0x27D4EB2F165667C5L ^ (length * MULTIPLIER_1);
        int i = from;
        int end = from + length;
        for (; i + 8 <= end; i += 8) {
            h = Long.rotateLeft(h ^ (view.getLong(i) * MULTIPLIER_2), 31) * MULTIPLIER_1;
        }
        long tail = 0;
        for (int shift = 0; i < end; i++, shift += 8) {
            tail |= (view.get(i) & 0xffL) << shift;
        }
        h = Long.rotateLeft(h ^ (tail * MULTIPLIER_2), 31) * MULTIPLIER_1;
        h ^= h >>> 33;
        h *= 0xFF51AFD7ED558CCDL;
        h ^= h >>> 33;
        h *= 0xC4CEB9FE1A85EC53L;
        h ^= h >>> 33;
        return h == 0 ? 1 : h;
    }

    public static long of(byte[] bytes) {
        return of(ByteBuffer.wrap(bytes), 0, bytes.length);
    }
}
