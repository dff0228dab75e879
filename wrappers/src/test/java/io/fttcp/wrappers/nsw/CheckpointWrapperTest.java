package io.fttcp.wrappers.nsw;

import io.fttcp.api.Checkpointable;
import io.fttcp.api.ListeningSocket;
import io.fttcp.api.StreamSocket;
import io.fttcp.replication.record.Checkpoint;
import io.fttcp.replication.record.Clock;
import io.fttcp.replication.record.Connect;
import io.fttcp.replication.record.Read;
import io.fttcp.replication.record.Record;
import io.fttcp.replication.record.Segment;
import io.fttcp.stack.tcp.FourTuple;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/** What the primary's wrapper puts in a CHECKPOINT, and how the replay wrapper starts from one or checks one. */
class CheckpointWrapperTest {
    private static final int ACK = 0x10;
    private static final InetSocketAddress SERVER = address(10, 0, 0, 1, 7000);
    private static final InetSocketAddress CLIENT = address(10, 0, 0, 2, 40000);
    private static final FourTuple T = new FourTuple(0x0a000001, 7000, 0x0a000002, 40000);
    private static final int CLIENT_ISN = 1000;
    private static final int SERVER_ISN = 5000;

    private static InetSocketAddress address(int a, int b, int c, int d, int port) {
        try {
            return new InetSocketAddress(InetAddress.getByAddress(new byte[]{(byte) a, (byte) b, (byte) c, (byte) d}), port);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static Checkpoint lastCheckpoint(PrimaryRecorder recorder) {
        List<Record> all = recorder.records();
        for (int i = all.size() - 1; i >= 0; i--) {
            if (all.get(i) instanceof Checkpoint c) return c;
        }
        return fail("no CHECKPOINT logged in " + all);
    }

    @Test
    void theCheckpointHoldsEachConnectionsOffsetsAndItsLatestOutput() throws Exception {
        PrimaryRecorder recorder = new PrimaryRecorder();
        FakeLive.Net net = new FakeLive.Net();
        LoggingNetwork logging = new LoggingNetwork(net, recorder, recorder, OutputHashing.OFF, 10);
        ListeningSocket listener = logging.listen(SERVER, 8);
        FakeLive.Socket inner = new FakeLive.Socket(SERVER, CLIENT);
        net.listeners.getFirst().backlog.add(inner);
        StreamSocket s = listener.accept();
        inner.push("hello".getBytes());
        assertEquals(5, s.read(ByteBuffer.allocate(100)));
        s.write(ByteBuffer.wrap("0123456789abcdef".getBytes()));
        assertTrue(logging.runtime().checkpoint(new byte[]{7}));

        Checkpoint c = lastCheckpoint(recorder);
        assertArrayEquals(new byte[]{7}, c.state());
        assertEquals(T, c.context(), "the thread last worked on the connection");
        Checkpoint.Entry e = c.entry(T);
        assertEquals(5, e.readOffset());
        assertEquals(16, e.outputOffset());
        assertEquals(6, e.outputStart(), "only the latest 10 bytes are kept");
        assertArrayEquals("6789abcdef".getBytes(), e.output());
        assertFalse(e.outputShut());

        s.close();
        logging.runtime().checkpoint(new byte[0]);
        Checkpoint.Entry closed = lastCheckpoint(recorder).entry(T);
        assertTrue(closed.closed() && closed.outputShut(), "a closed connection stays listed: the client may lack its last bytes");
    }

    @Test
    void withoutAnOutputCopyTheEntryHoldsNoOutput() throws Exception {
        PrimaryRecorder recorder = new PrimaryRecorder();
        FakeLive.Net net = new FakeLive.Net();
        LoggingNetwork logging = new LoggingNetwork(net, recorder, recorder, OutputHashing.OFF);
        ListeningSocket listener = logging.listen(SERVER, 8);
        net.listeners.getFirst().backlog.add(new FakeLive.Socket(SERVER, CLIENT));
        listener.accept().write(ByteBuffer.wrap(new byte[3]));
        logging.runtime().checkpoint(new byte[0]);
        Checkpoint.Entry e = lastCheckpoint(recorder).entry(T);
        assertEquals(3, e.outputStart());
        assertEquals(0, e.output().length);
    }

    @Test
    void anOversizedStateIsRefusedBeforeAnythingIsLoggedOnBothSides() {
        PrimaryRecorder recorder = new PrimaryRecorder();
        LoggingNetwork logging = new LoggingNetwork(new FakeLive.Net(), recorder, recorder, OutputHashing.OFF, 10);
        byte[] huge = new byte[Checkpoint.MAX_STATE_BYTES + 1];
        assertThrows(IllegalArgumentException.class, () -> logging.runtime().checkpoint(huge));
        assertTrue(recorder.records().isEmpty());
        ReplayNetwork replay = new ReplayNetwork((t, why) -> { });
        assertThrows(IllegalArgumentException.class, () -> replay.runtime().checkpoint(huge));
    }

    /** An application that notes what restore gave it. */
    private static final class Restored implements Checkpointable {
        byte[] state;
        Map<String, StreamSocket> connections;

        @Override
        public void restore(byte[] state, Map<String, StreamSocket> connections) {
            this.state = state;
            this.connections = connections;
        }
    }

    private static Connect connect() {
        return new Connect(T, CLIENT_ISN, SERVER_ISN, 1460, 1460, 7, 7, true, true, 100, 200, 65535);
    }

    private static Segment data(long offset, String text, long acked) {
        return new Segment(T, CLIENT_ISN + 1 + (int) offset, SERVER_ISN + 1 + (int) acked, ACK, 65535, 7, 8, text.getBytes());
    }

    @Test
    void aStreamStartingAtACheckpointRestoresTheApplicationAndItsConnections() throws Exception {
        ReplayNetwork replay = new ReplayNetwork((t, why) -> { });
        replay.apply(connect());
        replay.apply(data(0, "GET a\nGET b\n", 4));
        replay.apply(new Checkpoint(T, "state".getBytes(), List.of(new Checkpoint.Entry(T, 6, 10, false, false, 2, "23456789".getBytes()))));
        replay.apply(new Read(T, 6));
        Restored app = new Restored();
        assertTrue(replay.runtime().restore(app));
        assertArrayEquals("state".getBytes(), app.state);
        StreamSocket s = app.connections.get(replay.runtime().connectionName(app.connections.values().iterator().next()));
        assertNotNull(s);
        assertEquals(1, app.connections.size());
        ByteBuffer in = ByteBuffer.allocate(100);
        assertEquals(6, s.read(in), "reads continue at the checkpoint's read offset");
        assertEquals("GET b\n", new String(in.array(), 0, 6));
        ConnectionImage image = replay.image(T);
        assertEquals(12, image.appReadOffset());
        assertEquals(10, image.appOutputOffset());
        assertEquals(4, image.bufferedOutputStart(), "kept from the client's acknowledgement");
        assertArrayEquals("456789".getBytes(), image.bufferedOutput());
        assertTrue(image.accepted());
        assertFalse(replay.runtime().restore(new Restored()), "once");
    }

    @Test
    void aCheckpointLackingOutputTheClientMayNotHaveMarksTheConnectionDiverged() throws Exception {
        Map<FourTuple, String> diverged = new ConcurrentHashMap<>();
        ReplayNetwork replay = new ReplayNetwork(diverged::put);
        replay.apply(connect());
        replay.apply(data(0, "x", 2));
        replay.apply(new Checkpoint(T, new byte[0], List.of(new Checkpoint.Entry(T, 1, 10, false, false, 5, new byte[5]))));
        assertTrue(replay.image(T).diverged(), replay.image(T).toString());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!diverged.containsKey(T) && System.nanoTime() < deadline) Thread.sleep(5);
        assertTrue(diverged.get(T).contains("acknowledged up to 2"), String.valueOf(diverged));
    }

    @Test
    void aStreamNotStartingAtACheckpointStartsFreshAndChecksItsCheckpoints() throws Exception {
        ReplayNetwork replay = new ReplayNetwork((t, why) -> { });
        CompletableFuture<Boolean> restored = CompletableFuture.supplyAsync(() -> {
            try {
                return replay.runtime().restore(new Restored());
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        Thread.sleep(50);
        assertFalse(restored.isDone(), "restore waits for the stream's first determinant");
        replay.apply(connect());
        assertFalse(restored.isDone(), "a CONNECT is not a determinant");
        replay.apply(new Clock(Clock.Source.WALL_MILLIS, 5));
        assertFalse(restored.get(5, TimeUnit.SECONDS));
        replay.runtime().currentTimeMillis();

        replay.apply(new Checkpoint(Clock.NO_CONTEXT, "one".getBytes(), List.of()));
        replay.apply(new Checkpoint(Clock.NO_CONTEXT, "two".getBytes(), List.of()));
        assertEquals(2, replay.pendingDeterminants());
        assertTrue(replay.runtime().checkpoint("one".getBytes()));
        assertEquals(0, replay.checkpointMismatches());
        assertTrue(replay.runtime().checkpoint("not two".getBytes()));
        assertEquals(1, replay.checkpointMismatches());
        assertEquals(0, replay.pendingDeterminants());

        replay.goLive(new GoLiveTest.Binding());
        assertFalse(replay.runtime().checkpoint("three".getBytes()), "after takeover, with no record left, nothing is recorded");
    }

    @Test
    void takeoverBeforeAnyRecordStartsFresh() throws Exception {
        ReplayNetwork replay = new ReplayNetwork((t, why) -> { });
        replay.goLive(new GoLiveTest.Binding());
        assertFalse(replay.runtime().restore(new Restored()));
    }
}
