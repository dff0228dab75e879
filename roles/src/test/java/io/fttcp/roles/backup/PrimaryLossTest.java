package io.fttcp.roles.backup;

import io.fttcp.replication.channel.CloseReason;
import io.fttcp.replication.channel.CloseReason.Kind;
import org.junit.jupiter.api.Test;

import static io.fttcp.roles.backup.PrimaryLoss.Verdict.RETRY;
import static io.fttcp.roles.backup.PrimaryLoss.Verdict.STOP;
import static io.fttcp.roles.backup.PrimaryLoss.Verdict.TAKE_OVER;
import static io.fttcp.roles.backup.PrimaryLoss.decide;
import static org.junit.jupiter.api.Assertions.assertEquals;

class PrimaryLossTest {
    @Test
    void beforeReplicatingTheBackupRetriesUnlessRefused() {
        for (Kind k : Kind.values()) assertEquals(k == Kind.HANDSHAKE_REFUSED ? STOP : RETRY, decide(k, false), k.name());
    }

    @Test
    void onlyADeadOrSilentPrimaryIsTakenOver() {
        for (Kind k : Kind.values()) {
            boolean mayBeDead = new CloseReason(k, "", null).peerMayBeDead();
            assertEquals(mayBeDead ? TAKE_OVER : STOP, decide(k, true), k.name());
        }
        assertEquals(TAKE_OVER, decide(Kind.PEER_CLOSED, true));
        assertEquals(TAKE_OVER, decide(Kind.PEER_SILENT, true));
        assertEquals(STOP, decide(Kind.PEER_ABORTED, true));
        assertEquals(STOP, decide(Kind.CORRUPT_FRAME, true));
    }
}
