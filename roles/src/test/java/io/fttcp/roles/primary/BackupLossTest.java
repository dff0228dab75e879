package io.fttcp.roles.primary;

import org.junit.jupiter.api.Test;

import static io.fttcp.roles.primary.BackupLoss.Verdict.AWAIT_CLAIM;
import static io.fttcp.roles.primary.BackupLoss.Verdict.CONTINUE_UNPROTECTED;
import static io.fttcp.roles.primary.BackupLoss.Verdict.KEEP_WAITING;
import static io.fttcp.roles.primary.BackupLoss.decide;
import static org.junit.jupiter.api.Assertions.assertEquals;

class BackupLossTest {
    @Test
    void aChannelThatNeverCompletedItsHandshakeWasNoBackup() {
        assertEquals(KEEP_WAITING, decide(false, false));
        assertEquals(KEEP_WAITING, decide(false, true));
    }

    @Test
    void theBackupCannotHaveTakenOverWhileOurLeaseIsValid() {
        assertEquals(CONTINUE_UNPROTECTED, decide(true, true));
    }

    /**
     * A backup cut off from us finds us silent as we find it, and takes over: the split brain the
     * false-takeover simulation found. The same when its acknowledgements never granted us a
     * lease (it replicates from its handshake on): the verdict does not ask whether one was.
     */
    @Test
    void onceOurLeaseExpiredTheBackupMayHaveTakenOverSoWeListenForItsClaim() {
        assertEquals(AWAIT_CLAIM, decide(true, false));
    }
}
