package io.fttcp.wrappers.nsw;

import io.fttcp.api.ConnectionResetException;
import io.fttcp.api.ListeningSocket;
import io.fttcp.api.StreamSocket;
import io.fttcp.replication.record.Accept;
import io.fttcp.replication.record.Connect;
import io.fttcp.replication.record.Read;
import io.fttcp.replication.record.Segment;
import io.fttcp.replication.record.Write;
import io.fttcp.stack.tcp.FourTuple;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Single calls on the backup's wrapper against hand-made records. */
class ReplayCallsTest {

    private static final FourTuple LISTENER = new FourTuple(0x0A000001, 80, 0, 0);
    private static final FourTuple T = new FourTuple(0x0A000001, 80, 0x0A000002, 4000);

    private final Map<FourTuple, String> diverged = new ConcurrentHashMap<>();
    private final ReplayNetwork replay = new ReplayNetwork(diverged::put);
    private final ListeningSocket listener;

    ReplayCallsTest() throws IOException {
        listener = replay.listen(new InetSocketAddress(InetAddress.getByAddress(new byte[] {10, 0, 0, 1}), 80), 8);
    }

    private StreamSocket accepted() throws IOException {
        replay.apply(new Connect(T, 77, 99, 1460, 1460, -1, -1, false, false, 0, 0, 65535));
        replay.apply(new Accept(LISTENER, T));
        return listener.accept();
    }

