package io.fttcp.stack.host;

import io.fttcp.stack.tcp.FourTuple;

/**
 * Stateless SYN-ACKs for when the SYN queue is full, so a SYN flood cannot exhaust memory.
 *
 * <p>Our ISN encodes: a 5-bit counter of 64-second periods (a cookie is valid for two periods),
 * a 3-bit MSS index, and a 24-bit keyed hash of the four-tuple, the peer's ISN and the counter.
 * When the peer offers timestamps we also keep its window shift (4 bits) and SACK-permitted
 * (1 bit) in the low bits of our TSval, which it echoes back in TSecr (as Linux does). Without
 * timestamps a cookie connection runs without window scaling and SACK.
 */
public final class SynCookies {
    static final int[] MSS_TABLE = {536, 1200, 1300, 1400, 1440, 1460, 4312, 8960};
    private static final long PERIOD_NANOS = 64_000_000_000L;
    /** How long after it was sent a cookie may still come back valid (its counter at most one period old). */
    static final long VALID_NANOS = 2 * PERIOD_NANOS;
    private final SipHash prf;

    public SynCookies(long secret0, long secret1) {
        this.prf = new SipHash(secret0, secret1);
    }

    /** Our ISN for a cookie SYN-ACK. */
    public int encode(FourTuple t, int peerIsn, int peerMss, long now) {
        int counter = (int) (now / PERIOD_NANOS) & 31;
        int mssIndex = 0;
        for (int i = MSS_TABLE.length - 1; i >= 0; i--) {
            if (MSS_TABLE[i] <= peerMss) {
                mssIndex = i;
                break;
            }
        }
        return counter << 27 | mssIndex << 24 | (hash24(t, peerIsn, counter));
    }

    /**
     * Checks the final ACK of a handshake against a cookie: {@code ourIsn} is its ack minus one,
     * {@code peerIsn} its seq minus one. Returns the peer's MSS, or -1 if the cookie is invalid or
     * older than two periods.
     */
    public int validate(FourTuple t, int ourIsn, int peerIsn, long now) {
        int counter = ourIsn >>> 27;
        int current = (int) (now / PERIOD_NANOS) & 31;
        int age = (current - counter) & 31;
        if (age > 1) return -1;
        if ((ourIsn & 0xffffff) != hash24(t, peerIsn, counter)) return -1;
        return MSS_TABLE[(ourIsn >>> 24) & 7];
    }

    /** Low bits of our TSval carrying the window shift (0..14, 15 = none) and SACK-permitted. */
    public static int optionBits(int peerWindowShift, boolean sackOk) {
        int ws = peerWindowShift < 0 ? 15 : Math.min(peerWindowShift, 14);
        return ws << 1 | (sackOk ? 1 : 0);
    }

    public static final int OPTION_BITS_MASK = 0x1f;

    public static int windowShiftFromBits(int bits) {
        int ws = (bits >>> 1) & 15;
        return ws == 15 ? -1 : ws;
    }

    public static boolean sackFromBits(int bits) {
        return (bits & 1) != 0;
    }

    private int hash24(FourTuple t, int peerIsn, int counter) {
        return (int) prf.hash(InitialSequenceNumbers.tupleWord(t), (long) peerIsn << 32 | counter) & 0xffffff;
    }
}
