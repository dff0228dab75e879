package io.fttcp.roles.sim;

import io.fttcp.replication.record.Connect;
import io.fttcp.replication.record.Heartbeat;
import io.fttcp.stack.tcp.FourTuple;

import java.util.HashMap;
import java.util.Map;

/**
 * The backup's tightest safe bound on each connection's timestamp clock on the primary
 * (TSval = now in ms + a per-connection offset), so that the restored clock continues just
 * above anything the primary sent: never below (the client's PAWS check would drop the
 * backup's segments), and not far above either (a client echoing one of the primary's TSvals
 * makes the backup measure the jump as round-trip time, and its retransmission timer grows
 * by as much).
 *
 * <p>Two facts bound the clock, each as "at most K at time s, so at most K + (t - s) at t":
 * the SYN-ACK's TSval (in CONNECT) was the clock when the CONNECT was logged, after the
 * heartbeat logged before it; a TSval a heartbeat reports was sent after the previous
 * heartbeat (the wrapper reports only the TSvals that changed since), so the clock at the
 * previous heartbeat was below it. Heartbeat times are the primary's clock (one clock, as in
 * the simulation; a real backup would need the primary's clock rate, or a margin).
 */
final class TimestampClocks {
    private static final long MS = 1_000_000L;

    /** Per connection: the least known (K - s in ms), mod 2^32: the clock at time t is at most base + t/ms. */
    private final Map<FourTuple, Integer> bases = new HashMap<>();
    private long lastHeartbeatAt;

    void connect(Connect c) {
        tighten(c.tuple(), c.serverTsVal(), lastHeartbeatAt);
    }

    void heartbeat(Heartbeat h) {
        for (Heartbeat.TsVal v : h.maxTsVals()) tighten(v.connection(), v.tsVal(), lastHeartbeatAt);
        lastHeartbeatAt = h.sentAtNanos();
    }

    private void tighten(FourTuple t, int tsVal, long since) {
        int base = tsVal - (int) (since / MS);
        bases.merge(t, base, (old, b) -> b - old < 0 ? b : old);
    }

    /**
     * The timestamp offset for the restored connection: its TSvals lie above anything the
     * primary can have sent (the bound, plus 2 ms for rounding both ends to whole milliseconds).
     *
     * @throws IllegalStateException if the connection's CONNECT was never seen
     */
    int tsOffset(FourTuple t) {
        Integer base = bases.get(t);
        if (base == null) throw new IllegalStateException("no CONNECT seen for " + t + ": its timestamp clock is unknown");
        return base + 2;
    }
}
