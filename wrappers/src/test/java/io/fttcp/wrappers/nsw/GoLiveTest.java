package io.fttcp.wrappers.nsw;

import io.fttcp.api.ConnectionResetException;
import io.fttcp.api.ListeningSocket;
import io.fttcp.api.StreamSocket;
import io.fttcp.replication.record.Accept;
import io.fttcp.replication.record.Clock;
import io.fttcp.replication.record.Close;
import io.fttcp.replication.record.Connect;
import io.fttcp.replication.record.Read;
import io.fttcp.replication.record.Record;
import io.fttcp.replication.record.Segment;
import io.fttcp.replication.record.Write;
import io.fttcp.stack.tcp.FourTuple;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Takeover on the backup's wrapper, with fake live sockets: the test thread plays the application. */
class GoLiveTest {

    private static final int SERVER = 0x0A000001;
    private static final int CLIENT = 0x0A000002;
    private static final FourTuple LISTENER = new FourTuple(SERVER, 80, 0, 0);
    private static final FourTuple T = new FourTuple(SERVER, 80, CLIENT, 5000);
    private static final FourTuple U = new FourTuple(SERVER, 80, CLIENT, 5001);
    private static final int CLIENT_ISN = 0xFFFFFFF0; // the client's sequence numbers wrap inside the stream
    private static final int SERVER_ISN = 0x7FFFFFF8;
    private static final int ACK = 0x10;

    /** Restores each connection as a fresh fake socket (or not at all) and remembers what it was asked. */
    static final class Binding implements LiveBinding {
        final List<StreamSocket> reset = new ArrayList<>();

        @Override
        public void reset(StreamSocket live) {
            reset.add(live);
        }

        final FakeLive.Net network = new FakeLive.Net();
        final Map<FourTuple, ConnectionImage> restored = new ConcurrentHashMap<>();
        final Map<FourTuple, FakeLive.Socket> sockets = new ConcurrentHashMap<>();
        final List<ConnectionImage> unaccepted = new ArrayList<>();

        @Override
        public FakeLive.Net network() {
            return network;
        }

        final List<ConnectionImage> refusedDiverged = new ArrayList<>();

        @Override
        public StreamSocket restore(ConnectionImage image) {
            if (image.diverged()) { // as the contract says: reset it, return null
                refusedDiverged.add(image);
                return null;
            }
            restored.put(image.tuple(), image);
            FakeLive.Socket s = new FakeLive.Socket();
            sockets.put(image.tuple(), s);
            return s;
        }

        @Override
        public boolean restoreUnaccepted(ConnectionImage image, ListeningSocket listener) {
            if (image.diverged()) { // as restore: reset it, restore nothing
                refusedDiverged.add(image);
                return false;
            }
            unaccepted.add(image);
            FakeLive.Socket s = new FakeLive.Socket();
            sockets.put(image.tuple(), s);
            ((FakeLive.Listener) listener).backlog.add(s);
            return true;
        }
    }

    private final Map<FourTuple, String> diverged = new ConcurrentHashMap<>();
    private final ReplayNetwork replay = new ReplayNetwork(diverged::put);

    private static Connect connect(FourTuple t) {
        return new Connect(t, CLIENT_ISN, SERVER_ISN, 1460, 1460, 7, 7, true, true, 100, 200, 65535);
    }

    /** A client segment carrying {@code text} at client stream offset {@code offset}, acknowledging {@code acked} of our bytes. */
    private static Segment data(FourTuple t, long offset, String text, long acked) {
        return new Segment(t, CLIENT_ISN + 1 + (int) offset, SERVER_ISN + 1 + (int) acked, ACK, 65535, 7, 8, bytes(text));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static Write write(FourTuple t, long offset, String text) {
        return new Write(t, offset, text.length(), OutputHash.of(bytes(text)));
    }

    /** A replayed listener, and T connected, its client's "q" logged, accepted by the primary's application. */
    private ListeningSocket listenWithTAccepted() throws IOException {
        ListeningSocket listener = replay.listen(serverAddress(), 10);
        replay.apply(connect(T));
        replay.apply(data(T, 0, "q", 0));
        replay.apply(new Accept(LISTENER, T));
        return listener;
    }

    private static InetSocketAddress serverAddress() throws IOException {
        return new InetSocketAddress(InetAddress.getByAddress(new byte[] {10, 0, 0, 1}), 80);
    }

    private static String read(StreamSocket s, int room) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(room);
        int n = s.read(b);
        return n < 0 ? "<EOF>" : new String(b.array(), 0, n, StandardCharsets.US_ASCII);
    }

