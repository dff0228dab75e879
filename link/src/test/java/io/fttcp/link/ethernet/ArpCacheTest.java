package io.fttcp.link.ethernet;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

class ArpCacheTest {
    @Test
    void agreesWithASimpleModelUnderRandomOperations() {
        long seed = new SplittableRandom().nextLong();
        SplittableRandom rnd = new SplittableRandom(seed);
        int max = 1 + rnd.nextInt(40);
        long ttl = 1000;
        ArpCache cache = new ArpCache(max, ttl, 100);
        record Entry(long mac, long expires) { }
        Map<Integer, Entry> model = new HashMap<>();
        long now = 0;
        for (int step = 0; step < 200_000; step++) {
            now += 1 + rnd.nextInt(5); // strictly increasing, so expiry times never tie
            int ip = rnd.nextInt(3 * max) * 7919; // spread to exercise probing and wrap-around
            long mac = rnd.nextLong() & 0xffff_ffff_ffffL;
            String ctx = "seed=" + seed + " step=" + step;
            Entry known = model.get(ip);
            switch (rnd.nextInt(4)) {
                case 0 -> {
                    if (known == null && model.size() >= max) {
                        int victim = model.entrySet().stream()
                                .min((a, b) -> Long.compare(a.getValue().expires(), b.getValue().expires()))
                                .orElseThrow().getKey();
                        model.remove(victim);
                    }
                    model.put(ip, new Entry(mac, now + ttl));
                    cache.put(ip, mac, now);
                }
                case 1 -> {
                    assertEquals(known != null, cache.update(ip, mac, now), ctx);
                    if (known != null) {
                        model.put(ip, new Entry(mac, now + ttl));
                    }
                }
                case 2 -> {
                    long expected = known == null || known.expires() <= now ? ArpCache.ABSENT : known.mac();
                    assertEquals(expected, cache.lookup(ip, now), ctx);
                    if (expected == ArpCache.ABSENT) {
                        model.remove(ip);
                    }
                }
                default -> assertEquals(model.remove(ip) != null, cache.remove(ip), ctx);
            }
            assertEquals(model.size(), cache.size(), ctx);
            assertTrue(cache.size() <= max, "bounded; " + ctx);
        }
        for (Map.Entry<Integer, Entry> e : model.entrySet()) {
            long expected = e.getValue().expires() <= now ? ArpCache.ABSENT : e.getValue().mac();
            assertEquals(expected, cache.lookup(e.getKey(), now), "final sweep; seed=" + seed);
        }
    }

    @Test
    void refreshIsClaimedOncePerRetryNearExpiry() {
        ArpCache cache = new ArpCache(4, 100, 30);
        cache.put(1, 0xaa, 0);
        assertFalse(cache.claimRefresh(1, 69, 10));
        assertTrue(cache.claimRefresh(1, 70, 10));
        assertFalse(cache.claimRefresh(1, 79, 10));
        assertTrue(cache.claimRefresh(1, 80, 10));
        assertFalse(cache.claimRefresh(2, 80, 10), "unknown entries are not refreshed");
        cache.update(1, 0xbb, 80);
        assertFalse(cache.claimRefresh(1, 149, 10), "a confirmation pushes the refresh back");
        assertEquals(0xbb, cache.lookup(1, 179));
        assertEquals(ArpCache.ABSENT, cache.lookup(1, 180));
        assertEquals(0, cache.size());
    }
}
