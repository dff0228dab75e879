package io.fttcp.stack.host;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class TimerQueueTest {
    static final class E extends TimerQueue.Entry {}

    @Test
    void earliestMatchesModelUnderRandomUpdates() {
        for (long seed = 1; seed <= 20; seed++) {
            SplittableRandom r = new SplittableRandom(seed);
            TimerQueue<E> q = new TimerQueue<>();
            List<E> entries = new ArrayList<>();
            long[] model = new long[200];
            for (int i = 0; i < 200; i++) {
                entries.add(new E());
                model[i] = Long.MAX_VALUE;
            }
            for (int op = 0; op < 10_000; op++) {
                int i = r.nextInt(200);
                long d = r.nextInt(4) == 0 ? Long.MAX_VALUE : r.nextLong(1_000_000);
                q.update(entries.get(i), d);
                model[i] = d;
                long min = Long.MAX_VALUE;
                for (long m : model) min = Math.min(min, m);
                assertEquals(min, q.earliest(), "seed " + seed + " op " + op);
            }
            // Drain in order.
            long last = Long.MIN_VALUE;
            E e;
            while ((e = q.due(Long.MAX_VALUE - 1)) != null) {
                long d = e.deadline;
                assertEquals(true, d >= last, "seed " + seed);
                last = d;
                q.remove(e);
            }
            assertNull(q.due(Long.MAX_VALUE - 1));
            assertEquals(0, q.size());
        }
    }
}