    private static int write(StreamSocket s, String text) throws IOException {
        return s.write(ByteBuffer.wrap(bytes(text)));
    }

    @Test
    void pendingRecordsAreConsumedFirstThenLoggedBytesThenTheLiveSocket() throws Exception {
        ListeningSocket listener = replay.listen(serverAddress(), 10);
        replay.apply(connect(T));
        replay.apply(data(T, 0, "abcdefghij", 0));
        replay.apply(new Accept(LISTENER, T));
        replay.apply(new Read(T, 4));
        replay.apply(write(T, 0, "xyz"));
        replay.apply(data(T, 10, "KLMNO", 2)); // the client already has 2 of our bytes
        Binding binding = new Binding();
        replay.goLive(binding);

        ConnectionImage image = binding.restored.get(T);
        assertEquals(15, image.clientStreamEnd());
        assertEquals(0, image.appReadOffset());
        assertArrayEquals(bytes("abcdefghijKLMNO"), image.unreadClientBytes());
        assertEquals(2, image.clientAckedOffset());
        assertEquals(0, image.appOutputOffset());
        assertEquals(0, image.bufferedOutput().length);
        assertEquals(CLIENT_ISN + 1 + 15, image.rcvNxt());
        assertEquals(SERVER_ISN + 1 + 2, image.sndUna());

        assertEquals(3, replay.pendingDeterminants());
        StreamSocket s = listener.accept(); // the pending ACCEPT
        assertEquals("abcd", read(s, 100), "the pending READ gives exactly its logged count");
        assertEquals(3, write(s, "xyz"), "the pending WRITE");
        assertEquals(0, replay.pendingDeterminants());
        assertEquals("efghijKLMNO", read(s, 100), "then the logged bytes the application had not read");
        FakeLive.Socket live = binding.sockets.get(T);
        live.push(bytes("PQ"));
        assertEquals("PQ", read(s, 100), "then the live socket");
        assertEquals(3, write(s, "123"));
        assertEquals("z123", new String(live.written(), StandardCharsets.US_ASCII),
                "bytes the client acknowledged are not sent again; the rest go out in order");
        s.close();
        assertTrue(live.closed);
    }

    /**
     * A poller-loop application that had not read the client's logged bytes at takeover: they are
     * not in the live socket (the replayed socket hands them out), so the live poller alone would
     * never call the socket readable and the application would wait for good (seen end to end).
     */
    @Test
    void aPolledSocketHoldingLoggedBytesIsReadableAfterTakeover() throws Exception {
        ListeningSocket listener = replay.listen(serverAddress(), 10);
        replay.apply(connect(T));
        replay.apply(new Accept(LISTENER, T));
        replay.apply(data(T, 0, "GET k\n", 0));
        StreamSocket s = listener.accept();
        s.configureBlocking(false);
        io.fttcp.api.Poller poller = replay.openPoller();
        io.fttcp.api.PollKey key = poller.register(s, io.fttcp.api.Poller.OP_READ, "conn");
        Binding binding = new Binding();
        replay.goLive(binding);

        assertEquals(1, poller.poll(java.time.Duration.ofMillis(200)), "the logged bytes make it readable at once");
        assertTrue(poller.readyKeys().contains(key));
        assertEquals(io.fttcp.api.Poller.OP_READ, key.readyOps() & io.fttcp.api.Poller.OP_READ);
        assertEquals("GET k\n", read(s, 100));
        poller.readyKeys().clear();
        assertEquals(0, poller.poll(java.time.Duration.ofMillis(20)), "once read, the live socket decides: nothing there");
        binding.sockets.get(T).push(bytes("GET j\n"));
        assertEquals(1, poller.poll(java.time.Duration.ofMillis(200)), "then the live socket's bytes");
        assertEquals("GET j\n", read(s, 100));
    }

