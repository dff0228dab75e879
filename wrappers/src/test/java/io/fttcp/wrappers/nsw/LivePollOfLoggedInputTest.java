package io.fttcp.wrappers.nsw;

import io.fttcp.api.ListeningSocket;
import io.fttcp.api.PollKey;
import io.fttcp.api.Poller;
import io.fttcp.api.StreamSocket;
import io.fttcp.replication.record.Accept;
import io.fttcp.replication.record.Connect;
import io.fttcp.replication.record.Ready;
import io.fttcp.replication.record.Segment;
import io.fttcp.stack.tcp.FourTuple;
import io.fttcp.wrappers.ssw.ProtectedService;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A poller-loop application at takeover whose connection holds client bytes the primary logged
 * (SEGMENT records, acknowledged to the client) but its application never read (no READY or
 * READ for them yet): the restored live socket's receive queue is empty by contract
 * ({@link LiveBinding#restore}: the wrapper hands those bytes out itself), so a poll that asks
 * only the live poller never finds the connection readable; the application never reads the
 * request and never answers, and the client, whose bytes were acknowledged, sends nothing more:
 * the connection hangs for good (seen end to end: a key-value session after a takeover, the new
 * primary holding the client's 1038 bytes). The replay poller must report such a socket
 * readable (and one whose logged input ended: end of stream) without waiting for the live side.
 */
class LivePollOfLoggedInputTest {
    private static final int SERVER = 0x0A000064, CLIENT = 0x0A00000A, PORT = 5001;
    private static final FourTuple T = new FourTuple(SERVER, PORT, CLIENT, 40000);
    private static final FourTuple LISTENER = new FourTuple(SERVER, PORT, 0, 0);
    private static final int CLIENT_ISN = 1_000_000, SERVER_ISN = 5_000_000, ACK = 0x10, FIN = 0x01;

    private static InetSocketAddress service() throws IOException {
        return new InetSocketAddress(InetAddress.getByAddress(new byte[] {10, 0, 0, 100}), PORT);
    }

    /** The application's poller after takeover, with the request's bytes (and maybe the client's FIN) logged but not read. */
    private static Poller takeOverWithUnreadInput(ReplayNetwork replay, byte[] request, boolean fin, StreamSocket[] accepted) throws IOException {
        ListeningSocket listener = replay.listen(service(), 8);
        listener.configureBlocking(false);
        Poller poller = replay.openPoller();
        poller.register(listener, Poller.OP_ACCEPT, "L");
        replay.apply(new Connect(T, CLIENT_ISN, SERVER_ISN, 1460, 1460, 7, 7, true, true, 1000, 77, 65535));
        replay.apply(new Ready(0, List.of(new Ready.Entry(LISTENER, Poller.OP_ACCEPT))));
        replay.apply(new Accept(LISTENER, T));
        replay.apply(new Segment(T, CLIENT_ISN + 1, SERVER_ISN + 1, ACK | (fin ? FIN : 0), 65535, 2000, 1000, request));

        assertEquals(1, poller.poll(Duration.ofSeconds(1)), "the replayed poll: the listener");
        StreamSocket s = listener.accept();
        s.configureBlocking(false);
        poller.register(s, Poller.OP_READ, "T");
        accepted[0] = s;

        FakeLive.Net net = new FakeLive.Net();
        replay.goLive(new LiveBinding() {
            @Override
            public io.fttcp.api.Network network() {
                return net;
            }

            @Override
            public StreamSocket restore(ConnectionImage image) {
                return new FakeLive.Socket(); // an empty receive queue, as the contract says
            }

            @Override
            public void reset(StreamSocket live) {
                throw new AssertionError("nothing diverges here");
            }
        });
        return poller;
    }

    @Test
    void loggedUnreadClientBytesMakeTheSocketReadableAfterTakeover() throws IOException {
        byte[] request = "GET k1\nGET k2\n".getBytes(StandardCharsets.US_ASCII);
        StreamSocket[] s = new StreamSocket[1];
        Poller poller = takeOverWithUnreadInput(new ReplayNetwork((t, why) -> { }), request, false, s);
        int n = poller.poll(Duration.ofMillis(200));
        assertEquals(1, n, "the connection holds " + request.length + " logged bytes the application never read, yet the poll finds nothing ready");
        PollKey key = poller.readyKeys().iterator().next();
        assertEquals("T", key.attachment());
        assertTrue((key.readyOps() & Poller.OP_READ) != 0);
        ByteBuffer in = ByteBuffer.allocate(64);
        assertEquals(request.length, s[0].read(in));
    }

    @Test
    void aLoggedEndOfStreamMakesTheSocketReadableAfterTakeover() throws IOException {
        StreamSocket[] s = new StreamSocket[1];
        Poller poller = takeOverWithUnreadInput(new ReplayNetwork((t, why) -> { }), new byte[0], true, s);
        assertEquals(1, poller.poll(Duration.ofMillis(200)), "the client's logged FIN, never read, is not reported");
        assertEquals(-1, s[0].read(ByteBuffer.allocate(8)));
    }
}
