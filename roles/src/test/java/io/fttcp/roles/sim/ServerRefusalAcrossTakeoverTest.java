package io.fttcp.roles.sim;

import io.fttcp.sim.net.LinkConditions;
import io.fttcp.sim.stack.BulkEndpoint;
import io.fttcp.sim.stack.SimStackHost;
import io.fttcp.stack.tcp.CloseReason;
import io.fttcp.stack.tcp.FourTuple;
import io.fttcp.stack.tcp.TcpSegment;
import io.fttcp.stack.tcp.TcpState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;

import static io.fttcp.roles.sim.PrimaryWorld.MS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A server that refuses an upload (as an HTTP server answers 413 to a body it will not take):
 * it reads the first bytes, writes its whole answer, and closes with the rest of the upload
 * unread, so its stack resets the client. Unprotected, the answer leaves before the RST and the
 * client reads it; protected it must too. Before, the south-side wrapper sent the stack's RST at
 * once and dropped the answer it still held for output commit: the client got the reset without
 * the answer. Across a crash around the refusal the client reads the whole answer too, from the
 * primary or from the backup, and is refused; the other client's download completes.
 */
class ServerRefusalAcrossTakeoverTest {
    private static final long UPLOAD = 8L << 20; // more than any buffer takes: the client is still sending when refused
    private static final long REFUSE_AFTER = 4096;
    private static final long ANSWER = 1_000; // one segment: the stack sends it whole before the close (its abort discards what it has not sent, as Linux does)
    private static final LinkConditions LINK = LinkConditions.ideal().withDelay(MS);

    @Test
    void theClientReadsTheWholeAnswerBeforeTheReset() {
        FailoverWorld f = new FailoverWorld(0x5EF05EL, t -> false);
        BulkEndpoint uploader = refusedUpload(f, UPLOAD);
        assertTrue(f.world.sim.runUntil(uploader::isClosed, Duration.ofSeconds(30)), "the refused client's connection ended: " + f.describe());
        f.world.sim.runFor(Duration.ofSeconds(1));
        assertNull(uploader.failure(), "the answer, byte for byte: " + f.describe());
        assertEquals(ANSWER, uploader.received(), "the whole answer before the reset: " + f.describe());
        assertEquals(CloseReason.RESET_BY_PEER, uploader.closeReason());
        ServiceApp server = f.world.acceptor.apps().getFirst();
        assertTrue(server.isDone(), server.toString());
        assertEquals(CloseReason.ABORTED, server.closeReason(), "the stack aborted it: " + server);
        assertEquals(0, f.world.primary.ssw().stats().heldPackets);
        assertEquals(0, f.world.primary.ssw().connectionCount(), "forgotten once its RST left");
        assertEquals(1, f.world.primary.ssw().stats().stackResetsLogged);
    }

    /**
     * The client still sending when refused, or (a short upload, as an HTTP request) having sent
     * everything and waiting for the answer: that one learns of the refusal only from the server,
     * so a backup that took over before the primary's RST left must tell it (it restores the
     * connection and sends the answer and a FIN).
     */
    @ParameterizedTest(name = "crash {0} ms after the refusal of a {1}-byte upload")
    @CsvSource({"0, 8388608", "1, 8388608", "30, 8388608", "0, 6000", "1, 6000", "30, 6000"})
    void theAnswerReachesTheClientWhicheverServerSendsIt(int crashAfterMs, long upload) {
        FailoverWorld f = new FailoverWorld(0x5EF05EL + crashAfterMs, t -> false);
        BulkEndpoint uploader = refusedUpload(f, upload);
        SimStackHost[] patient = f.addClient("patient", 11, LINK);
        f.transfers.open(patient, new Transfers.Plan(100, 1024 * 1024, null, 3, 4), 0);
        BulkEndpoint download = (BulkEndpoint) f.transfers.clients.get(1);
        assertTrue(f.world.sim.runUntil(() -> !f.world.acceptor.apps().isEmpty() && f.world.acceptor.apps().getFirst().isDone(),
                Duration.ofSeconds(30)), "the server never refused: " + f.describe());
        f.world.sim.runFor(Duration.ofMillis(crashAfterMs));
        assertFalse(FailoverWorld.complete(download), "precondition: the other download still runs at the crash");
        f.crashPrimary();
        FourTuple refused = PrimaryWorld.serverTuple(uploader.connection());
        boolean settled = f.world.sim.runUntil(() -> f.takenOverAt >= 0 && FailoverWorld.complete(download) && (uploader.isClosed() || FailoverWorld.complete(uploader))
                && f.application.services().stream().filter(s -> s.tuple.equals(refused)).allMatch(s -> s.isDone() || s.resetBy() != null),
                Duration.ofSeconds(60));
        String where = "crash " + crashAfterMs + " ms after the refusal: " + f.describe();
        assertNull(f.takeoverFailure, "takeover failed: " + where);
        assertTrue(settled, "not settled within 60 s: " + where);
        assertNull(uploader.failure(), "the answer, byte for byte: " + where);
        assertEquals(ANSWER, uploader.received(), "the whole answer, from whichever server sent it: " + where);
        if (upload == UPLOAD) assertEquals(CloseReason.RESET_BY_PEER, uploader.closeReason(), "refused: " + where);
        else assertTrue(uploader.closeReason() == CloseReason.RESET_BY_PEER || FailoverWorld.complete(uploader), "ended: " + where);
        assertNull(download.failure(), where);
        assertTrue(FailoverWorld.complete(download), where);
        assertEquals(0, patient[0].connectionResetsSent(), where);
        // Restored: the primary died before its RST left (the connection was not yet over in the
        // log); the backup sends the answer and a FIN, and resets the client's next bytes.
        System.out.println("crash " + crashAfterMs + " ms after the refusal of a " + upload + "-byte upload: the refused connection "
                + (f.binding.restored.contains(refused) ? "restored" : "not restored (over in the log: its RST had left)") + ", the client's end: "
                + (uploader.closeReason() == null ? "TIME-WAIT" : uploader.closeReason()));
    }

