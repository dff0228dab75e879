package io.fttcp.roles.sim;

import io.fttcp.replication.channel.CloseReason;
import io.fttcp.roles.primary.BackupLoss;
import io.fttcp.sim.stack.BulkEndpoint;
import io.fttcp.sim.stack.SimStackHost;
import io.fttcp.sim.net.LinkConditions;
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
 * its announcement). The old primary must stay silent from its lease's expiry on: when it
 * continued unprotected instead (as {@link BackupLoss} once decided for a silent channel when
 * the process was not stalled), it ACKed upload bytes the new primary never received, and the
 * client, thinking them delivered, never sent them again: the upload hung for good.
 */
class FalseTakeoverRegressionTest {
    static final long SEED = 0x5EED_CA7L;

    /** Runs the scenario; returns the world after it settled or hung. */
    static FalseTakeoverWorld symmetricCutDuringUpload() {
        FailoverWorld f = new FailoverWorld(SEED, t -> false);
        f.detectionTimeout = 100 * MS;
        f.takeoverWork = 200 * MS;
        FalseTakeoverWorld w = new FalseTakeoverWorld(f);
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
        assertEquals(BackupLoss.Verdict.AWAIT_CLAIM, BackupLoss.decide(true, false));
        FalseTakeoverWorld w = symmetricCutDuringUpload();
        FailoverWorld f = w.f;
        String where = w.describe() + "; " + f.describe();
        assertTrue(f.takenOverAt >= 0, "the backup did not take over: " + where);
        assertTrue(w.world.checker.lastSentFromService < f.takenOverAt, "the old primary sent after the takeover: " + where);
        assertEquals(FalseTakeoverWorld.Role.STEPPED_DOWN, w.role, where);
        assertTrue(FailoverWorld.complete(f.transfers.clients.get(0)), "the upload hangs: " + where);
        assertEquals(0, f.resetsToClients, where);
    }
}