    @Test
    void anApplicationBehindTheClientHasItsBytesDiscardedUntilItCatchesUp() throws Exception {
        ListeningSocket listener = replay.listen(serverAddress(), 10);
        replay.apply(connect(T));
        replay.apply(new Accept(LISTENER, T));
        // The client acknowledged 10 bytes whose WRITE records never reached the backup.
        replay.apply(data(T, 0, "", 10));
        Binding binding = new Binding();
        replay.goLive(binding);
        StreamSocket s = listener.accept();
        FakeLive.Socket live = binding.sockets.get(T);
        assertEquals(6, write(s, "012345"));
        assertEquals(0, live.written().length, "still behind the client");
        assertEquals(7, write(s, "6789ABC"));
        assertEquals("ABC", new String(live.written(), StandardCharsets.US_ASCII));
        assertEquals(2, write(s, "DE"));
        assertEquals("ABCDE", new String(live.written(), StandardCharsets.US_ASCII));
    }

    @Test
    void callsBlockedAtTakeoverWakeAndContinue() throws Exception {
        ListeningSocket listener = replay.listen(serverAddress(), 10);
        replay.apply(connect(T));
        replay.apply(data(T, 0, "hi", 0));
        replay.apply(new Accept(LISTENER, T));
        replay.apply(new Clock(Clock.Source.MONOTONIC_NANOS, 5_000_000_000_000L));
        StreamSocket s = listener.accept();
        var runtime = replay.runtime();
        assertEquals(5_000_000_000_000L, runtime.nanoTime());

        CompletableFuture<String> blockedRead = CompletableFuture.supplyAsync(() -> call(() -> read(s, 100) + "|" + read(s, 100)), Thread::startVirtualThread);
        CompletableFuture<Integer> blockedWrite = CompletableFuture.supplyAsync(() -> call(() -> write(s, "out")), Thread::startVirtualThread);
        CompletableFuture<StreamSocket> blockedAccept = CompletableFuture.supplyAsync(() -> call(listener::accept), Thread::startVirtualThread);
        CompletableFuture<Long> blockedClock = CompletableFuture.supplyAsync(runtime::nanoTime, Thread::startVirtualThread);
        Thread.sleep(100);
        assertFalse(blockedRead.isDone() || blockedWrite.isDone() || blockedAccept.isDone() || blockedClock.isDone(),
                "calls must wait for their records before takeover");

        Binding binding = new Binding();
        replay.goLive(binding);
        FakeLive.Socket live = binding.sockets.get(T);
        live.push(bytes("there"));
        assertEquals("hi|there", blockedRead.get(5, TimeUnit.SECONDS), "logged bytes first, then the live socket");
        assertEquals(3, blockedWrite.get(5, TimeUnit.SECONDS));
        assertEquals("out", new String(live.written(), StandardCharsets.US_ASCII));
        assertTrue(blockedClock.get(5, TimeUnit.SECONDS) >= 5_000_000_000_000L, "the clock continues from the logged value");

        FakeLive.Listener liveListener = binding.network.listeners.getFirst();
        assertEquals(serverAddress(), liveListener.local);
        FakeLive.Socket newcomer = new FakeLive.Socket();
        liveListener.backlog.add(newcomer);
        assertSame(newcomer, blockedAccept.get(5, TimeUnit.SECONDS), "a new connection after takeover comes from the live listener");
        listener.close();
        assertTrue(liveListener.closed);
    }

    @Test
    void imageHoldsTheOutputAboveTheClientsAckAndTheFin() throws Exception {
        ListeningSocket listener = replay.listen(serverAddress(), 10);
        replay.apply(connect(T));
        replay.apply(data(T, 0, "request\n", 0));
        replay.apply(new Accept(LISTENER, T));
        replay.apply(new Read(T, 8));
        replay.apply(write(T, 0, "response"));
        replay.apply(write(T, 8, "-two"));
        replay.apply(data(T, 8, "", 4));
        StreamSocket s = listener.accept();
        assertEquals("request\n", read(s, 100));
        assertEquals(8, write(s, "response"));
        assertEquals(4, write(s, "-two"));
        s.shutdownOutput();
        ConnectionImage before = replay.image(T);
        assertEquals("onse-two", new String(before.bufferedOutput(), StandardCharsets.US_ASCII));
        assertEquals(4, before.bufferedOutputStart());
        assertTrue(before.appShutOutput());

        Binding binding = new Binding();
        replay.goLive(binding);
        ConnectionImage image = binding.restored.get(T);
        assertEquals("onse-two", new String(image.bufferedOutput(), StandardCharsets.US_ASCII));
        assertEquals(SERVER_ISN + 1 + 4, image.bufferedOutputSeq());
        assertTrue(image.appShutOutput());
        assertThrows(ClosedChannelException.class, () -> write(s, "more"));
        binding.sockets.get(T).pushEnd();
        assertEquals("<EOF>", read(s, 100));
    }