    /**
     * The primary's RST to a refused client that has sent everything (its FIN acknowledged) is
     * lost, then the primary dies. The log says the connection is over, so the backup does not
     * restore it, and the client, with nothing to send, would wait for good: the takeover resets
     * it at once ({@code LiveBinding.resetClient}: an RST at the guess, then probes the client
     * answers with its position, which the stack resets exactly).
     */
    @Test
    void aWaitingClientWhoseResetWasLostIsResetByTheTakeover() {
        FailoverWorld f = new FailoverWorld(0x5EF05EL, t -> false);
        // A slow server: the client's whole upload and its FIN arrive, and are acknowledged, long before it refuses.
        f.transfers.serverChoice = app -> ((BulkService) app).readingAtMost(1024, 300 * MS);
        BulkEndpoint uploader = refusedUpload(f, REFUSE_AFTER + 1);
        f.world.sim.network().dropWhen(frame -> ServiceFrames.isIpv4From(frame, PrimaryWorld.SERVICE_ADDRESS) && ServiceFrames.isTcp(frame)
                && (ServiceFrames.flags(frame) & TcpSegment.RST) != 0);
        assertTrue(f.world.sim.runUntil(() -> f.world.primary.ssw().stats().stackResetsLogged > 0
                && f.world.log.backupImage().lastLsn() == f.world.log.lastLsn(), Duration.ofSeconds(30)), "the refusal: " + f.describe());
        f.world.sim.runFor(Duration.ofMillis(20));
        assertEquals(ANSWER, uploader.received(), "precondition: the answer arrived: " + f.describe());
        assertEquals(TcpState.FIN_WAIT_2, uploader.connection().tcp().state(),
                "precondition: the client's FIN is acknowledged, it has nothing to send: " + uploader.connection().tcp());
        f.world.sim.network().dropWhen(null);
        f.crashPrimary();
        FourTuple refused = PrimaryWorld.serverTuple(uploader.connection());
        boolean reset = f.world.sim.runUntil(() -> f.takenOverAt >= 0 && uploader.isClosed(), Duration.ofSeconds(30));
        String where = f.describe();
        assertNull(f.takeoverFailure, where);
        assertTrue(reset, "the waiting client was never told: " + where);
        assertEquals(CloseReason.RESET_BY_PEER, uploader.closeReason(), where);
        assertTrue(uploader.closedAt() - f.takenOverAt < 200 * MS, "reset " + (uploader.closedAt() - f.takenOverAt) / MS + " ms after the takeover: " + where);
        assertFalse(f.binding.restored.contains(refused), "over in the log: not restored, " + where);
        assertTrue(f.binding.endedByTheStack.stream().anyMatch(i -> i.tuple().equals(refused)), where);
    }

    private static BulkEndpoint refusedUpload(FailoverWorld f, long upload) {
        SimStackHost[] client = f.addClient("uploader", 10, LINK);
        f.transfers.open(client, new Transfers.Plan(upload, ANSWER, null, 1, 2).refusingAfter(REFUSE_AFTER), 0);
        return (BulkEndpoint) f.transfers.clients.getFirst();
    }
}
