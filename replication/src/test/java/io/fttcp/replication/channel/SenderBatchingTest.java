package io.fttcp.replication.channel;

import io.fttcp.replication.codec.FrameEncoder;
import io.fttcp.replication.codec.Handshake;
import io.fttcp.replication.codec.Role;
import io.fttcp.replication.record.Close;
import io.fttcp.replication.record.Write;
import io.fttcp.replication.stream.RecordStream;
import io.fttcp.stack.tcp.FourTuple;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static io.fttcp.replication.channel.ChannelTesting.acceptingPrimary;
import static org.junit.jupiter.api.Assertions.*;

/**
 * The primary's sender batches as Nagle's algorithm does (see {@link PrimaryChannel#append}):
 * records appended while frames are in flight wait for their acknowledgement and then go
 * together, except a CONNECT and a CLOSE, which go at once; a record nothing waits for
 * ({@link PrimaryChannel#appendUnawaited}) waits even with nothing in flight, for an awaited one
 * or a full batch. The backup here is a hand-driven socket
 * that acknowledges when the test says. The channel's ticker also wakes the sender: it ticks once
 * as the handshake completes, and then not for a minute (the heartbeat interval), so that no
 * tick sends the waiting records early however slowly a loaded machine runs the test.
 */
class SenderBatchingTest {
    private static final ChannelConfig CONFIG = ChannelConfig.defaults("test-cluster").withWarmup(Duration.ZERO)
            .withTimings(Duration.ofSeconds(60), Duration.ofSeconds(300), Duration.ofSeconds(150), Duration.ofSeconds(75));
    private static final FourTuple CONNECTION = new FourTuple(0xc6120064, 80, 0xc6120002, 40000);
    /** Long enough that a record sent at once would have arrived, on a loaded machine too. */
    private static final int QUIET_MS = 400;
    /** A record that must arrive arrives within this (nothing but an immediate wake could send it before a minute). */
    private static final int ARRIVAL_MS = 10_000;

    private ServerSocketChannel server;
    private PrimaryChannel primary;

    @BeforeEach
    void listen() throws Exception {
        server = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    }

    @AfterEach
    void close() throws Exception {
        if (primary != null) primary.close();
        server.close();
    }

    @Test
    void recordsAppendedWhileABatchIsInFlightWaitForItsAcknowledgementExceptACloseAndUnawaitedOnesWaitForAnAwaitedOne() throws Exception {
        RecordStream stream = CONFIG.newRecordStream();
        Recorder events = new Recorder();
        CompletableFuture<PrimaryChannel> accepting = acceptingPrimary(server, CONFIG, 1, stream, events);
        int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
        Socket backupSocket = new Socket(InetAddress.getLoopbackAddress(), port);
        String senderName = "primary-replication-" + backupSocket.getLocalSocketAddress() + "-sender";
        try (RawPeer backup = new RawPeer(backupSocket)) {
            backup.send(RawPeer.handshake(new Handshake(ReplicationChannel.PROTOCOL_VERSION, Role.BACKUP, "test-cluster", 1, 0)));
            primary = accepting.get(5, TimeUnit.SECONDS);
            events.connected.get(2, TimeUnit.SECONDS);

            int bulk = 64 * 1024;
            primary.append(write(0, bulk)); // nothing in flight: goes at once
            assertTrue(backup.awaitRecords(1, ARRIVAL_MS), "the first record never arrived");
            Thread.sleep(200); // the ticker's tick at the handshake has surely run: the next is a minute away

            primary.append(write(bulk, bulk));
            primary.append(write(2L * bulk, bulk));
            assertFalse(backup.awaitRecords(2, QUIET_MS), "records went out while the first was in flight: " + backup.received.lsns);

            ack(backup, 1);
            assertTrue(backup.awaitRecords(3, ARRIVAL_MS), "the acknowledgement did not send the waiting records: " + backup.received.lsns);
            assertEquals(List.of(1L, 2L, 3L), backup.received.lsns);

            primary.append(new Close(CONNECTION, Close.How.SHUTDOWN_OUTPUT)); // 2 and 3 are in flight, but the FIN waits for a CLOSE
            assertTrue(backup.awaitRecords(4, ARRIVAL_MS), "a CLOSE waited for the frames in flight");
            assertEquals(4L, backup.received.lsns.getLast());

            ack(backup, 4);
            awaitStable(4); // so that nothing is in flight when the unawaited record comes
            awaitSenderParked(senderName); // a sender still in its loop would take it along (as it should)
            primary.appendUnawaited(write(3L * bulk, bulk)); // nothing in flight, but nothing waits for it either
            assertFalse(backup.awaitRecords(5, QUIET_MS), "an unawaited record went out alone: " + backup.received.lsns);
            primary.append(write(4L * bulk, bulk));
            assertTrue(backup.awaitRecords(6, ARRIVAL_MS), "an awaited record did not take the unawaited one along: " + backup.received.lsns);
            assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L), backup.received.lsns);

            awaitSenderParked(senderName);
            primary.appendUnawaited(write(5L * bulk, bulk)); // 5 and 6 in flight
            ack(backup, 6);
            assertFalse(backup.awaitRecords(7, QUIET_MS), "an acknowledgement sent an unawaited record alone: " + backup.received.lsns);
            long offset = 6L * bulk;
            int appended = 1;
            while (appended * 16 < 4 * CONFIG.maxBatchBytes()) { // unawaited records that fill a batch go without a tick (a frame is over 16 bytes)
                primary.appendUnawaited(write(offset, bulk));
                offset += bulk;
                appended++;
            }
            assertTrue(backup.awaitRecords(7, ARRIVAL_MS), "unawaited records filling a batch were not sent");
        }
    }

    /**
     * Waits until the sender thread is parked for want of work: woken for anything, it writes
     * everything unsent, so only then can a test tell whether a record alone wakes it.
     */
    private static void awaitSenderParked(String name) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ARRIVAL_MS);
        while (true) {
            Thread sender = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().equals(name)).findFirst().orElse(null);
            if (sender != null && sender.getState() == Thread.State.WAITING && LockSupport.getBlocker(sender) instanceof StreamSender) {
                return;
            }
            assertTrue(System.nanoTime() < deadline, "the sender never parked");
            Thread.sleep(5);
        }
    }

    private void awaitStable(long lsn) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ARRIVAL_MS);
        while (primary.stableLsn() < lsn) {
            assertTrue(System.nanoTime() < deadline, "acknowledgement of " + lsn + " not taken");
            Thread.sleep(5);
        }
    }

    private static Write write(long offset, int count) {
        return new Write(CONNECTION, offset, count, 0);
    }

    private static void ack(RawPeer backup, long lsn) throws Exception {
        ByteBuffer ack = ByteBuffer.allocate(64);
        new FrameEncoder().encodeAck(lsn, 0, ack);
        backup.send(ack.flip());
    }
}