    @Test
    void divergedConnectionsAreNotRestoredAndFailAfterTheirRecords() throws Exception {
        ListeningSocket listener = listenWithTAccepted();
        replay.apply(write(T, 0, "primary"));
        replay.apply(new Read(T, 1));
        StreamSocket s = listener.accept();
        assertEquals(7, write(s, "backup!"), "the diverging write itself completes");
        assertTrue(diverged.containsKey(T));
        Binding binding = new Binding();
        replay.goLive(binding);
        assertFalse(binding.restored.containsKey(T), "a diverged connection is not restored");
        assertEquals(1, binding.refusedDiverged.size(), "but it is offered to the binding, which resets its client");
        assertTrue(binding.refusedDiverged.getFirst().diverged());
        assertEquals("q", read(s, 10), "records already logged are still replayed");
        assertThrows(ConnectionResetException.class, () -> read(s, 10));
        IOException e = assertThrows(ConnectionResetException.class, () -> write(s, "x"), "after takeover a write fails as the client was reset");
        assertTrue(e.getMessage().contains("differ from the primary's"), e.getMessage());
    }

    /**
     * Records the application will never consume are not waited for: the writes of a diverged
     * connection (they fail) and everything of one whose socket it closed. Counted, they made
     * every takeover after a divergence wait out its drain limit (5 s, measured end to end).
     */
    @Test
    void aDivergedConnectionsLaterRecordsAreNotDeterminantsToDrain() throws Exception {
        ListeningSocket listener = listenWithTAccepted();
        replay.apply(new Read(T, 1));
        replay.apply(write(T, 0, "primary"));
        StreamSocket s = listener.accept();
        assertEquals(1, read(s, 10).length());
        assertEquals(7, write(s, "backup!"), "the diverging write itself completes");
        assertTrue(diverged.containsKey(T));
        replay.apply(write(T, 7, "more of the primary's output"));
        assertEquals(0, replay.pendingDeterminants(), "a diverged connection's writes fail: nothing waits for them");
        replay.apply(data(T, 1, "next", 0));
        replay.apply(new Read(T, 4));
        assertEquals(1, replay.pendingDeterminants(), "its reads are still replayed");
        assertEquals(4, replay.lagBytes());
        s.close(); // the application gives up the connection (as the HTTP server does when a write fails)
        assertEquals(0, replay.pendingDeterminants(), "nothing of a closed socket is consumed any more");
        assertEquals(0, replay.lagBytes(), "nor is it a lag that holds the primary back");
        replay.apply(data(T, 5, "again", 0));
        replay.apply(new Read(T, 5));
        replay.apply(write(T, 35, "and more"));
        assertEquals(0, replay.pendingDeterminants());
        assertEquals(0, replay.lagBytes());
    }

    /**
     * The takeover went live before the application consumed a WRITE record (its drain hit the
     * limit), and that write then turns out to differ from the primary's: its bytes must never
     * reach the client, which is reset instead (before, they were sent: wrong bytes).
     */
    @Test
    void aWriteFoundDivergedAfterTakeoverIsNeverSentAndItsClientIsReset() throws Exception {
        ListeningSocket listener = listenWithTAccepted();
        replay.apply(new Read(T, 1));
        replay.apply(write(T, 0, "primary"));
        StreamSocket s = listener.accept();
        assertEquals("q", read(s, 10));
        Binding binding = new Binding();
        replay.goLive(binding);
        assertTrue(binding.restored.containsKey(T), "not diverged yet at takeover: restored");
        FakeLive.Socket live = binding.sockets.get(T);
        assertThrows(ConnectionResetException.class, () -> write(s, "backup!"));
        assertEquals(0, live.written().length, "the diverged bytes reached the live socket: " + new String(live.written(), StandardCharsets.US_ASCII));
        assertEquals(List.of(live), binding.reset, "the client is reset");
        assertTrue(diverged.containsKey(T), "and the divergence reported");
    }

