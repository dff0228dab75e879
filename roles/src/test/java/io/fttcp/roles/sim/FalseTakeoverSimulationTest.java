package io.fttcp.roles.sim;

import io.fttcp.sim.stack.ConnectionApp;
import io.fttcp.sim.stack.SimStackHost;
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
 * False takeovers (DESIGN.md §4; README "When the backup is lost", "Failure detection"): the
 * primary is alive while the backup may take over. On {@link FalseTakeoverWorld} (a real lease,
 * both sides' loss decisions), at a random simulation event the replication link is cut (both
 * directions or one, for good or for a while) or the primary's host is frozen for longer than
 * the detection timeout and thawed; loss, duplication and reordering on every link as in
 * {@link FailoverSimulationTest}. Clients download, upload, and run request-response sessions
 * (batches of small requests whose answer the service writes only after reading the whole
 * batch, as a key-value session on a poller loop does; the answer is often held for stability
 * when the fault strikes).
 *
 * <p>Checked: nothing from the service address leaves the primary after its lease expired while
 * it is protected, nor after it stepped down, nor at all once the backup took over (no two
 * servers); after a takeover the old primary steps down (it hears the announcement, at once or
 * when it thaws); every client stream byte-exact, complete in order, no reset; a connection that
 * does not complete within the bound is a hang and fails with its seed.
 *
 * <p>{@code -Dfttcp.falsetakeover.seeds=N} runs N seeds (default 2000, about 6 s),
 * {@code -Dfttcp.falsetakeover.seed=S} replays one; {@code -Dfttcp.falsetakeover.stats=true}
 * prints a census of faults and outcomes.
 */
class FalseTakeoverSimulationTest {
    static final long BASE_SEED = 0xFA15_E7A4L;
    static final int DEFAULT_SEEDS = 2000;
    static final long MAX_BYTES = Long.getLong("fttcp.falsetakeover.maxBytes", 512 * 1024);
    static final boolean STATS = Boolean.getBoolean("fttcp.falsetakeover.stats");
    static final long COMPLETION_BOUND = FailoverSimulationTest.COMPLETION_BOUND;

    enum Fault { CUT_BOTH, CUT_TOWARD_BACKUP, CUT_TOWARD_PRIMARY, FREEZE }

    record Built(FalseTakeoverWorld w, List<SimStackHost[]> clients) { }

    static Built build(long seed) {
        return build(seed, r -> r.nextBoolean() ? Transfers.Plan.session(r, 1, 21) : Transfers.Plan.random(r, MAX_BYTES), 100 * MS);
    }

    /** A world for {@code seed}: 1-3 client hosts, 1-4 connections of the {@code plans} given, opened within {@code spread}. */
    static Built build(long seed, java.util.function.Function<SplittableRandom, Transfers.Plan> plans, long spread) {
        FailoverWorld f = new FailoverWorld(seed, t -> false);
        SplittableRandom timing = new SplittableRandom(seed ^ 0xDE7E_C7L);
        f.detectionTimeout = FalseTakeoverWorld.detectionTimeout(timing);
        // A real takeover takes a while (drain the determinants, materialize every connection) before the announcement.
        f.takeoverWork = timing.nextInt(3) == 0 ? 0 : timing.nextLong(0, 300 * MS);
        FalseTakeoverWorld w = new FalseTakeoverWorld(f);
        f.world.varyClientOptions(seed);
        SplittableRandom r = f.world.choices;
        List<SimStackHost[]> clients = new ArrayList<>();
        int hosts = r.nextInt(1, 4);
        for (int h = 0; h < hosts; h++) clients.add(f.addClient("client" + h, 10 + h, PrimaryWorld.randomConditions(r)));
        int connections = r.nextInt(1, 5);
        for (int i = 0; i < connections; i++) {
            Transfers.Plan plan = plans.apply(r);
            f.transfers.open(clients.get(r.nextInt(hosts)), plan, r.nextLong(0, spread));
        }
        return new Built(w, clients);
    }

    static boolean settled(FalseTakeoverWorld w) {
        FailoverWorld f = w.f;
        if (w.backupGaveUp && !w.backupStopped && f.takenOverAt < 0) return false; // a takeover is on its way
        if (!f.clientsFinished()) return false;
        if (f.takenOverAt >= 0) {
            for (BackupService s : f.application.services()) if (!s.isDone()) return false;
        }
        return true;
    }

    /**
     * The key-value case: a request-response session whose service has read a batch and written
     * its answer (logged), while the client has not received all of it (held for stability, or on
     * the wire).
     */
    private static boolean answerOutstanding(FalseTakeoverWorld w) {
        for (ServiceApp app : w.world.acceptor.apps()) {
            if (!(app instanceof EchoService echo) || echo.echoed() == 0) continue;
            for (ConnectionApp c : w.f.transfers.clients) {
                if (c instanceof io.fttcp.sim.stack.RequestResponseClient rr && c.connection() != null
                        && PrimaryWorld.serverTuple(c.connection()).equals(app.connection().tuple()) && rr.received() < echo.echoed()) {
                    return true;
                }
            }
        }
        return false;
    }

