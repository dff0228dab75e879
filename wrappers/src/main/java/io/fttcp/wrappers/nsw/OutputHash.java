package io.fttcp.wrappers.nsw;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * The 64-bit hash of one write's bytes carried by WRITE records: the bytes' CRC32C (which the
 * JVM computes with the processor's CRC instructions, tens of GB/s) in the high half, the
 * length in the low half. Not cryptographic: it catches an application that computes different
 * output on the backup, not an adversary. Never 0 (0 in a record means "not hashed").
 */
public final class OutputHash {

    private OutputHash() {
    }

    /** Hash of {@code buffer}'s bytes at absolute indices {@code [from, from + length)}; the buffer's position is not changed. */
    public static long of(ByteBuffer buffer, int from, int length) {
        CRC32C crc = new CRC32C();
        crc.update(buffer.duplicate().limit(from + length).position(from));
        long h = crc.getValue() << 32 | (length & 0xFFFFFFFFL);
        return h == 0 ? 1 : h;
    }

    public static long of(byte[] bytes) {
        return of(ByteBuffer.wrap(bytes), 0, bytes.length);
    }
}
