package io.fttcp.roles.sim;

import io.fttcp.sim.net.LinkConditions;
import io.fttcp.sim.stack.BulkEndpoint;
import io.fttcp.sim.stack.SimStackHost;
import io.fttcp.stack.tcp.CloseReason;
import io.fttcp.stack.tcp.FourTuple;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;

import static io.fttcp.roles.sim.PrimaryWorld.MS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A client cancels its download (an RST) just before the primary crashes, while another
 * downloads on. Whether the RST reached the log before the crash or not, the takeover must go
 * through: the other download completes intact with no reset, and the cancelled connection is
 * either refused (its client reset it: nothing to restore) or restored and then reset by the
 * client's host, which no longer has it; the backup's application lets go of it either way.
 * Before, the simulated takeover threw on a connection whose client had reset it (where the
 * runtime's binding refuses it): a client that cancels at the wrong moment failed the takeover.
 */
class ClientAbortAcrossTakeoverTest {

    @ParameterizedTest(name = "crash {0} ms after the cancel")
    @ValueSource(ints = {0, 1, 30})
    void aDownloadCancelledAroundTheCrashLeavesTheOthersIntact(int crashAfterMs) {
        FailoverWorld f = new FailoverWorld(0xAB0_27L + crashAfterMs, t -> false);
        LinkConditions link = LinkConditions.ideal().withDelay(MS);
        SimStackHost[] cancelling = f.addClient("cancelling", 10, link);
        SimStackHost[] patient = f.addClient("patient", 11, link);
        f.transfers.open(cancelling, new Transfers.Plan(100, 2 * 1024 * 1024, null, 1, 2), 0);
        f.transfers.open(patient, new Transfers.Plan(100, 1024 * 1024, null, 3, 4), 0);
        BulkEndpoint cancelled = ((BulkEndpoint) f.transfers.clients.get(0)).abortingAfter(256 * 1024);
        BulkEndpoint download = (BulkEndpoint) f.transfers.clients.get(1);
        assertTrue(f.world.sim.runUntil(cancelled::aborted, Duration.ofSeconds(30)), "the download was never cancelled: " + cancelled);
        f.world.sim.runFor(Duration.ofMillis(crashAfterMs));
        assertFalse(FailoverWorld.complete(download), "precondition: the other download still runs at the crash");
        f.crashPrimary();
        FourTuple cancelledTuple = PrimaryWorld.serverTuple(cancelled.connection());
        boolean done = f.world.sim.runUntil(() -> f.takenOverAt >= 0 && FailoverWorld.complete(download)
                && f.application.services().stream().filter(s -> s.tuple.equals(cancelledTuple))
                        .allMatch(s -> s.isDone() || s.resetBy() != null), Duration.ofSeconds(60));
        String where = "crash " + crashAfterMs + " ms after the cancel: " + f.describe();
        assertNull(f.takeoverFailure, "takeover failed: " + where);
        assertTrue(done, "not settled within 60 s: " + where);
        assertNull(download.failure(), where);
        assertTrue(FailoverWorld.complete(download), "the other download complete, closed in order: " + where);
        assertEquals(0, patient[0].connectionResetsSent(), where);
        assertEquals(0, f.resetsToClients, "a reset reached an open client connection: " + where);
        assertEquals(CloseReason.ABORTED, cancelled.closeReason(), where);
        System.out.println("crash " + crashAfterMs + " ms after the cancel: the cancelled connection "
                + (f.binding.resetByClient.contains(cancelledTuple) ? "refused (its client reset it)"
                : f.binding.restored.contains(cancelledTuple) ? "restored, then reset by the client's host" : "not offered (finished)"));
    }
}
