package io.fttcp.roles.sim;

import io.fttcp.replication.channel.CloseReason;
import io.fttcp.roles.primary.BackupLoss;
import io.fttcp.sim.stack.BulkEndpoint;
import io.fttcp.sim.stack.SimStackHost;
import io.fttcp.sim.net.LinkConditions;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static io.fttcp.roles.sim.PrimaryWorld.MS;
import static io.fttcp.roles.sim.PrimaryWorld.SECOND;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What {@link FalseTakeoverSimulationTest} found, in one scenario: a client uploads through the
 * protected service; in the middle the replication link is cut both ways for good; both sides
 * find the other silent at about the same time; the backup takes over (200 ms of work before
 * its announcement). The old primary must stay silent from its lease's expiry on: if it
 * continues unprotected instead (as {@link BackupLoss} decides today for a silent channel when
 * the process was not stalled), it ACKs upload bytes the new primary never receives, and the
 * client, thinking them delivered, never sends them again: the upload hangs for good.
 */
class FalseTakeoverRegressionTest {
    static final long SEED = 0x5EED_CA7L;

    /** Runs the scenario; returns the world after it settled or hung. */
    static FalseTakeoverWorld symmetricCutDuringUpload(boolean claimOnExpiredLease) {
        FailoverWorld f = new FailoverWorld(SEED, t -> false);
        f.detectionTimeout = 100 * MS;
        f.takeoverWork = 200 * MS;
        FalseTakeoverWorld w = new FalseTakeoverWorld(f, claimOnExpiredLease);
        LinkConditions link = LinkConditions.ideal().withDelay(MS);
        SimStackHost[] client = f.addClient("client", 10, link);
        f.transfers.open(client, new Transfers.Plan(4 * 1024 * 1024, 1024, null, 1, 2), 0);
        BulkEndpoint upload = (BulkEndpoint) f.transfers.clients.get(0);
        assertTrue(w.world.sim.runUntil(() -> upload.sent() >= 512 * 1024, Duration.ofSeconds(30)), "the upload never got going");
        w.cut(true, true);
        w.world.sim.runUntil(() -> FalseTakeoverSimulationTest.settled(w), Duration.ofSeconds(60));
        return w;
    }

    @Test
    void aPrimaryWhoseLeaseExpiredListensForTheClaimAndTheUploadCompletesOnTheBackup() {
        FalseTakeoverWorld w = symmetricCutDuringUpload(true);
        FailoverWorld f = w.f;
        String where = w.describe() + "; " + f.describe();
        assertTrue(f.takenOverAt >= 0, "the backup did not take over: " + where);
        assertTrue(w.world.checker.lastSentFromService < f.takenOverAt, "the old primary sent after the takeover: " + where);
        assertEquals(FalseTakeoverWorld.Role.STEPPED_DOWN, w.role, where);
        assertTrue(FailoverWorld.complete(f.transfers.clients.get(0)), "the upload hangs: " + where);
        assertEquals(0, f.resetsToClients, where);
    }

    /**
     * The same with the primary's real decision. Disabled until roles/primary's BackupLoss.decide
     * answers AWAIT_CLAIM for a joined channel lost with an expired lease (whatever the reason);
     * then the stand-in {@link FalseTakeoverWorld#claimOnExpiredLease} can go.
     */
    @Test
    @Disabled("BackupLoss.decide(PEER_SILENT, joined, lease expired, not stalled) continues unprotected: the upload hangs (fix in roles/primary)")
    void theRealBackupLossKeepsThePrimarySilentAfterASymmetricCut() {
        assertEquals(BackupLoss.Verdict.AWAIT_CLAIM, BackupLoss.decide(CloseReason.Kind.PEER_SILENT, true, false, false));
        FalseTakeoverWorld w = symmetricCutDuringUpload(false);
        String where = w.describe() + "; " + w.f.describe();
        assertTrue(w.world.checker.lastSentFromService < w.f.takenOverAt, "the old primary sent after the takeover: " + where);
        assertTrue(FailoverWorld.complete(w.f.transfers.clients.get(0)), "the upload hangs: " + where);
    }

    /** The gap itself, so that this test fails (and says so) once roles/primary closes it: then enable the test above. */
    @Test
    void todayTheRealBackupLossLeavesTwoServersAndTheUploadHangs() {
        FalseTakeoverWorld w = symmetricCutDuringUpload(false);
        String where = w.describe() + "; " + w.f.describe();
        assertEquals(BackupLoss.Verdict.CONTINUE_UNPROTECTED, BackupLoss.decide(CloseReason.Kind.PEER_SILENT, true, false, false),
                "BackupLoss changed: enable theRealBackupLossKeepsThePrimarySilentAfterASymmetricCut and drop this test and the stand-in");
        assertTrue(w.world.checker.lastSentFromService >= w.f.takenOverAt, "expected two servers: " + where);
        assertTrue(!FailoverWorld.complete(w.f.transfers.clients.get(0)), "expected the upload to hang: " + where);
        assertTrue(w.world.sim.now() >= 60 * SECOND, where);
    }
}
