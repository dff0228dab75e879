package io.fttcp.roles.sim;

import io.fttcp.replication.codec.RosterEntry;
import io.fttcp.sim.stack.ConnectionApp;
import io.fttcp.sim.stack.SimStackHost;
import io.fttcp.stack.tcp.CloseReason;
import io.fttcp.stack.tcp.FourTuple;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;

import static io.fttcp.roles.sim.PrimaryWorld.MS;
import static io.fttcp.roles.sim.PrimaryWorld.SECOND;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Re-protection in backup mode: the primary serves its first clients unprotected (no backup
 * yet), a backup joins at a random moment and catches up from the retained records of the live
 * connections (LSN order, with gaps), then follows the stream; more clients connect after the
 * join; the primary crashes at a random event from the join on, during the catch-up too, with
 * loss and reordering on every link.
 * <ul>
 *   <li>Catch-up complete at the crash: every connection survives, byte-exact, no reset (as in
 *       {@link FailoverSimulationTest}).</li>
 *   <li>Incomplete: the backup takes over but restores none of the connections it knows (their
 *       records may lack client bytes the primary acknowledged): their clients are reset, never
 *       left behind a restored copy. So are those of the connections whose records never arrived,
 *       known only from the catch-up's roster: a silent client (waiting for data) is reset too,
 *       never left waiting. Only a backup that lost the primary before even the roster arrived
 *       (its first batch, a link delay after the handshake) knows nothing of them: a client of
 *       one that sends is reset by the stack, one that waits silently is left waiting (as a
 *       client of any server that died). Connections opened after the join never had their SYN-ACK leave the
 *       primary (their CONNECT could not be stable before the catch-up was acknowledged): they
 *       connect anew to the backup and complete.</li>
 * </ul>
 * Always: no client ever receives a wrong byte.
 */
class ReprotectionSimulationTest {
    static final long BASE_SEED = 0x2E_9207_EC7L;
    static final int DEFAULT_SEEDS = 2000;
    /**
     * {@code -Dfttcp.reprotection.aborts=true}: client cancels and server refusals as in the
     * failover simulation ({@link PrimaryWorld#varyClientAborts}, {@link PrimaryWorld#serverRefusal});
     * off by default, so the default seeds' worlds stay as they were.
     */
    static final boolean ABORTS = Boolean.getBoolean("fttcp.reprotection.aborts");

    /** A seed's world: the failover world with the primary unprotected until {@link #joinAt}, when the backup joins with a catch-up. */
    private static final class Run {
        final FailoverWorld f;
        final List<SimStackHost[]> clients = new ArrayList<>();
        final long joinAt;
        /** Clients opened before the join (served unprotected first), by index in the transfers. */
        final int openedBefore;
        boolean caughtUp;

        Run(long seed) {
            f = FailoverSimulationTest.build(seed, clients, ABORTS);
            openedBefore = f.transfers.clients.size();
            SplittableRandom r = new SplittableRandom(seed ^ 0x2E_9207_EC7L);
            joinAt = r.nextLong(10 * MS, 400 * MS);
            f.world.log.continueWhenReceiverLost(() -> { }, lsn -> caughtUp = true);
            // 50 MB/s toward the backup: a catch-up of the live connections' megabytes takes tens of milliseconds, and a crash breaks it off.
            f.world.log.limitBandwidth(50_000_000L);
            f.world.log.receiverCrashed(); // no backup yet: the primary serves unprotected, keeping the live connections' records
            // With no record dropped yet (none appended), the join needs no catch-up.
            f.catchUpComplete = () -> caughtUp || f.world.log.rejoinedAt() == 0;
            // A new backup, holding nothing: its handshake (the primary answers with a catch-up) a few link delays later.
            f.world.sim.scheduler().after(joinAt, () -> f.world.log.receiverRestarted(List.of()));
            int later = r.nextInt(0, 3);
            for (int i = 0; i < later; i++) {
                f.transfers.open(clients.get(r.nextInt(clients.size())), f.world.serverRefusal(Transfers.Plan.random(r, FailoverSimulationTest.MAX_BYTES)),
                        joinAt + r.nextLong(0, 200 * MS));
            }
        }

