package io.fttcp.roles.sim;

import io.fttcp.sim.stack.ConnectionApp;
import io.fttcp.stack.tcp.CloseReason;
import io.fttcp.stack.tcp.FourTuple;
import io.fttcp.stack.tcp.TcpState;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;

import static io.fttcp.roles.sim.PrimaryWorld.MS;
import static io.fttcp.roles.sim.PrimaryWorld.SECOND;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A partition, then a crash (README "Guarantees and limits", the cut-off backup): the backup's
 * host loses its link mid-transfer ({@link FalseTakeoverWorld#isolateBackup}); it finds the
 * primary silent but, knowing it is itself cut off, waits. The primary, fenced once its lease
 * ran out, listens for a claim for its claim window and then serves on unprotected. It crashes at
 * a random moment: while still protected, while fenced, or after it served unprotected for a
 * while. The backup's link comes back (and settles) after the crash; finding nothing, it takes
 * over. Loss, duplication and reordering on every link; bulk transfers of 64 to 512 KiB each way
 * and request-response sessions, so the clients are mid-stream at the crash.
 *
 * <p>Checked: if the backup last heard the primary less than a claim window before it found it
 * gone, every client completes byte-exact, none reset (the primary cannot have served anything
 * the backup lacks); else the backup restores none of its connections and every client ends,
 * complete or reset: none is left hanging behind a copy it has moved past, and none receives a
 * wrong byte. Restoring such a copy left uploads hanging (the client never resends bytes the
 * primary acknowledged while unprotected).
 *
 * <p>{@code -Dfttcp.stalecopy.seeds=N} runs N seeds (default 300), {@code -Dfttcp.stalecopy.seed=S}
 * replays one.
 */
class StaleCopySimulationTest {
    static final long BASE_SEED = 0x57A1_EC0BL;
    static final int DEFAULT_SEEDS = 300;
    /** As the false-takeover simulation's: larger transfers on its slowest, lossiest links outlast the completion bound. */
    static final long MAX_BYTES = 512 << 10, MIN_BYTES = 64 << 10;
    /** The backup's link is back this long after it came up before it asks the primary (BackupHost's settle). */
    static final long SETTLE = SECOND;

    /**
     * The false-takeover simulation's world (its detection timeouts, takeover work and clients)
     * with transfers long enough to span the fault: bulk ones of 64 to 512 KiB each way, and
     * sessions of many small batches.
     */
    private static FalseTakeoverSimulationTest.Built build(long seed) {
        return FalseTakeoverSimulationTest.build(seed, r -> r.nextInt(3) == 0 ? Transfers.Plan.session(r, 20, 100)
                : new Transfers.Plan(r.nextLong(MIN_BYTES, MAX_BYTES), r.nextLong(MIN_BYTES, MAX_BYTES), null, r.nextLong(), r.nextLong()), 50 * MS);
    }

    private static boolean allConnected(FailoverWorld f) {
        for (ConnectionApp app : f.transfers.clients) {
            if (app.connection() == null || app.connection().tcp().state() == TcpState.SYN_SENT) return false;
        }
        return true;
    }

    private static boolean ended(ConnectionApp app) {
        return FailoverWorld.complete(app) || app.failure() != null || app.closeReason() != null && app.closeReason() != CloseReason.CLOSED;
    }

    static List<String> run(long seed) {
        FalseTakeoverSimulationTest.Built b = build(seed);
        FalseTakeoverWorld w = b.w();
        FailoverWorld f = w.f;
        PrimaryWorld world = w.world;
        SplittableRandom r = new SplittableRandom(seed ^ 0xC0_7C0FL);
        world.sim.runUntil(() -> allConnected(f), Duration.ofSeconds(10));
        long cutAt = world.sim.now() + r.nextLong(0, 100 * MS);
        world.sim.runUntil(() -> world.sim.now() >= cutAt, Duration.ofSeconds(1));
        w.isolateBackup();
        // The crash: while the primary is protected or fenced, or after it served unprotected a while.
        String when;
        if (r.nextInt(3) == 0) {
            long crashAt = world.sim.now() + r.nextLong(0, w.detectionTimeout + w.claimWindow());
            world.sim.runUntil(() -> world.sim.now() >= crashAt, Duration.ofSeconds(10));
            when = "crash:" + w.role;
        } else {
            assertTrue(world.sim.runUntil(() -> w.role == FalseTakeoverWorld.Role.UNPROTECTED, Duration.ofSeconds(10)),
                    "seed " + seed + ": the primary never served on unprotected: " + w.describe());
            long crashAt = world.sim.now() + r.nextLong(0, 300 * MS);
            world.sim.runUntil(() -> world.sim.now() >= crashAt, Duration.ofSeconds(1));
            when = "crash:UNPROTECTED";
        }
        List<String> phases = f.phasesAtCrash();
        f.crashPrimaryUnnoticed();
        long askAt = world.sim.now() + (r.nextBoolean() ? 0 : r.nextLong(0, 2 * SECOND)) + SETTLE;
        world.sim.scheduler().schedule(askAt, w::backupLinkBack);
        boolean finished = world.sim.runUntil(() -> f.takenOverAt >= 0
                && f.transfers.clients.stream().allMatch(StaleCopySimulationTest::ended) && (f.staleCopy || f.backupDone()),
                Duration.ofNanos(FailoverSimulationTest.COMPLETION_BOUND + 10 * SECOND));
        String where = "seed " + seed + " (replay: -Dfttcp.stalecopy.seed=" + seed + "), cut at " + cutAt / MS + " ms, " + when
                + ", phases " + phases + (f.staleCopy ? ", stale copy" : ", copy trusted") + ": " + w.describe() + "; " + f.describe();
        assertNull(f.primaryViolation, "the primary broke the promise before its crash: " + where);
        assertNull(f.takeoverFailure, "takeover failed: " + where);
        assertTrue(f.takenOverAt >= 0, "the backup did not take over: " + where);
        assertNull(f.application.failure(), where);
        assertTrue(finished, "a connection hangs: not all ended within " + FailoverSimulationTest.COMPLETION_BOUND / SECOND + " s: " + where);
        for (ConnectionApp app : f.transfers.clients) assertNull(app.failure(), "a client received a wrong byte: " + app + ", " + where);
        List<String> census = new ArrayList<>(List.of(when, f.staleCopy ? "takeover:stale" : "takeover:trusted"));
        if (!f.staleCopy) {
            f.checkClients(b.clients(), where);
            f.checkBackupServices(where);
        } else {
            int reset = 0;
            for (ConnectionApp app : f.transfers.clients) {
                assertTrue(FailoverWorld.complete(app) || app.closeReason() == CloseReason.RESET_BY_PEER,
                        "a client neither complete nor reset: " + app + ", " + where);
                if (FailoverWorld.complete(app)) continue;
                reset++;
                // Restored, only a connection whose records say it finished may be (lingering: both closes arrived, so all its records did).
                FourTuple t = PrimaryWorld.serverTuple(app.connection());
                assertTrue(!f.binding.restored.contains(t) && !f.binding.restoredUnaccepted.contains(t),
                        "a connection of a stale copy was restored: " + t + ", " + where);
            }
            if (reset > 0 && when.equals("crash:UNPROTECTED")) census.add("resetAfterServingUnprotected");
        }
        return census;
    }

    @Test
    void aBackupFindingThePrimaryGoneAfterItsClaimWindowResetsItsClientsAndNoneHangs() {
        long[] seeds = FailoverSimulationTest.seeds(BASE_SEED, "fttcp.stalecopy.seeds", DEFAULT_SEEDS);
        Long only = Long.getLong("fttcp.stalecopy.seed");
        if (only != null) seeds = new long[] {only};
        TreeMap<String, Integer> census = SeedCensus.run("stale copy", seeds, true, () -> "", StaleCopySimulationTest::run);
        if (only == null) {
            assertTrue(census.getOrDefault("takeover:trusted", 0) > 0 && census.getOrDefault("takeover:stale", 0) > 0,
                    "takeovers must come both from a trusted copy and from a stale one: " + census);
            assertTrue(census.getOrDefault("resetAfterServingUnprotected", 0) > 0,
                    "no seed reset a client the primary had served unprotected before it died: " + census);
        }
    }
}
