package io.fttcp.roles.primary;

import io.fttcp.replication.channel.CloseReason.Kind;
import org.junit.jupiter.api.Test;

import static io.fttcp.roles.primary.BackupLoss.Verdict.CONTINUE_UNPROTECTED;
import static io.fttcp.roles.primary.BackupLoss.Verdict.KEEP_WAITING;
import static io.fttcp.roles.primary.BackupLoss.Verdict.AWAIT_CLAIM;
import static io.fttcp.roles.primary.BackupLoss.decide;
import static org.junit.jupiter.api.Assertions.assertEquals;

class BackupLossTest {
    @Test
    void aChannelThatNeverCompletedItsHandshakeWasNoBackup() {
        for (Kind k : Kind.values()) assertEquals(KEEP_WAITING, decide(k, false, false, true), k.name());
    }

    @Test
    void theBackupCannotHaveTakenOverWhileOurLeaseIsValid() {
        for (Kind k : Kind.values()) assertEquals(CONTINUE_UNPROTECTED, decide(k, true, true, false), k.name());
    }

    @Test
    void aBackupThatSpeaksAfterOurLeaseExpiredMayHaveTakenOverSoWeListenForItsClaim() {
        assertEquals(AWAIT_CLAIM, decide(Kind.PEER_ABORTED, true, false, false));
    }

    @Test
    void aStalledPrimaryListensForAClaimWhateverEndedTheChannel() {
        for (Kind k : Kind.values()) assertEquals(AWAIT_CLAIM, decide(k, true, false, true), k.name());
    }

    @Test
    void aBackupThatDiedOrWentSilentLeavesThePrimaryUnprotected() {
        assertEquals(CONTINUE_UNPROTECTED, decide(Kind.PEER_CLOSED, true, false, false));
        assertEquals(CONTINUE_UNPROTECTED, decide(Kind.PEER_SILENT, true, false, false));
        assertEquals(CONTINUE_UNPROTECTED, decide(Kind.CORRUPT_FRAME, true, false, false));
    }
}
