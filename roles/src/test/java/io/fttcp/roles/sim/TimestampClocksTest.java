package io.fttcp.roles.sim;

import io.fttcp.replication.record.Connect;
import io.fttcp.replication.record.Heartbeat;
import io.fttcp.stack.tcp.FourTuple;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The restored timestamp clock lies above every TSval the primary sent, and within a heartbeat interval of its clock. */
class TimestampClocksTest {
    private static final long MS = 1_000_000L;
    private static final long INTERVAL = 20 * MS;
    private static final FourTuple T = new FourTuple(0x0A000064, 5001, 0x0A00000A, 40000);

    @Test
    void theClockBoundHoldsAndIsTightWhateverTheConnectionSentWhen() {
        for (long seed = 1; seed <= 2000; seed++) {
            SplittableRandom r = new SplittableRandom(seed);
            int offset = r.nextInt(); // the primary's clock for this connection: TSval = ms + offset
            long connectAt = r.nextLong(0, 500 * MS);
            long crashAt = connectAt + r.nextLong(0, 2000 * MS);
            TimestampClocks clocks = new TimestampClocks();
            // Heartbeats every 20 ms (the first at 0); the connection sends at random moments.
            List<Long> sends = new ArrayList<>();
            for (long t = connectAt; t < crashAt; t += r.nextLong(1, 300 * MS)) {
                if (r.nextInt(3) != 0) sends.add(t);
            }
            boolean connected = false;
            int sentMax = 0;
            boolean changed = false;
            int i = 0;
            for (long h = 0; h <= crashAt; h += INTERVAL) {
                // Everything up to this heartbeat, in log order: the CONNECT, then sends.
                if (!connected && connectAt <= h) {
                    sentMax = (int) (connectAt / MS) + offset;
                    clocks.connect(new Connect(T, 1, 2, 1460, 1460, 7, 7, true, true, sentMax, 0, 65535));
                    connected = true;
                }
                while (i < sends.size() && sends.get(i) <= h) {
                    sentMax = (int) (sends.get(i++) / MS) + offset;
                    changed = true;
                }
                clocks.heartbeat(new Heartbeat(h, changed && connected ? List.of(new Heartbeat.TsVal(T, sentMax)) : List.of()));
                changed = false;
            }
            if (!connected) continue;
            while (i < sends.size()) sentMax = (int) (sends.get(i++) / MS) + offset; // sent after the last heartbeat
            long now = crashAt + r.nextLong(0, 200 * MS);
            int restored = clocks.tsOffset(T);
            int tsValNow = (int) (now / MS) + restored;
            assertTrue(tsValNow - sentMax > 0, "seed " + seed + ": restored TSval " + tsValNow + " not above " + sentMax);
            assertTrue(restored - offset <= INTERVAL / MS + 2 && restored - offset >= 1,
                    "seed " + seed + ": restored offset " + restored + " vs the primary's " + offset);
        }
    }

    @Test
    void aConnectionWithoutConnectHasNoClock() {
        assertThrows(IllegalStateException.class, () -> new TimestampClocks().tsOffset(T));
    }
}