    /**
     * A socket the application closed while the primary's went on: a read left over is harmless
     * (dropped), a write left over is output this replica never produces: the connection is
     * diverged and its client reset rather than restored short of what it may hold.
     */
    @Test
    void aSocketClosedBeforeThePrimarysLastWriteIsDiverged() throws Exception {
        ListeningSocket listener = listenWithTAccepted();
        StreamSocket s = listener.accept();
        s.close();
        replay.apply(new Read(T, 1));
        assertEquals(0, replay.pendingDeterminants());
        assertTrue(diverged.isEmpty(), "a read left over is not a divergence: " + diverged);
        replay.apply(write(T, 0, "late"));
        assertEquals(0, replay.pendingDeterminants(), "nothing waits for a closed socket's records");
        Binding binding = new Binding();
        replay.goLive(binding);
        assertEquals(1, binding.refusedDiverged.size(), "restored short of the primary's output: " + binding.restored.keySet());
        assertTrue(binding.refusedDiverged.getFirst().divergence().contains("out of step"), binding.refusedDiverged.getFirst().divergence());
    }

    /** A binding that continues the log (a new primary protected itself), its records kept in {@code logged}. */
    private static LoggingLiveBinding loggingOver(Binding binding, List<Record> logged) {
        LoggingNetwork logging = new LoggingNetwork(binding.network(), (r, awaited) -> {
            logged.add(r);
            return logged.size();
        }, (c, start, end, lsn) -> { }, OutputHashing.HASH);
        return new LoggingLiveBinding(binding, logging);
    }

    /**
     * A new primary that continues the log (re-protection) logs each connection it could not
     * restore as given up (CLOSE RESET), so the records it keeps for its next backup or logger
     * let the connection go; the connections it restored are not.
     */
    @Test
    void aConnectionNotRestoredIsLoggedAsGivenUp() throws Exception {
        ListeningSocket listener = listenWithTAccepted();
        replay.apply(connect(U));
        replay.apply(new Accept(LISTENER, U));
        replay.apply(write(T, 0, "primary"));
        StreamSocket t = listener.accept();
        listener.accept();
        write(t, "backup!"); // T diverges
        List<Record> logged = new ArrayList<>();
        Binding binding = new Binding();
        replay.goLive(loggingOver(binding, logged));
        assertEquals(Set.of(U), binding.restored.keySet());
        assertEquals(List.of(new Close(T, Close.How.RESET)), logged);
    }

    /** So is one not yet accepted (it would have gone into the live listener's backlog). */
    @Test
    void aConnectionNotAcceptedAndNotRestoredIsLoggedAsGivenUpToo() throws Exception {
        listenWithTAccepted();
        replay.apply(connect(U)); // in the backlog: no ACCEPT
        replay.restoreNoneKnown("a catch-up broke off");
        List<Record> logged = new ArrayList<>();
        Binding binding = new Binding();
        replay.goLive(loggingOver(binding, logged));
        assertTrue(binding.restored.isEmpty() && binding.unaccepted.isEmpty(), binding.restored + " " + binding.unaccepted);
        assertEquals(Set.of(new Close(T, Close.How.RESET), new Close(U, Close.How.RESET)), Set.copyOf(logged));
    }

    /**
     * A connection an earlier takeover gave up (CLOSE RESET, logged by the replica that could not
     * restore it; its client was reset then) is replayed up to there, but never restored, nor
     * offered for a reset again: its socket fails as reset once its records are consumed.
     */
    @Test
    void aConnectionGivenUpByAnEarlierTakeoverIsNotRestoredNorResetAgain() throws Exception {
        ListeningSocket listener = listenWithTAccepted();
        replay.apply(new Read(T, 1));
        replay.apply(new Close(T, Close.How.RESET));
        StreamSocket t = listener.accept();
        Binding binding = new Binding();
        replay.goLive(binding);
        assertTrue(binding.restored.isEmpty(), "restored: " + binding.restored.keySet());
        assertTrue(binding.refusedDiverged.isEmpty(), "offered for a reset again: " + binding.refusedDiverged);
        assertEquals("q", read(t, 10), "records already logged are still replayed");
        assertThrows(ConnectionResetException.class, () -> read(t, 10));
    }