    /** One seed; returns its census keys. */
    static List<String> run(long seed) {
        Built dry = build(seed);
        long start = dry.w.world.sim.scheduler().executed();
        dry.w.world.sim.runUntil(() -> settled(dry.w), Duration.ofSeconds(120));
        long length = dry.w.world.sim.scheduler().executed() - start;

        Built b = build(seed);
        FalseTakeoverWorld w = b.w;
        FailoverWorld f = w.f;
        SplittableRandom r = new SplittableRandom(seed ^ 0xFA15EL);
        long events = w.world.sim.scheduler().executed() + r.nextLong(1, length + 2);
        w.world.sim.runUntil(() -> w.world.sim.scheduler().executed() >= events || settled(w), Duration.ofSeconds(120));
        List<String> phases = f.phasesAtCrash();
        if (answerOutstanding(w)) phases.add("answerWrittenNotReceived");
        Fault fault = Fault.values()[r.nextInt(Fault.values().length)];
        long det = w.detectionTimeout;
        boolean forGood = r.nextInt(3) == 0;
        // for a while: from well under the detection timeout (no takeover) to seconds beyond it
        long outage = r.nextBoolean() ? r.nextLong(det / 5, 2 * det) : r.nextLong(2 * det, 4 * SECOND);
        String faultName = fault.name();
        switch (fault) {
            case CUT_BOTH, CUT_TOWARD_BACKUP, CUT_TOWARD_PRIMARY -> {
                w.cut(fault != Fault.CUT_TOWARD_PRIMARY, fault != Fault.CUT_TOWARD_BACKUP);
                if (!forGood) w.world.sim.scheduler().after(outage, w::heal);
                faultName += forGood ? "/forGood" : "/forAWhile";
            }
            case FREEZE -> {
                long frozen = det + (r.nextInt(4) == 0 ? r.nextLong(SECOND, 8 * SECOND) : r.nextLong(0, SECOND));
                // the frames that wait for the stopped process: a receive buffer of 16 to 1024 frames, or plenty
                w.world.primary.receiveBufferFrames = r.nextBoolean() ? Integer.MAX_VALUE : r.nextInt(16, 1025);
                w.freeze(frozen);
            }
        }
        long faultAt = w.world.sim.now();
        boolean finished = w.world.sim.runUntil(() -> settled(w), Duration.ofNanos(COMPLETION_BOUND + 10 * SECOND));
        if (f.takenOverAt >= 0) {
            // The old primary may still be frozen, or listening for the claim: give it until it thaws and the announcements are over.
            long until = Math.max(w.world.sim.now(), w.thawAt) + w.claimWindow() + 8 * SECOND;
            w.world.sim.runUntil(() -> w.role == FalseTakeoverWorld.Role.STEPPED_DOWN, Duration.ofNanos(until - w.world.sim.now()));
        }
        String where = "seed " + seed + " (replay: -Dfttcp.falsetakeover.seed=" + seed + "), fault " + faultName + " at "
                + faultAt / MS + " ms, phases " + phases + ": " + w.describe() + "; " + f.describe();
        assertNull(w.world.checker.violation(), "the old primary broke the promise: " + where);
        assertNull(f.takeoverFailure, "takeover failed: " + where);
        if (f.application != null) assertNull(f.application.failure(), where);
        if (f.takenOverAt >= 0) {
            assertTrue(w.world.checker.lastSentFromService < f.takenOverAt,
                    "two servers: the old primary sent from the service address after the backup took over: " + where);
            assertEquals(FalseTakeoverWorld.Role.STEPPED_DOWN, w.role, "the old primary did not step down after the takeover: " + where);
        }
        assertTrue(finished, "a connection hangs: not all complete within " + COMPLETION_BOUND / SECOND + " s of the fault: " + where);
        for (ConnectionApp app : f.transfers.clients) {
            assertNull(app.failure(), "client stream not byte-exact: " + app + ", " + where);
            assertTrue(FailoverWorld.complete(app), "client connection not complete in order: " + app + " "
                    + (app.connection() == null ? "" : app.connection().tcp()) + ", " + where);
        }
        for (SimStackHost[] c : b.clients) assertEquals(0, c[0].connectionResetsSent(), "a client sent a reset: " + where);
        assertEquals(0, f.resetsToClients, "a reset from the service reached a client: " + where);
        if (f.application != null) {
            assertTrue(f.application.diverged.isEmpty(), "a deterministic application diverged: " + where);
            if (f.takenOverAt >= 0) {
                for (BackupService s : f.application.services()) {
                    assertNull(s.failure(), "the backup's application: " + where);
                    assertNull(s.resetBy(), "the backup's application saw its connection fail: " + where);
                }
            }
        }
        List<String> census = new ArrayList<>();
        census.add("fault:" + faultName);
        census.add(f.takenOverAt >= 0 ? "outcome:takenOver" : w.backupStopped ? "outcome:backupStopped" : "outcome:noTakeover");
        if (w.primaryVerdict != null) census.add("primary:" + w.primaryVerdict);
        census.add("primaryEnds:" + w.role);
        for (String p : phases) census.add("phase:" + p);
        for (String p : f.takeoverPaths()) census.add("takeover:" + p);
        return census;
    }

    @Test
    void falseTakeoversKeepEveryClientStreamExactAndNoConnectionHangs() {
        SeedCensus.run("false takeover", seeds(), STATS, () -> "", FalseTakeoverSimulationTest::run);
    }

    /**
     * Found among 40,000 seeds: the primary froze after its first records were acknowledged (its
     * first output released) but before any acknowledgement echoed a heartbeat (no lease yet); the
     * backup found it silent and took over, and the primary, thawed, took the loss for a failed
     * join and served on unprotected beside it (a client's connection reset).
     */
    @Test
    void aPrimaryFrozenBeforeItsFirstLeaseListensForTheClaim() {
        run(-3550782593741695236L);
    }

    static long[] seeds() {
        Long only = Long.getLong("fttcp.falsetakeover.seed");
        if (only != null) return new long[] {only};
        int n = Integer.getInteger("fttcp.falsetakeover.seeds", DEFAULT_SEEDS);
        SplittableRandom g = new SplittableRandom(BASE_SEED);
        long[] seeds = new long[n];
        for (int i = 0; i < n; i++) seeds[i] = g.nextLong();
        return seeds;
    }
}
