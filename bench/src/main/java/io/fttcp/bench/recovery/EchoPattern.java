package io.fttcp.bench.recovery;

/**
 * The bytes a benchmark client sends to the line echo service on one connection: letters that
 * depend on the connection and the offset (so a lost, repeated or misplaced piece shows), a
 * newline closing every {@value #LINE}-byte line (the echo server's longest line, so the echo
 * comes back in few large writes rather than many small ones) and the last byte (the echo server
 * answers whole lines only).
 */
final class EchoPattern {
    static final int LINE = 8 * 1024;

    private final long seed;
    private final long length;

    /** The pattern of connection {@code connectionSeed}, {@code length} bytes long. */
    EchoPattern(long connectionSeed, long length) {
        this.seed = connectionSeed * 0x9E3779B97F4A7C15L + 0x632BE59BD9B4E019L;
        this.length = length;
    }

    /** Fills {@code out[off..off+n)} with the stream's bytes from {@code streamOffset}. */
    void fill(long streamOffset, byte[] out, int off, int n) {
        for (int i = 0; i < n; i++) {
            out[off + i] = at(streamOffset + i);
        }
    }

    byte at(long offset) {
        if (offset % LINE == LINE - 1 || offset == length - 1) {
            return '\n';
        }
        long z = (offset >>> 3) * 0xBF58476D1CE4E5B9L + seed;
        z = (z ^ (z >>> 31)) * 0x94D049BB133111EBL;
        return (byte) ('a' + Math.floorMod((z >>> (8 * (offset & 7))) ^ (z >>> 40), 26));
    }
}