    /**
     * A recovery from a logger whose records are incomplete up to an LSN refuses the connections
     * known once those are applied; one named after them (served by a server recovered since) is
     * restored as usual.
     */
    @Test
    void onlyTheConnectionsKnownWhenTheIncompleteRecordsEndAreRefused() throws Exception {
        ListeningSocket listener = listenWithTAccepted();
        replay.restoreNoneKnownNow("incomplete");
        replay.apply(connect(U));
        replay.apply(new Accept(LISTENER, U));
        listener.accept();
        listener.accept();
        Binding binding = new Binding();
        replay.goLive(binding);
        assertEquals(Set.of(U), binding.restored.keySet());
        assertEquals(List.of(T), binding.refusedDiverged.stream().map(ConnectionImage::tuple).toList());
        assertEquals("incomplete", binding.refusedDiverged.getFirst().divergence());
    }

    @Test
    void noConnectionOfIncompleteRecordsIsRestored() throws Exception {
        ListeningSocket listener = listenWithTAccepted();
        replay.apply(new Read(T, 1));
        replay.restoreNoneKnown("a catch-up broke off");
        replay.apply(connect(U)); // still being applied when the loss was found: decided at takeover, it counts too
        replay.apply(new Accept(LISTENER, U));
        StreamSocket t = listener.accept();
        listener.accept();
        Binding binding = new Binding();
        replay.goLive(binding);
        assertTrue(binding.restored.isEmpty(), "a connection known from incomplete records is not restored: " + binding.restored.keySet());
        assertEquals(2, binding.refusedDiverged.size(), "but offered to the binding, which resets its client");
        assertEquals("a catch-up broke off", binding.refusedDiverged.getFirst().divergence());
        assertTrue(diverged.isEmpty(), "not reported as a divergence of the application: " + diverged);
        assertEquals("q", read(t, 10), "records already logged are still replayed");
        ConnectionResetException e = assertThrows(ConnectionResetException.class, () -> read(t, 10));
        assertTrue(e.getMessage().contains("a catch-up broke off"), e.getMessage());
        assertThrows(ConnectionResetException.class, () -> write(t, "x"), "a write fails as the client was reset");
    }

    @Test
    void connectionsNotYetAcceptedAreRestoredIntoTheLiveListener() throws Exception {
        ListeningSocket listener = replay.listen(serverAddress(), 10);
        replay.apply(connect(T));
        replay.apply(new Accept(LISTENER, T));
        replay.apply(connect(U));
        replay.apply(data(U, 0, "early", 0));
        Binding binding = new Binding();
        replay.goLive(binding);
        assertEquals(1, binding.unaccepted.size());
        ConnectionImage u = binding.unaccepted.getFirst();
        assertEquals(U, u.tuple());
        assertFalse(u.accepted());
        assertArrayEquals(bytes("early"), u.unreadClientBytes());
        assertTrue(binding.restored.containsKey(T));
        assertNull(binding.restored.get(U));
        StreamSocket first = listener.accept();
        assertEquals(5000, first.remoteAddress().getPort(), "the logged accept first");
        assertSame(binding.sockets.get(U), listener.accept(), "then the live listener's backlog");
    }

    @Test
    void aConnectionTheApplicationClosedIsClosedOnceRestored() throws Exception {
        ListeningSocket listener = replay.listen(serverAddress(), 10);
        replay.apply(connect(T));
        replay.apply(new Accept(LISTENER, T));
        replay.apply(write(T, 0, "bye"));
        StreamSocket s = listener.accept();
        assertEquals(3, write(s, "bye"));
        s.close();
        Binding binding = new Binding();
        replay.goLive(binding);
        ConnectionImage image = binding.restored.get(T);
        assertTrue(image.appClosed() && image.appShutOutput());
        assertEquals("bye", new String(image.bufferedOutput(), StandardCharsets.US_ASCII));
        assertTrue(binding.sockets.get(T).closed, "nobody else would ever close it");
    }

    @Test
    void recordsAfterTakeoverAreRefused() throws Exception {
        replay.goLive(new Binding());
        assertThrows(IllegalStateException.class, () -> replay.apply(connect(T)));
        assertThrows(IllegalStateException.class, () -> replay.goLive(new Binding()));
    }

    interface IoCall<T> {
        T call() throws IOException;
    }

    private static <T> T call(IoCall<T> c) {
        try {
            return c.call();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
