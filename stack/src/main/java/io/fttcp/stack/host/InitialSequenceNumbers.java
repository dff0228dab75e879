package io.fttcp.stack.host;

import io.fttcp.stack.tcp.FourTuple;

/**
 * RFC 6528 initial sequence numbers: ISN = M + F(4-tuple, secret), with M a clock ticking every
 * 4 microseconds and F a keyed hash, so ISNs are unpredictable off-path yet increase for a
 * reused four-tuple.
 */
public final class InitialSequenceNumbers {
    private final SipHash prf;

    public InitialSequenceNumbers(long secret0, long secret1) {
        this.prf = new SipHash(secret0, secret1);
    }

    public int next(FourTuple t, long nowNanos) {
        int m = (int) (nowNanos / 4_000L);
        return m + (int) prf.hash(tupleWord(t), 0x15bL);
    }

    static long tupleWord(FourTuple t) {
        return ((long) t.localAddress() << 32 | (t.remoteAddress() & 0xffffffffL))
                ^ ((long) t.localPort() << 48 | (long) t.remotePort() << 16);
    }
}
