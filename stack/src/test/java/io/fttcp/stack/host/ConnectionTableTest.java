package io.fttcp.stack.host;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ConnectionTableTest {
    record Key(int la, int lp, int ra, int rp) {}

    @Test
    void behavesLikeAMapUnderRandomOperations() {
        for (long seed = 1; seed <= 20; seed++) {
            SplittableRandom r = new SplittableRandom(seed);
            ConnectionTable<Object> table = new ConnectionTable<>();
            Map<Key, Object> model = new HashMap<>();
            List<Key> keys = new java.util.ArrayList<>();
            for (int i = 0; i < 300; i++) {
                keys.add(new Key(r.nextInt(3), r.nextInt(65536), r.nextInt(), r.nextInt(65536)));
            }
            for (int op = 0; op < 20_000; op++) {
                Key k = keys.get(r.nextInt(keys.size()));
                switch (r.nextInt(3)) {
                    case 0 -> {
                        Object v = new Object();
                        table.put(k.la, k.lp, k.ra, k.rp, v);
                        model.put(k, v);
                    }
                    case 1 -> {
                        Object expected = model.get(k);
                        boolean removed = table.remove(k.la, k.lp, k.ra, k.rp, expected);
                        assertEquals(expected != null, removed, "seed " + seed + " op " + op);
                        model.remove(k);
                    }
                    default -> assertEquals(model.get(k), table.get(k.la, k.lp, k.ra, k.rp), "seed " + seed + " op " + op);
                }
                assertEquals(model.size(), table.size(), "seed " + seed);
            }
            int[] seen = {0};
            table.forEach(v -> seen[0]++);
            assertEquals(model.size(), seen[0], "seed " + seed);
        }
    }

    @Test
    void removeOnlyRemovesTheExpectedValue() {
        ConnectionTable<Object> table = new ConnectionTable<>();
        Object a = new Object(), b = new Object();
        table.put(1, 2, 3, 4, a);
        assertEquals(false, table.remove(1, 2, 3, 4, b));
        assertEquals(a, table.get(1, 2, 3, 4));
    }
}
