package io.fttcp.stack.host;

import io.fttcp.stack.tcp.FourTuple;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SynCookiesTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void validCookiesValidateAndCarryTheMss() {
        SynCookies c = new SynCookies(11, 22);
        SplittableRandom r = new SplittableRandom(7);
        for (int i = 0; i < 10_000; i++) {
            FourTuple t = new FourTuple(r.nextInt(), r.nextInt(65536), r.nextInt(), r.nextInt(65536));
            int peerIsn = r.nextInt();
            int mss = 536 + r.nextInt(9000);
            long now = r.nextLong(1L << 50);
            int isn = c.encode(t, peerIsn, mss, now);
            int got = c.validate(t, isn, peerIsn, now + r.nextLong(64 * SECOND));
            assertTrue(got > 0 && got <= Math.max(mss, 536), "iteration " + i + ": mss " + got + " for offered " + mss);
        }
    }

    @Test
    void forgedOrStaleCookiesAreRejected() {
        SynCookies c = new SynCookies(11, 22);
        SplittableRandom r = new SplittableRandom(8);
        int accepted = 0;
        for (int i = 0; i < 20_000; i++) {
            FourTuple t = new FourTuple(r.nextInt(), r.nextInt(65536), r.nextInt(), r.nextInt(65536));
            long now = r.nextLong(1L << 50);
            int peerIsn = r.nextInt();
            if (c.validate(t, r.nextInt(), peerIsn, now) > 0) accepted++;
            int isn = c.encode(t, peerIsn, 1460, now);
            assertEquals(-1, c.validate(t, isn, peerIsn, now + 200 * SECOND), "stale cookie accepted at iteration " + i);
            assertEquals(-1, c.validate(t, isn, peerIsn + 1, now), "cookie of another peer ISN accepted at iteration " + i);
        }
        // A random 32-bit guess passes with probability about 2/2^24 per try.
        assertTrue(accepted < 5, "random guesses accepted: " + accepted);
    }

    @Test
    void optionBitsRoundTrip() {
        for (int ws = -1; ws <= 14; ws++) {
            for (boolean sack : new boolean[]{false, true}) {
                int bits = SynCookies.optionBits(ws, sack);
                assertEquals(ws, SynCookies.windowShiftFromBits(bits));
                assertEquals(sack, SynCookies.sackFromBits(bits));
            }
        }
    }
}
