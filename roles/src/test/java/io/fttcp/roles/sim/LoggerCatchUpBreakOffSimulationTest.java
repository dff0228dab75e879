package io.fttcp.roles.sim;

import io.fttcp.replication.codec.RosterEntry;
import io.fttcp.sim.Simulation;
import io.fttcp.sim.stack.ConnectionApp;
import io.fttcp.sim.stack.SimStackHost;
import io.fttcp.stack.tcp.CloseReason;
import io.fttcp.stack.tcp.FourTuple;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static io.fttcp.roles.sim.PrimaryWorld.SECOND;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The continue policy, and the primary lost while it catches the returned logger up: the logger
 * crashes at a drawn event and restarts 1 ms to 3 s later; meanwhile the primary serves on
 * unprotected (its records dropped as stable, connections opened meanwhile), then re-joins with a
 * catch-up (a new generation of the logger's log) and crashes a few events into it, with loss and
 * reordering on every link. The logger keeps the generation it had, marked incomplete
 * ({@link LoggerLog#catchUpBrokeOff}): those records are behind what the primary served, so the
 * recovered server restores none of the connections they name and resets their clients, and
 * those the catch-up's roster names. Checked: no client ever receives a wrong byte; every client
 * of a connection the recovery knew (by its records or by the roster) completed before the
 * crash or is reset, none left behind a restored copy; connections named by neither (the primary
 * was lost before even the roster reached the logger) may wait, as for any server that died.
 * Seeds: {@code -Dfttcp.logger.seeds=N}, one with {@code -Dfttcp.logger.seed=S}.
 */
class LoggerCatchUpBreakOffSimulationTest {
    static final long BASE_SEED = 0x1066_0007L;
    static final int DEFAULT_SEEDS = 300;

    static List<String> run(long seed) {
        List<SimStackHost[]> clients = new ArrayList<>();
        LoggerWorld w = LoggerRecoverySimulationTest.build(seed, LoggerRecoverySimulationTest.Fault.CONTINUE_THEN_PRIMARY, clients);
        FailoverWorld f = w.f;
        // 50 MB/s toward the logger: a catch-up of the live connections' bytes takes a while, and a crash breaks it off.
        f.world.log.limitBandwidth(50_000_000L);
        Simulation sim = f.world.sim;
        SplittableRandom at = new SplittableRandom(seed ^ 0x1066_0007L);
        String replay = "seed " + seed + " (replay: -Dfttcp.logger.seed=" + seed + ")";
        List<String> census = new ArrayList<>();
        // The logger is lost early enough that the primary serves a while unprotected.
        long loggerCrash = sim.scheduler().executed() + at.nextLong(1, 400);
        sim.runUntil(() -> sim.scheduler().executed() >= loggerCrash, Duration.ofSeconds(10));
        w.crashLogger();
        sim.scheduler().after(LoggerRecoverySimulationTest.outage(at), w::restartLogger);
        sim.runUntil(() -> f.world.log.rejoinedAt() >= 0 || f.clientsFinished(), Duration.ofSeconds(10));
        if (f.world.log.rejoinedAt() < 0) return List.of("clientsDoneBeforeTheRejoin");
        // A few events into the catch-up (it takes a link delay or two).
        long crash = sim.scheduler().executed() + at.nextLong(1, 30);
        sim.runUntil(() -> sim.scheduler().executed() >= crash || f.world.log.reprotected(), Duration.ofSeconds(10));
        census.add(w.log.catchingUp() ? "crash:duringCatchUp" : "crash:afterCatchUp");
        census.addAll(f.phasesAtCrash());
        // The clients that had a connection when the primary died (the others connect to the recovered server).
        Set<ConnectionApp> connectedAtCrash = f.transfers.clients.stream().filter(app -> app.connection() != null).collect(Collectors.toSet());
        f.crashPrimary();
        sim.runUntil(() -> f.takenOverAt >= 0, Duration.ofSeconds(20));
        boolean incomplete = w.log.incompleteThrough > 0;
        boolean brokeOffEmpty = w.log.brokeOffEmpty; // nothing held, nothing known: the recovery restores nothing
        Set<FourTuple> known = f.application.images().stream().map(i -> i.tuple()).collect(Collectors.toSet());
        Set<FourTuple> named = f.world.log.roster().stream().map(RosterEntry::tuple).collect(Collectors.toSet());
        census.add(brokeOffEmpty ? "recovery:nothingHeld" : incomplete ? "recovery:incomplete" : "recovery:complete");
        boolean ended = sim.runUntil(() -> {
            for (ConnectionApp app : f.transfers.clients) {
                if (!clientEnded(app) && mayWait(app, incomplete || brokeOffEmpty, connectedAtCrash, known, named)) continue;
                if (!clientEnded(app)) return false;
            }
            return true;
        }, Duration.ofNanos(LoggerRecoverySimulationTest.COMPLETION_BOUND + 2 * SECOND));
        String where = replay + ", " + census + ", known " + known + ", roster " + named + ": " + w.describe();
        assertNull(f.primaryViolation, "the primary broke the promise before its crash: " + where);
        assertNull(w.recoveryFailure, "recovery failed: " + where);
        assertNull(f.takeoverFailure, "takeover failed: " + where);
        assertTrue(f.takenOverAt >= f.leaseEnd(), "the recovered server spoke before the primary's lease ran out: " + where);
        assertTrue(ended, "a client named by the recovery neither completed nor was reset within the bound: " + where);
        for (ConnectionApp app : f.transfers.clients) assertNull(app.failure(), "a client received a wrong byte: " + app + ", " + where);
        if (incomplete || brokeOffEmpty) {
            for (ConnectionApp app : f.transfers.clients) {
                if (app.connection() == null || FailoverWorld.complete(app)) continue;
                FourTuple t = serverSide(app);
                assertTrue(!f.binding.restored.contains(t) && !f.binding.restoredUnaccepted.contains(t),
                        "a connection of the incomplete records was restored: " + t + ", " + where);
            }
            if (f.transfers.clients.stream().anyMatch(app -> app.connection() != null && !known.contains(serverSide(app))
                    && named.contains(serverSide(app)) && app.closeReason() == CloseReason.RESET_BY_PEER)) {
                census.add("resetKnownOnlyFromTheRoster");
            }
            if (named.isEmpty()) census.add("rosterNotArrived");
        } else {
            // The catch-up was whole: a normal recovery, every connection completes, none reset.
            for (ConnectionApp app : f.transfers.clients) {
                assertTrue(FailoverWorld.complete(app), "a connection of a whole catch-up did not complete: " + app + ", " + where);
            }
            assertTrue(f.resetsToClients == 0, "a reset from the service reached a client: " + where);
        }
        assertTrue(f.application.diverged.isEmpty(), "a deterministic application diverged: " + where);
        return census;
    }

    private static boolean clientEnded(ConnectionApp app) {
        return FailoverWorld.complete(app) || app.failure() != null || (app.closeReason() != null && app.closeReason() != CloseReason.CLOSED);
    }

    /**
     * A client connected when the primary died that the recovery knew nothing of (the primary was
     * lost before even the roster reached the logger): it may wait. One that connects afterwards
     * must be served.
     */
    private static boolean mayWait(ConnectionApp app, boolean incomplete, Set<ConnectionApp> connectedAtCrash, Set<FourTuple> known,
                                   Set<FourTuple> named) {
        if (!incomplete || !connectedAtCrash.contains(app)) return false;
        return !known.contains(serverSide(app)) && !named.contains(serverSide(app));
    }

    private static FourTuple serverSide(ConnectionApp app) {
        FourTuple c = app.connection().tuple();
        return new FourTuple(c.remoteAddress(), c.remotePort(), c.localAddress(), c.localPort());
    }

    @Test
    void aPrimaryLostWhileCatchingTheLoggerUpHasItsClientsResetNeverRestoredBehindThem() {
        long[] seeds = LoggerRecoverySimulationTest.seeds(BASE_SEED, DEFAULT_SEEDS);
        TreeMap<String, Integer> census = SeedCensus.run("logger catch-up broken off", seeds, LoggerRecoverySimulationTest.STATS, () -> "",
                LoggerCatchUpBreakOffSimulationTest::run);
        if (seeds.length >= 100) {
            assertTrue(census.getOrDefault("recovery:incomplete", 0) > 0 && census.getOrDefault("recovery:complete", 0) > 0,
                    "recoveries must come both from incomplete records and after a whole catch-up: " + census);
        }
    }
}
