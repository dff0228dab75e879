package io.fttcp.sim;

import io.fttcp.sim.net.LinkConditions;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SimulationTest {
    @Test
    void runUntilGivesUpAfterTheTimeoutOfVirtualTime() {
        Simulation sim = new Simulation(1);
        boolean[] done = {false};
        sim.scheduler().after(Duration.ofSeconds(90).toNanos(), () -> done[0] = true);
        sim.runFor(Duration.ofSeconds(1));
        assertFalse(sim.runUntil(() -> done[0], Duration.ofSeconds(60)));
        assertEquals(Duration.ofSeconds(61).toNanos(), sim.now());
        assertTrue(sim.runUntil(() -> done[0], Duration.ofSeconds(60)));
        assertEquals(Duration.ofSeconds(90).toNanos(), sim.now());
    }

    @Test
    void hostsShareTheDefaultNetworkAndAreFoundByName() {
        Simulation sim = new Simulation(2);
        SimHost client = sim.addHost("client", LinkConditions.lossy(0.5));
        SimHost server = sim.addHost("server", LinkConditions.ideal(), LinkConditions.ideal().withMtu(9000));
        assertSame(sim.network(), client.port().network());
        assertSame(sim.network(), server.port().network());
        assertEquals(0.5, client.port().downlinkConditions().lossProbability());
        assertEquals(9000, server.port().downlinkConditions().mtu());
        assertEquals(List.of(client, server), sim.hosts());
        assertSame(server, sim.host("server"));
        assertThrows(IllegalArgumentException.class, () -> sim.host("nobody"));
        assertThrows(IllegalArgumentException.class, () -> sim.addHost("client"));
    }
}
