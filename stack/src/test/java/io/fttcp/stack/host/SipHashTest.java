package io.fttcp.stack.host;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class SipHashTest {
    @Test
    void matchesTheReferenceVectorForSixteenBytes() {
        // Aumasson & Bernstein's test vector: key 00..0f, message 00..0f.
        SipHash h = new SipHash(0x0706050403020100L, 0x0f0e0d0c0b0a0908L);
        assertEquals(0x3f2acc7f57c29bdbL, h.hash(0x0706050403020100L, 0x0f0e0d0c0b0a0908L));
    }
}
