package io.fttcp.stack.host;

/**
 * SipHash-2-4 of a few 64-bit words under a 128-bit key: the keyed pseudo-random function behind
 * initial sequence numbers (RFC 6528) and SYN cookies. Fixed-width input, no allocation.
 */
final class SipHash {
    private final long k0;
    private final long k1;

    SipHash(long k0, long k1) {
        this.k0 = k0;
        this.k1 = k1;
    }

    long hash(long m0, long m1) {
        long v0 = k0 ^ 0x736f6d6570736575L, v1 = k1 ^ 0x646f72616e646f6dL;
        long v2 = k0 ^ 0x6c7967656e657261L, v3 = k1 ^ 0x7465646279746573L;
        long[] s = {v0, v1, v2, v3};
        absorb(s, m0);
        absorb(s, m1);
        absorb(s, 16L << 56);
        s[2] ^= 0xff;
        for (int i = 0; i < 4; i++) round(s);
        return s[0] ^ s[1] ^ s[2] ^ s[3];
    }

    private static void absorb(long[] s, long m) {
        s[3] ^= m;
        round(s);
        round(s);
        s[0] ^= m;
    }

    private static void round(long[] s) {
        s[0] += s[1]; s[1] = Long.rotateLeft(s[1], 13); s[1] ^= s[0]; s[0] = Long.rotateLeft(s[0], 32);
        s[2] += s[3]; s[3] = Long.rotateLeft(s[3], 16); s[3] ^= s[2];
        s[0] += s[3]; s[3] = Long.rotateLeft(s[3], 21); s[3] ^= s[0];
        s[2] += s[1]; s[1] = Long.rotateLeft(s[1], 17); s[1] ^= s[2]; s[2] = Long.rotateLeft(s[2], 32);
    }
}