        /** The backup's handshake is done: from here a silence makes it take over (before, it would only retry joining). */
        boolean joined() {
            return f.world.log.rejoinedAt() >= 0;
        }

        boolean clientsEnded() {
            for (int i = 0; i < f.transfers.clients.size(); i++) {
                ConnectionApp app = f.transfers.clients.get(i);
                boolean ended = FailoverWorld.complete(app) || app.failure() != null
                        || (app.closeReason() != null && app.closeReason() != CloseReason.CLOSED);
                if (!ended && !mayWaitForever(i)) return false;
            }
            return true;
        }

        /** A client of a connection served before the join that the backup did not even know by name at takeover: nothing can end its wait but itself. */
        boolean mayWaitForever(int i) {
            if (f.takenOverAt < 0 || caughtUpAtTakeover || i >= openedBefore) return false;
            ConnectionApp app = f.transfers.clients.get(i);
            return app.connection() == null || !namedAtTakeover(serverSide(app));
        }

        boolean namedAtTakeover(FourTuple t) {
            return knownAtTakeover.contains(t) || rosterAtTakeover.contains(t);
        }

        boolean caughtUpAtTakeover;
        /** The connections whose CONNECT the backup had received when it took over. */
        java.util.Set<FourTuple> knownAtTakeover = java.util.Set.of();
        /** The connections the catch-up's roster had named when it took over. */
        java.util.Set<FourTuple> rosterAtTakeover = java.util.Set.of();
    }

    private static FourTuple serverSide(ConnectionApp app) {
        FourTuple c = app.connection().tuple();
        return new FourTuple(c.remoteAddress(), c.remotePort(), c.localAddress(), c.localPort());
    }

