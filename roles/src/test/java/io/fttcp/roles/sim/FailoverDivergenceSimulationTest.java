package io.fttcp.roles.sim;

import io.fttcp.sim.stack.ConnectionApp;
import io.fttcp.sim.stack.SimStackHost;
import io.fttcp.stack.tcp.CloseReason;
import io.fttcp.stack.tcp.FourTuple;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static io.fttcp.roles.sim.PrimaryWorld.MS;
import static io.fttcp.roles.sim.PrimaryWorld.SECOND;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The divergence rule (promise 4) in the failover simulation: the backup's copy of the
 * application is deliberately nondeterministic on one connection, a download whose bytes differ
 * from the primary's. The output hashes in the primary's WRITE records expose it; the primary
 * crashes soon after; at takeover that connection is reported diverged and reset, its client
 * never receives a wrong byte, and every other connection completes intact, without a reset.
 * {@code -Dfttcp.failover.divergenceSeeds=N} runs N seeds, {@code -Dfttcp.failover.seed=S} one.
 */
class FailoverDivergenceSimulationTest {
    static final long BASE_SEED = 0xD1E5_0CE5L;
    static final int DEFAULT_SEEDS = 200;

    /**
     * One seed of promise 4: the backup's copy of the application is deliberately nondeterministic on one
     * connection (a download whose bytes differ from the primary's). The output hashes in its
     * WRITE records expose it: at takeover that connection is reported diverged and reset, its
     * client never receives a wrong byte, and every other connection completes intact.
     */
    static void runDivergence(long seed) {
        FourTuple[] odd = new FourTuple[1];
        FailoverWorld f = new FailoverWorld(seed, t -> t.equals(odd[0]));
        f.world.varyClientOptions(seed);
        SplittableRandom r = f.world.choices;
        int hosts = r.nextInt(1, 4);
        List<SimStackHost[]> clients = new ArrayList<>();
        for (int h = 0; h < hosts; h++) clients.add(f.addClient("client" + h, 10 + h, PrimaryWorld.randomConditions(r)));
        // The odd one: a download long enough that the backup replays some of its writes before the crash.
        Transfers.Plan oddPlan = new Transfers.Plan(r.nextLong(0, 2048), r.nextLong(128 * 1024, 512 * 1024), null, r.nextLong(), r.nextLong());
        f.transfers.open(clients.get(0), oddPlan, 0);
        int others = r.nextInt(1, 4);
        for (int i = 0; i < others; i++) {
            f.transfers.open(clients.get(r.nextInt(hosts)), Transfers.Plan.random(r, FailoverSimulationTest.MAX_BYTES), r.nextLong(0, 100 * MS));
        }
        ConnectionApp oddClient = f.transfers.clients.get(0);
        f.world.sim.runUntil(() -> oddClient.connection() != null, Duration.ofSeconds(1));
        odd[0] = PrimaryWorld.serverTuple(oddClient.connection());
        // Crash once the backup has caught the divergence, a few events later.
        boolean caught = f.world.sim.runUntil(() -> !f.application.diverged.isEmpty() || FailoverWorld.complete(oddClient), Duration.ofSeconds(60));
        String setup = "seed " + seed + " (replay: -Dfttcp.failover.seed=" + seed + " -Dtest=FailoverDivergenceSimulationTest)";
        assertTrue(caught && !f.application.diverged.isEmpty(), "the backup never noticed the divergence: " + setup + ": " + f.describe());
        long events = f.world.sim.scheduler().executed() + r.nextLong(0, 50);
        f.world.sim.runUntil(() -> f.world.sim.scheduler().executed() >= events, Duration.ofSeconds(60));
        List<String> phases = f.phasesAtCrash();
        f.crashPrimary();
        boolean finished = f.world.sim.runUntil(() -> f.takenOverAt >= 0 && f.clientsFinished(), Duration.ofNanos(FailoverSimulationTest.COMPLETION_BOUND + 2 * SECOND));
        String where = setup + ", phases " + phases + ": " + f.describe();
        assertNull(f.primaryViolation, "the primary broke the promise before its crash: " + where);
        assertNull(f.takeoverFailure, "takeover failed: " + where);
        assertTrue(finished, "the connections did not all end within " + FailoverSimulationTest.COMPLETION_BOUND / SECOND + " s of the takeover: " + where);
        assertEquals(List.of(odd[0]), List.copyOf(f.application.diverged.keySet()), "the connections reported diverged: " + where);
        assertNull(oddClient.failure(), "the diverged connection's client received a wrong byte: " + where);
        assertEquals(CloseReason.RESET_BY_PEER, oddClient.closeReason(), "the diverged connection was not reset: " + where);
        for (ConnectionApp app : f.transfers.clients) {
            if (app == oddClient) continue;
            assertNull(app.failure(), "client stream not byte-exact: " + app + ", " + where);
            assertTrue(FailoverWorld.complete(app), "client connection not closed in order: " + app + " " + app.connection().tcp() + ", " + where);
            assertTrue(!f.resetReached(app), "a reset reached " + app + ": " + where);
        }
        for (BackupService s : f.application.services()) {
            if (s.tuple.equals(odd[0])) {
                assertTrue(s.resetBy() != null, "the backup's application was not told its diverged connection is gone: " + s + ", " + where);
            } else {
                assertNull(s.failure(), "the backup's application: " + where);
                assertNull(s.resetBy(), "the backup's application saw its connection fail: " + where);
            }
        }
    }

    @Test
    void aDivergedConnectionIsResetAndTheOthersSurvive() {
        long[] seeds = FailoverSimulationTest.seeds(BASE_SEED, "fttcp.failover.divergenceSeeds", DEFAULT_SEEDS);
        List<String> failures = new ArrayList<>();
        for (long seed : seeds) {
            try {
                runDivergence(seed);
            } catch (Throwable t) {
                String m = String.valueOf(t.getMessage());
                failures.add(m.substring(0, Math.min(m.length(), 3000)));
            }
        }
        assertTrue(failures.isEmpty(), failures.size() + " of " + seeds.length + " seeds failed:\n" + String.join("\n", failures));
    }

}