    private void clientSends(long offset, String text) {
        replay.apply(new Segment(T, 78 + (int) offset, 100, 0x10, 65535, 0, 0, text.getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void readsReplayCountsEndOfStreamAndFailures() throws Exception {
        StreamSocket s = accepted();
        clientSends(0, "0123456789");
        for (int count : new int[] {3, 0, 7, -1, -2, -3, -4}) {
            replay.apply(new Read(T, count));
        }
        ByteBuffer b = ByteBuffer.allocate(100);
        assertEquals(3, s.read(b), "exactly the logged count, though 10 bytes are there");
        assertEquals(0, s.read(b));
        assertEquals(7, s.read(b));
        assertEquals("0123456789", new String(b.array(), 0, b.position(), StandardCharsets.US_ASCII));
        assertEquals(-1, s.read(b));
        assertThrows(SocketTimeoutException.class, () -> s.read(b));
        assertThrows(ConnectionResetException.class, () -> s.read(b));
        assertThrows(IOException.class, () -> s.read(b));
    }

    @Test
    void lagBytesCountWhatThePrimaryReadAndThisApplicationHasNotYet() throws Exception {
        StreamSocket s = accepted();
        clientSends(0, "0123456789abc");
        assertEquals(0, replay.lagBytes(), "bytes the primary's application has not read are no lag");
        replay.apply(new Read(T, 4));
        replay.apply(new Read(T, 0));
        replay.apply(new Read(T, 6));
        replay.apply(new Read(T, -1));
        assertEquals(10, replay.lagBytes());
        assertEquals(4, s.read(ByteBuffer.allocate(100)));
        assertEquals(6, replay.lagBytes());
        assertEquals(0, s.read(ByteBuffer.allocate(100)));
        assertThrows(IOException.class, () -> s.read(ByteBuffer.allocate(2)), "6 bytes logged, room for 2: out of step");
        assertEquals(0, replay.lagBytes(), "a read that failed is no longer owed");
    }

    /** The owner learns when a replayed read brings the lag down to its bound (reaching it counts), once per crossing, not on every read. */
    @Test
    void theOwnerHearsWhenTheLagFallsToItsBound() throws Exception {
        java.util.concurrent.atomic.AtomicInteger heard = new java.util.concurrent.atomic.AtomicInteger();
        replay.whenLagFallsTo(4, heard::incrementAndGet);
        StreamSocket s = accepted();
        clientSends(0, "0123456789abcdef");
        replay.apply(new Read(T, 4));
        replay.apply(new Read(T, 4));
        replay.apply(new Read(T, 4));
        assertEquals(12, replay.lagBytes());
        assertEquals(4, s.read(ByteBuffer.allocate(100)));
        assertEquals(0, heard.get(), "8 still over the bound of 4");
        assertEquals(4, s.read(ByteBuffer.allocate(100)));
        assertEquals(1, heard.get(), "from 8 to 4: down to the bound");
        assertEquals(4, s.read(ByteBuffer.allocate(100)));
        assertEquals(1, heard.get(), "from 4 to 0: not over it before");
        replay.apply(new Read(T, 4));
        assertEquals(4, s.read(ByteBuffer.allocate(100)));
        assertEquals(1, heard.get(), "4 never went over the bound");
        clientSends(16, "0123456789abcdef");
        replay.apply(new Read(T, 9));
        replay.apply(new Read(T, 7));
        assertEquals(9, s.read(ByteBuffer.allocate(100)));
        assertEquals(1, heard.get(), "from 16 to 7: still over");
        assertEquals(7, s.read(ByteBuffer.allocate(100)));
        assertEquals(2, heard.get(), "from 7 to 0: a second crossing");
    }

    @Test
    void aLoggedReadWaitsForItsBytes() throws Exception {
        StreamSocket s = accepted();
        replay.apply(new Read(T, 5));
        CompletableFuture<Integer> read = CompletableFuture.supplyAsync(() -> {
            try {
                return s.read(ByteBuffer.allocate(10));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, Thread::startVirtualThread);
        clientSends(3, "de");
        clientSends(0, "abc");
        assertEquals(5, read.get(5, TimeUnit.SECONDS));
    }

    @Test
    void partialWritesRepeatWithTheRestOfTheBuffer() throws Exception {
        StreamSocket s = accepted();
        replay.apply(new Write(T, 0, 3, OutputHash.of("abc".getBytes())));
        replay.apply(new Write(T, 3, 0, 0));
        replay.apply(new Write(T, 3, 7, OutputHash.of("defghij".getBytes())));
        ByteBuffer src = ByteBuffer.wrap("abcdefghij".getBytes());
        assertEquals(3, s.write(src));
        assertEquals(3, src.position());
        assertEquals(0, s.write(src));
        assertEquals(7, s.write(src));
        assertFalse(src.hasRemaining());
        assertEquals("abcdefghij", new String(replay.image(T).bufferedOutput(), StandardCharsets.US_ASCII));
        assertTrue(diverged.isEmpty(), diverged.toString());
    }

    @Test
    void aWriteThatDoesNotMatchItsRecordIsOutOfStep() throws Exception {
        StreamSocket s = accepted();
        replay.apply(new Write(T, 0, 8, 0));
        IOException e = assertThrows(IOException.class, () -> s.write(ByteBuffer.wrap("abc".getBytes())));
        assertTrue(e.getMessage().contains("out of step"), e.getMessage());
        assertTrue(diverged.containsKey(T));
        assertTrue(replay.image(T).diverged());
    }

    @Test
    void differentBytesDivergeOnceAndLaterWritesFail() throws Exception {
        StreamSocket s = accepted();
        replay.apply(new Write(T, 0, 3, OutputHash.of("abc".getBytes())));
        replay.apply(new Write(T, 3, 3, OutputHash.of("def".getBytes())));
        assertEquals(3, s.write(ByteBuffer.wrap("abd".getBytes())));
        assertTrue(diverged.get(T).contains("differ"), diverged.toString());
        assertThrows(IOException.class, () -> s.write(ByteBuffer.wrap("def".getBytes())));
        assertEquals(1, diverged.size());
    }

    @Test
    void unhashedWritesAreNotChecked() throws Exception {
        StreamSocket s = accepted();
        replay.apply(new Write(T, 0, 3, 0));
        assertEquals(3, s.write(ByteBuffer.wrap("xyz".getBytes())));
        assertTrue(diverged.isEmpty());
    }

    @Test
    void nonBlockingAcceptThatFoundNothingReplaysAsNull() throws Exception {
        listener.configureBlocking(false);
        replay.apply(new Accept(LISTENER, SocketNames.NO_CONNECTION));
        assertNull(listener.accept());
    }

    @Test
    void closingWakesABlockedCall() throws Exception {
        StreamSocket s = accepted();
        CompletableFuture<Object> read = CompletableFuture.supplyAsync(() -> {
            try {
                return s.read(ByteBuffer.allocate(10));
            } catch (IOException e) {
                return e;
            }
        }, Thread::startVirtualThread);
        Thread.sleep(50);
        assertFalse(read.isDone());
        s.close();
        assertTrue(read.get(5, TimeUnit.SECONDS) instanceof java.nio.channels.ClosedChannelException, String.valueOf(read.get()));
        CompletableFuture<Object> accept = CompletableFuture.supplyAsync(() -> {
            try {
                return listener.accept();
            } catch (IOException e) {
                return e;
            }
        }, Thread::startVirtualThread);
        Thread.sleep(50);
        listener.close();
        assertTrue(accept.get(5, TimeUnit.SECONDS) instanceof java.nio.channels.ClosedChannelException);
    }

    @Test
    void outputIsKeptOnlyAboveTheClientsAck() throws Exception {
        StreamSocket s = accepted();
        byte[] out = new byte[100_000];
        new java.util.SplittableRandom(5).nextBytes(out);
        replay.apply(new Write(T, 0, out.length, OutputHash.of(out)));
        assertEquals(out.length, s.write(ByteBuffer.wrap(out)));
        replay.apply(new Segment(T, 78, 100 + 60_000, 0x10, 65535, 0, 0, new byte[0])); // acknowledges 60000 bytes
        ConnectionImage image = replay.image(T);
        assertEquals(60_000, image.bufferedOutputStart());
        assertEquals(40_000, image.bufferedOutput().length);
        assertEquals(java.util.Arrays.toString(java.util.Arrays.copyOfRange(out, 60_000, 100_000)), java.util.Arrays.toString(image.bufferedOutput()));
    }
}
