package io.fttcp.wrappers.ssw;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ConnectionMapTest {
    @Test
    void behavesLikeAHashMapUnderRandomOperations() {
        long seed = new SplittableRandom().nextLong();
        SplittableRandom r = new SplittableRandom(seed);
        ConnectionMap<String> map = new ConnectionMap<>();
        Map<Long, String> model = new HashMap<>();
        List<Long> keys = new ArrayList<>();
        for (int i = 0; i < 300; i++) keys.add(ConnectionMap.key(r.nextInt(), r.nextInt(65536), r.nextInt(1, 4)));
        for (int op = 0; op < 200_000; op++) {
            long k = keys.get(r.nextInt(keys.size()));
            switch (r.nextInt(3)) {
                case 0 -> {
                    String v = "v" + op;
                    map.put(k, v);
                    model.put(k, v);
                }
                case 1 -> {
                    map.remove(k);
                    model.remove(k);
                }
                default -> assertEquals(model.get(k), map.get(k), "seed " + seed + " op " + op);
            }
            if (op % 10_000 == 0) assertEquals(model.size(), map.size(), "seed " + seed + " op " + op);
        }
        List<String> seen = new ArrayList<>();
        map.forEach(seen::add);
        assertEquals(model.size(), seen.size(), "seed " + seed);
        assertEquals(new java.util.HashSet<>(model.values()), new java.util.HashSet<>(seen), "seed " + seed);
    }

    @Test
    void keysSeparateAddressAndBothPorts() {
        assertEquals(0x0102_0304_0005_0006L, ConnectionMap.key(0x01020304, 5, 6));
        assertEquals(0xFFFF_FFFF_FFFF_FFFFL, ConnectionMap.key(-1, 65535, 65535));
    }
}