    static List<String> run(long seed) {
        Run dry = new Run(seed);
        dry.f.world.sim.runUntil(dry::joined, Duration.ofSeconds(10));
        long fromJoin = dry.f.world.sim.scheduler().executed();
        dry.f.world.sim.runUntil(() -> dry.f.catchUpComplete.getAsBoolean(), Duration.ofSeconds(120));
        long catchUp = dry.f.world.sim.scheduler().executed() - fromJoin;
        assertTrue(dry.f.catchUpComplete.getAsBoolean(), "seed " + seed + " (replay: -Dfttcp.failover.seed=" + seed
                + "): the backup never caught up in a failure-free run: " + dry.f.world.log.rejoinState());
        dry.f.world.sim.runUntil(dry.f::clientsFinished, Duration.ofSeconds(120));
        long length = dry.f.world.sim.scheduler().executed() - fromJoin;

        // Half the seeds crash during the catch-up (a few events of a long run), half anywhere from the join on.
        SplittableRandom at = new SplittableRandom(seed);
        long crashAfter = at.nextBoolean() ? at.nextLong(1, catchUp + 2) : at.nextLong(1, length + length / 10 + 2);
        Run run = new Run(seed);
        FailoverWorld f = run.f;
        f.world.sim.runUntil(run::joined, Duration.ofSeconds(10));
        long events = f.world.sim.scheduler().executed() + crashAfter;
        f.world.sim.runUntil(() -> f.world.sim.scheduler().executed() >= events || f.clientsFinished(), Duration.ofSeconds(120));
        List<String> census = new ArrayList<>(f.phasesAtCrash());
        census.add(f.catchUpComplete.getAsBoolean() ? "crash:afterCatchUp" : "crash:duringCatchUp");
        f.crashPrimary();
        f.world.sim.runUntil(() -> f.takenOverAt >= 0, Duration.ofSeconds(10));
        run.caughtUpAtTakeover = f.catchUpComplete.getAsBoolean();
        run.knownAtTakeover = java.util.Set.copyOf(f.world.log.backupImage().streams().keySet());
        run.rosterAtTakeover = f.world.log.roster().stream().map(RosterEntry::tuple).collect(java.util.stream.Collectors.toSet());
        census.add(run.caughtUpAtTakeover ? "takeover:caughtUp" : "takeover:catchUpIncomplete");
        boolean finished = f.world.sim.runUntil(run::clientsEnded, Duration.ofNanos(FailoverSimulationTest.COMPLETION_BOUND + 2 * SECOND));
        String where = "seed " + seed + " (replay: -Dfttcp.failover.seed=" + seed + "), join at " + run.joinAt / MS + " ms, "
                + (run.caughtUpAtTakeover ? "caught up" : "catch-up incomplete, known " + run.knownAtTakeover) + ", " + census + ": "
                + f.describe();
        assertNull(f.primaryViolation, "the primary broke the promise before its crash: " + where);
        assertNull(f.takeoverFailure, "takeover failed: " + where);
        assertNull(f.application.failure(), where);
        assertTrue(f.takenOverAt >= f.leaseEnd(), "the backup spoke before the primary's lease ran out: " + where);
        assertTrue(finished, "the connections did not all end within " + FailoverSimulationTest.COMPLETION_BOUND / SECOND + " s of the takeover: " + where);
        for (ConnectionApp app : f.transfers.clients) assertNull(app.failure(), "a client received a wrong byte: " + app + ", " + where);
        if (run.caughtUpAtTakeover) {
            f.checkClients(run.clients, where); // every connection protected by a caught-up backup completes (but cancels and refusals)
            assertTrue(f.application.knownWhenIncomplete.isEmpty(), where);
        } else {
            // Restored, only one already finished in what arrived (lingering: all its records did) may be.
            for (ConnectionApp app : f.transfers.clients) {
                // (A cancelled client's connection may be restored: one that had ended in order, the
                // client's cancel coming in TIME-WAIT, where it sends nothing, lingers and is.)
                if (app.connection() == null || FailoverWorld.complete(app) || Transfers.aborted(app)
                        || !run.knownAtTakeover.contains(serverSide(app))) continue;
                FourTuple t = serverSide(app);
                assertTrue(!f.binding.restored.contains(t) && !f.binding.restoredUnaccepted.contains(t),
                        "a connection known only from an incomplete catch-up was restored: " + t + ", " + where);
            }
            for (int i = 0; i < f.transfers.clients.size(); i++) {
                ConnectionApp app = f.transfers.clients.get(i);
                boolean resetOnPurpose = Transfers.aborted(app) || f.transfers.refused(app) && app.isClosed(); // a cancel's or a refusal's RST
                if (i >= run.openedBefore) {
                    assertTrue(FailoverWorld.complete(app) || resetOnPurpose, "a connection opened after the join did not complete: " + app + ", " + where);
                } else if (app.connection() != null && run.namedAtTakeover(serverSide(app))) {
                    assertTrue(FailoverWorld.complete(app) || app.closeReason() == CloseReason.RESET_BY_PEER || resetOnPurpose, "a connection served before the join ("
                            + (run.knownAtTakeover.contains(serverSide(app)) ? "known from its records" : "known only from the roster")
                            + ") was neither reset nor complete before the crash: " + app + ", " + where);
                }
            }
            // Coverage: a connection still open at takeover that the backup knew only by the roster's name.
            if (java.util.stream.IntStream.range(0, run.openedBefore).anyMatch(i -> {
                ConnectionApp app = f.transfers.clients.get(i);
                return app.connection() != null && !run.knownAtTakeover.contains(serverSide(app)) && run.rosterAtTakeover.contains(serverSide(app))
                        && app.closeReason() == CloseReason.RESET_BY_PEER;
            })) census.add("resetKnownOnlyFromTheRoster");
            if (run.rosterAtTakeover.isEmpty()) census.add("rosterNotArrived");
        }
        assertTrue(f.application.diverged.isEmpty(), "a deterministic application diverged: " + where);
        return census;
    }

    @Test
    void aBackupThatJoinedARunningPrimaryTakesOverItsConnectionsOrResetsThem() {
        long[] seeds = FailoverSimulationTest.seeds(BASE_SEED, "fttcp.reprotection.seeds", DEFAULT_SEEDS);
        TreeMap<String, Integer> census = SeedCensus.run("re-protection", seeds, true, () -> "", ReprotectionSimulationTest::run);
        assertTrue(census.getOrDefault("takeover:catchUpIncomplete", 0) > 0 && census.getOrDefault("takeover:caughtUp", 0) > 0,
                "takeovers must come both from an incomplete catch-up and after a complete one: " + census);
        assertTrue(census.getOrDefault("resetKnownOnlyFromTheRoster", 0) > 0, "no seed had a client the backup knew only from the roster: " + census);
    }
}
