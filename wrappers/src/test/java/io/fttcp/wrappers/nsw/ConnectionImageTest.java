package io.fttcp.wrappers.nsw;

import io.fttcp.replication.record.Close;
import io.fttcp.replication.record.Connect;
import io.fttcp.replication.record.Segment;
import io.fttcp.replication.record.Write;
import io.fttcp.stack.tcp.FourTuple;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** What the image tells the Materializer about the client's segments and the primary's close, from records alone. */
class ConnectionImageTest {

    private static final FourTuple T = new FourTuple(0x0A000001, 80, 0x0A000002, 4000);
    private static final int CLIENT_ISN = -5, SERVER_ISN = -3; // both wrap
    private static final int ACK = 0x10, RST = 0x04;

    private final ReplayNetwork replay = new ReplayNetwork((t, why) -> { });

    private void connect(boolean timestamps) {
        replay.apply(new Connect(T, CLIENT_ISN, SERVER_ISN, 1460, 1460, 7, 7, true, timestamps, 1000, 500, 4000));
    }

    private void segment(int seqOffset, int ackOffset, int flags, int window, int tsVal, int tsEcr, int length) {
        replay.apply(new Segment(T, CLIENT_ISN + 1 + seqOffset, SERVER_ISN + 1 + ackOffset, flags, window, tsVal, tsEcr, new byte[length]));
    }

    @Test
    void beforeAnyAckTheWindowIsTheSyns() {
        connect(true);
        ConnectionImage image = replay.image(T);
        assertEquals(4000, image.clientWindow());
        assertEquals(CLIENT_ISN, image.clientWindowSeq());
        assertEquals(SERVER_ISN + 1, image.clientWindowAck());
        assertEquals(500, image.clientTsVal());
        assertEquals(0, image.clientTsEcr());
        assertEquals(-1, image.primaryFinOffset());
    }

    @Test
    void theWindowComesFromTheNewestSegmentOnly() {
        connect(true);
        segment(10, 5, ACK, 300, 0, 0, 0);
        segment(0, 7, ACK, 100, 0, 0, 10);  // older sequence number: stale window, though a newer ACK
        assertEquals(300, replay.image(T).clientWindow());
        assertEquals(7, replay.image(T).clientAckedOffset(), "the acknowledgement still moves forward");
        segment(10, 4, ACK, 200, 0, 0, 0);  // same sequence number, older ACK: stale
        assertEquals(300, replay.image(T).clientWindow());
        segment(10, 7, ACK, 250, 0, 0, 0);  // same sequence number, newer ACK: taken
        ConnectionImage image = replay.image(T);
        assertEquals(250, image.clientWindow());
        assertEquals(CLIENT_ISN + 1 + 10, image.clientWindowSeq());
        assertEquals(SERVER_ISN + 1 + 7, image.clientWindowAck());
        segment(10, 8, 0, 999, 0, 0, 0);    // no ACK flag: no window
        assertEquals(250, replay.image(T).clientWindow());
    }

    @Test
    void timestampsOnlyMoveForwardAcrossWrapAround() {
        connect(true);
        segment(0, 0, ACK, 100, 600, 1100, 0);
        segment(0, 0, ACK, 100, 550, 1050, 0); // reordered: older
        segment(0, 0, ACK, 100, 0, 0, 0);      // none
        assertEquals(600, replay.image(T).clientTsVal());
        assertEquals(1100, replay.image(T).clientTsEcr());
        segment(0, 0, ACK, 100, Integer.MAX_VALUE - 10, Integer.MAX_VALUE - 10, 0);
        segment(0, 0, ACK, 100, Integer.MIN_VALUE + 5, Integer.MIN_VALUE + 6, 0); // newer, past the wrap
        segment(0, 0, ACK, 100, Integer.MAX_VALUE - 20, Integer.MAX_VALUE - 20, 0); // older
        assertEquals(Integer.MIN_VALUE + 5, replay.image(T).clientTsVal());
        assertEquals(Integer.MIN_VALUE + 6, replay.image(T).clientTsEcr());
    }

    @Test
    void timestampsAreIgnoredWhenNotNegotiated() {
        connect(false);
        segment(0, 0, ACK, 100, 77, 88, 0);
        assertEquals(500, replay.image(T).clientTsVal());
        assertEquals(0, replay.image(T).clientTsEcr());
    }

    @Test
    void aSegmentFromBeforeTheSynIsGarbage() {
        connect(true);
        segment(-1000, 50, ACK, 1, 0, 0, 20);
        ConnectionImage image = replay.image(T);
        assertEquals(0, image.clientStreamEnd());
        assertEquals(0, image.clientAckedOffset());
        assertEquals(4000, image.clientWindow());
        segment(-1000, 0, RST, 0, 0, 0, 0);
        assertEquals(true, replay.image(T).clientReset(), "a reset is kept whatever its sequence number");
    }

    @Test
    void thePrimarysFinFollowsItsLastLoggedWrite() {
        connect(true);
        replay.apply(new Write(T, 0, 8, 0));
        replay.apply(new Close(T, Close.How.SHUTDOWN_INPUT));
        assertEquals(-1, replay.image(T).primaryFinOffset(), "shutting down input sends no FIN");
        replay.apply(new Write(T, 8, 0, 0));
        replay.apply(new Write(T, 8, -2, 0)); // a failed write
        replay.apply(new Close(T, Close.How.SHUTDOWN_OUTPUT));
        assertEquals(8, replay.image(T).primaryFinOffset());
        replay.apply(new Write(T, 8, 4, 0)); // a write blocked in another thread at the close: the FIN follows it
        replay.apply(new Close(T, Close.How.CLOSE));
        assertEquals(12, replay.image(T).primaryFinOffset());
        replay.apply(new Close(new FourTuple(0x0A000001, 80, 0, 0), Close.How.CLOSE)); // a listener: no connection
        assertEquals(0, replay.recordsIgnored());
    }

    @Test
    void theAcknowledgementIsTheHighestInModularOrder() {
        SplittableRandom random = new SplittableRandom(7);
        connect(true);
        long highest = 0;
        for (int i = 0; i < 200; i++) {
            int ack = random.nextInt(5000);
            segment(0, ack, ACK, 100, 0, 0, 0);
            highest = Math.max(highest, ack);
            assertEquals(highest, replay.image(T).clientAckedOffset(), "seed 7, step " + i);
        }
    }
}
