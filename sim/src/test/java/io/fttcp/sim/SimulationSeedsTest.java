package io.fttcp.sim;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SimulationSeedsTest {

    @AfterEach
    void clearProperties() {
        System.clearProperty(SimulationSeeds.SEED_PROPERTY);
        System.clearProperty(SimulationSeeds.COUNT_PROPERTY);
    }

    @Test
    void seedsAreDerivedFromTheBaseAndTheCountPropertyExtendsThem() {
        long[] five = SimulationSeeds.seeds(42, 5);
        assertEquals(5, five.length);
        assertArrayEquals(five, SimulationSeeds.seeds(42, 5));
        assertNotEquals(Arrays.toString(five), Arrays.toString(SimulationSeeds.seeds(43, 5)));
        System.setProperty(SimulationSeeds.COUNT_PROPERTY, "8");
        long[] eight = SimulationSeeds.seeds(42, 5);
        assertEquals(8, eight.length);
        assertArrayEquals(five, Arrays.copyOf(eight, 5), "a longer run starts with the same seeds");
    }

    @Test
    void theSeedPropertyReplaysExactlyOneSeed() {
        System.setProperty(SimulationSeeds.SEED_PROPERTY, "-123456789");
        List<Long> ran = new ArrayList<>();
        SimulationSeeds.forEach(1, 100, ran::add);
        assertEquals(List.of(-123456789L), ran);
        System.setProperty(SimulationSeeds.SEED_PROPERTY, "x");
        assertThrows(IllegalArgumentException.class, () -> SimulationSeeds.seeds(1, 1));
    }

    @Test
    void aFailureNamesItsSeedAndHowToReplayIt() {
        long[] seeds = SimulationSeeds.seeds(7, 10);
        long bad = seeds[3];
        List<Long> ran = new ArrayList<>();
        IllegalStateException cause = new IllegalStateException("stream differs at byte 12");
        AssertionError failure = assertThrows(AssertionError.class, () -> SimulationSeeds.forEach(7, 10, seed -> {
            ran.add(seed);
            if (seed == bad) {
                throw cause;
            }
        }));
        assertEquals(4, ran.size(), "stops at the first failing seed");
        assertTrue(failure.getMessage().contains("seed " + bad), failure.getMessage());
        assertTrue(failure.getMessage().contains("-Dfttcp.sim.seed=" + bad), failure.getMessage());
        assertTrue(failure.getMessage().contains("stream differs at byte 12"), failure.getMessage());
        assertSame(cause, failure.getCause());
    }

    @Test
    void aSimulationsRandomStreamsDependOnlyOnTheSeedAndCreationOrder() {
        Simulation one = new Simulation(99);
        Simulation two = new Simulation(99);
        SplittableRandom a1 = one.newRandom();
        SplittableRandom a2 = two.newRandom();
        a1.nextLong(); // drawing from one stream does not shift the next one created
        SplittableRandom b1 = one.newRandom();
        SplittableRandom b2 = two.newRandom();
        assertEquals(b1.nextLong(), b2.nextLong());
        a2.nextLong();
        assertEquals(a1.nextLong(), a2.nextLong());
        assertNotEquals(new Simulation(100).newRandom().nextLong(), new Simulation(99).newRandom().nextLong());
    }

    @Test
    void forEachSimulationGivesEachSeedItsOwnSimulation() {
        List<Long> seeds = new ArrayList<>();
        SimulationSeeds.forEachSimulation(5, 3, sim -> {
            assertEquals(0, sim.now());
            seeds.add(sim.seed());
        });
        assertEquals(Arrays.stream(SimulationSeeds.seeds(5, 3)).boxed().toList(), seeds);
    }
}
