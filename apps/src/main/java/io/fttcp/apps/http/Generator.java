package io.fttcp.apps.http;

import java.io.InputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The deterministic pseudo-random byte stream behind {@code /gen/<bytes>?seed=<n>}, so huge
 * downloads need no file and clients can check them without the server.
 *
 * <p>Word {@code i} (bytes {@code 8i..8i+7}, little-endian) is SplitMix64's output for
 * counter {@code i}: {@code mix(seed + (i + 1) * GAMMA)}. Being counter-based, any offset
 * can be produced directly, which is what ranges (resumed downloads) need.
 */
public final class Generator {

    private static final long GAMMA = 0x9E3779B97F4A7C15L;
    private static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final int BLOCK = 64 * 1024;

    private final long seed;

    public Generator(long seed) {
        this.seed = seed;
    }

    public long seed() {
        return seed;
    }

    /** Writes the stream's bytes {@code [offset, offset + len)} into {@code dst[off..off+len)}. */
    public void fill(long offset, byte[] dst, int off, int len) {
        if (offset < 0 || off < 0 || len < 0 || off + len > dst.length || off + len < 0) {
            throw new IndexOutOfBoundsException("offset " + offset + ", dst[" + off + ".." + (off + len) + ") of " + dst.length);
        }
        long pos = offset;
        int o = off;
        int end = off + len;
        while (o < end && (pos & 7) != 0) {
            dst[o++] = byteAt(pos++);
        }
        long word = pos >>> 3;
        while (end - o >= 8) {
            LONG_LE.set(dst, o, word(word++));
            o += 8;
        }
        pos = word << 3;
        while (o < end) {
            dst[o++] = byteAt(pos++);
        }
    }

    /** Puts the stream's bytes {@code [offset, offset + len)} into {@code dst} at its position, advancing it. */
    public void fill(long offset, ByteBuffer dst, int len) {
        if (dst.hasArray()) {
            fill(offset, dst.array(), dst.arrayOffset() + dst.position(), len);
            dst.position(dst.position() + len);
            return;
        }
        long pos = offset;
        long end = offset + len;
        while (pos < end && (pos & 7) != 0) {
            dst.put(byteAt(pos++));
        }
        ByteOrder saved = dst.order();
        dst.order(ByteOrder.LITTLE_ENDIAN);
        for (; end - pos >= 8; pos += 8) {
            dst.putLong(word(pos >>> 3));
        }
        dst.order(saved);
        while (pos < end) {
            dst.put(byteAt(pos++));
        }
    }

    /** The byte at {@code offset} of the stream. */
    public byte byteAt(long offset) {
        return (byte) (word(offset >>> 3) >>> ((offset & 7) * 8));
    }

    private long word(long index) {
        long z = seed + (index + 1) * GAMMA;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** SHA-256 of the first {@code length} bytes of the stream. */
    public byte[] sha256(long length) {
        MessageDigest digest = newSha256();
        byte[] block = new byte[BLOCK];
        for (long pos = 0; pos < length; ) {
            int n = (int) Math.min(BLOCK, length - pos);
            fill(pos, block, 0, n);
            digest.update(block, 0, n);
            pos += n;
        }
        return digest.digest();
    }

    /** SHA-256 of the first {@code length} bytes, as lower-case hex (what {@code sha256sum} prints). */
    public String sha256Hex(long length) {
        return HexFormat.of().formatHex(sha256(length));
    }

    /** The first {@code length} bytes of the stream as an input stream (for upload clients). */
    public InputStream stream(long length) {
        return new GeneratorInputStream(this, length);
    }

    static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    private static final class GeneratorInputStream extends InputStream {
        private final Generator generator;
        private final long length;
        private long position;

        GeneratorInputStream(Generator generator, long length) {
            this.generator = generator;
            this.length = length;
        }

        @Override
        public int read() {
            return position < length ? generator.byteAt(position++) & 0xFF : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (len == 0) {
                return 0;
            }
            if (position >= length) {
                return -1;
            }
            int n = (int) Math.min(len, length - position);
            generator.fill(position, b, off, n);
            position += n;
            return n;
        }

        @Override
        public int available() {
            return (int) Math.min(Integer.MAX_VALUE, length - position);
        }
    }
}
