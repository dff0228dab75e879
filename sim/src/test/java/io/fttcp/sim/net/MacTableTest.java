package io.fttcp.sim.net;

import io.fttcp.sim.Simulation;
import io.fttcp.sim.SimulationSeeds;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

class MacTableTest {
    @Test
    void behavesLikeAMapUnderRandomLearnLookupAndForget() {
        SimulationSeeds.forEach(0xAAC, 10, seed -> {
            SplittableRandom random = new SplittableRandom(seed);
            Simulation sim = new Simulation(seed);
            List<SimPort> ports = List.of(sim.network().attach("a"), sim.network().attach("b"), sim.network().attach("c"));
            MacTable table = new MacTable();
            Map<Long, SimPort> reference = new HashMap<>();
            for (int step = 0; step < 20_000; step++) {
                long mac = random.nextInt(3) == 0 ? random.nextLong() & 0xFFFF_FFFF_FFFFL : random.nextLong(300);
                SimPort port = ports.get(random.nextInt(3));
                switch (random.nextInt(20)) {
                    case 0 -> {
                        table.forget(port);
                        reference.values().removeIf(p -> p == port);
                    }
                    case 1, 2, 3, 4, 5, 6, 7, 8 -> {
                        table.learn(mac, port);
                        reference.put(mac, port);
                    }
                    default -> assertSame(reference.get(mac), table.lookup(mac), "lookup of " + mac + " at step " + step);
                }
                assertEquals(reference.size(), table.size());
            }
        });
    }
}
