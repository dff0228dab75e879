package io.fttcp.wrappers.nsw;

import io.fttcp.api.AppRuntime;
import io.fttcp.api.ListeningSocket;
import io.fttcp.api.Network;
import io.fttcp.api.PollKey;
import io.fttcp.api.Poller;
import io.fttcp.api.StreamSocket;
import io.fttcp.replication.record.Accept;
import io.fttcp.replication.record.Clock;
import io.fttcp.replication.record.Close;
import io.fttcp.replication.record.Connect;
import io.fttcp.replication.record.Read;
import io.fttcp.replication.record.Ready;
import io.fttcp.replication.record.Record;
import io.fttcp.replication.record.Seed;
import io.fttcp.replication.record.Segment;
import io.fttcp.replication.record.Write;
import io.fttcp.stack.tcp.FourTuple;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Re-protection at the north side: a backup that took over continues the log through a
 * {@link LoggingLiveBinding}, and a replica replaying the old primary's records and then the
 * new primary's follows the new primary exactly. One scripted single-threaded application runs
 * on primary 1 (a {@link LoggingNetwork} over fake sockets), on backup 1 (replaying primary 1's
 * records, lagging, then taking over as primary 2) and on backup 2 (replaying everything).
 * The test plays the clients and the south-side wrapper (CONNECT and SEGMENT records).
 */
class ReprotectionTest {

    private static final int SERVER = 0x0A000001;
    private static final int CLIENT = 0x0A000002;
    private static final int PORT = 80;
    private static final FourTuple T = tuple(5000), X = tuple(5001), V = tuple(5002), U = tuple(5003);
    private static final int CLIENT_ISN = 0xFFFFFFF0;
    private static final int SERVER_ISN = 0x7FFFFFF8;
    private static final int ACK = 0x10;

    private static FourTuple tuple(int clientPort) {
        return new FourTuple(SERVER, PORT, CLIENT, clientPort);
    }

    private static InetSocketAddress address(int a, int port) {
        try {
            return new InetSocketAddress(InetAddress.getByAddress(new byte[] {(byte) (a >>> 24), (byte) (a >>> 16), (byte) (a >>> 8), (byte) a}), port);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.US_ASCII);
    }

    /** A replication stream: records in order; one record may be slipped in before the next append (a client ACK the SSW logs while a write is in the stack). */
    static final class Log implements DeterminantLog, OutputCommitSink {
        final List<Record> records = new ArrayList<>();
        final List<String> requirements = new ArrayList<>();
        Record beforeNextAppend;
        /** Index of the last record slipped in. */
        int slippedAt = -1;

        @Override
        public synchronized long append(Record record, boolean awaited) {
            if (beforeNextAppend != null) {
                slippedAt = records.size();
                records.add(beforeNextAppend);
                beforeNextAppend = null;
            }
            records.add(record);
            return records.size();
        }

        synchronized void ssw(Record record) {
            records.add(record);
        }

        @Override
        public synchronized void requireStable(FourTuple connection, long start, long end, long lsn) {
            requirements.add(connection.remotePort() + ":" + start + ".." + end + "@" + lsn);
        }
    }

    /** The clients and the south side of one primary: what they do lands in its sockets and its log. */
    interface World {
        void connect(FourTuple t) throws IOException;

        void send(FourTuple t, String text);

        void ack(FourTuple t, long offset, boolean beforeNextRecord);
    }

    /** The client streams, as the clients produced them: the same across primaries (offsets continue). */
    static final class Clients {
        final Map<FourTuple, Long> sent = new HashMap<>();

        Segment segment(FourTuple t, String text, long acked) {
            long offset = sent.getOrDefault(t, 0L);
            sent.put(t, offset + text.length());
            return new Segment(t, CLIENT_ISN + 1 + (int) offset, SERVER_ISN + 1 + (int) acked, ACK, 65535, 0, 0, bytes(text));
        }

        Segment ackOnly(FourTuple t, long acked) {
            return segment(t, "", acked);
        }
    }

    static Connect connect(FourTuple t) {
        return new Connect(t, CLIENT_ISN, SERVER_ISN, 1460, 1460, 7, 7, true, false, 0, 0, 65535);
    }

    /** Primary 1's world: fake sockets behind its logging network's listener. */
    final class FirstWorld implements World {
        final FakeLive.Net net = new FakeLive.Net();
        final Map<FourTuple, FakeLive.Socket> sockets = new HashMap<>();

        @Override
        public void connect(FourTuple t) {
            log1.ssw(ReprotectionTest.connect(t));
            FakeLive.Socket s = new FakeLive.Socket(address(SERVER, PORT), address(CLIENT, t.remotePort()));
            sockets.put(t, s);
            net.listeners.getFirst().backlog.add(s);
        }

        @Override
        public void send(FourTuple t, String text) {
            log1.ssw(clients.segment(t, text, 0));
            sockets.get(t).push(bytes(text));
        }

        @Override
        public void ack(FourTuple t, long offset, boolean beforeNextRecord) {
            Segment s = clients.ackOnly(t, offset);
            if (beforeNextRecord) log1.beforeNextAppend = s;
            else log1.ssw(s);
        }
    }

    /** Primary 2's world: the sockets backup 1's takeover restored, and its live listener for new ones. */
    final class SecondWorld implements World {
        @Override
        public void connect(FourTuple t) {
            log2.ssw(ReprotectionTest.connect(t));
            FakeLive.Socket s = new FakeLive.Socket(address(SERVER, PORT), address(CLIENT, t.remotePort()));
            binding.sockets.put(t, s);
            binding.net.listeners.getFirst().backlog.add(s);
        }

        @Override
        public void send(FourTuple t, String text) {
            log2.ssw(clients.segment(t, text, 0));
            binding.sockets.get(t).push(bytes(text));
        }

        @Override
        public void ack(FourTuple t, long offset, boolean beforeNextRecord) {
            log2.ssw(clients.ackOnly(t, offset));
        }
    }

    /** The takeover's restore, over fake sockets; keeps what each restored send queue held. */
    static final class FakeBinding implements LiveBinding {
        @Override
        public void reset(StreamSocket live) {
            throw new AssertionError("no connection of this test diverges after takeover");
        }

        final FakeLive.Net net = new FakeLive.Net();
        final Map<FourTuple, FakeLive.Socket> sockets = new ConcurrentHashMap<>();
        final Map<FourTuple, ConnectionImage> images = new ConcurrentHashMap<>();
        final List<ListeningSocket> unacceptedInto = new ArrayList<>();

        @Override
        public Network network() {
            return net;
        }

        @Override
        public StreamSocket restore(ConnectionImage image) {
            images.put(image.tuple(), image);
            FakeLive.Socket s = new FakeLive.Socket();
            sockets.put(image.tuple(), s);
            return s;
        }

        @Override
        public boolean restoreUnaccepted(ConnectionImage image, ListeningSocket listener) {
            images.put(image.tuple(), image);
            unacceptedInto.add(listener);
            FakeLive.Socket s = new FakeLive.Socket(address(SERVER, PORT), address(CLIENT, image.tuple().remotePort()));
            s.push(image.unreadClientBytes());
            sockets.put(image.tuple(), s);
            ((FakeLive.Listener) listener).backlog.add(s);
            return true;
        }
    }

    /** One copy of the application: its network, its runtime, its sockets, and what it observed. */
    static final class App {
        final Network network;
        final AppRuntime runtime;
        final List<String> observed = new ArrayList<>();
        final Map<FourTuple, StreamSocket> sockets = new HashMap<>();
        ListeningSocket listener;
        Poller poller;

        App(Network network, AppRuntime runtime) {
            this.network = network;
            this.runtime = runtime;
        }

        void listen() throws IOException {
            listener = network.listen(address(SERVER, PORT), 10);
        }

        void accept(FourTuple expected) throws IOException {
            StreamSocket s = listener.accept();
            FourTuple t = tuple(s.remoteAddress().getPort());
            sockets.put(t, s);
            observed.add("accept " + t.remotePort());
            assertEquals(expected, t, "accept order");
        }

        String read(FourTuple t, int room) throws IOException {
            ByteBuffer b = ByteBuffer.allocate(room);
            int n = sockets.get(t).read(b);
            String got = n < 0 ? "<EOF>" : text(Arrays.copyOf(b.array(), n));
            observed.add("read " + t.remotePort() + " " + got);
            return got;
        }

        void write(FourTuple t, String out) throws IOException {
            int n = sockets.get(t).write(ByteBuffer.wrap(bytes(out)));
            observed.add("write " + t.remotePort() + " " + n);
        }

        /** Opens a poller nobody uses, then the one the application polls (number 1: its READY records must say so). */
        void openPoller() throws IOException {
            network.openPoller();
            poller = network.openPoller();
            poller.register(listener, Poller.OP_ACCEPT, "L");
        }

        void register(FourTuple t) throws IOException {
            poller.register(sockets.get(t), Poller.OP_READ, "T" + t.remotePort());
        }

        void poll() throws IOException {
            poller.poll(Duration.ofSeconds(5));
            List<String> ready = new ArrayList<>();
            for (PollKey k : poller.readyKeys()) {
                ready.add(k.attachment() + "/" + k.readyOps());
            }
            poller.readyKeys().clear();
            observed.add("poll " + ready);
        }

        /** Output that depends on the runtime: a replica that got other values writes other bytes (and diverges). */
        String stamp() {
            long nanos = runtime.nanoTime();
            long millis = runtime.currentTimeMillis();
            long seed = runtime.randomSeed();
            observed.add("runtime " + nanos + " " + millis + " " + seed);
            return Long.toHexString(nanos ^ millis ^ seed);
        }
    }

    interface AppStep {
        void run(App app) throws IOException;
    }

    interface ClientStep {
        void run(World world) throws IOException;
    }

    /** One step of the script: the application's (all replicas run it) or the clients' (only the live primary's world sees it). */
    record Step(AppStep app, ClientStep client) {
        static Step app(AppStep a) {
            return new Step(a, null);
        }

        static Step client(ClientStep c) {
            return new Step(null, c);
        }
    }

    final Log log1 = new Log();
    final Log log2 = new Log();
    final Clients clients = new Clients();
    final FakeBinding binding = new FakeBinding();
    final Map<FourTuple, String> diverged = new ConcurrentHashMap<>();

    /** Steps before this run on backup 1 before takeover (it lags: X's next WRITE record is still queued then). */
    static final int LAG = 13;

    /**
     * The steps primary 1 runs before it crashes. With {@code loseWrite}, the client acknowledges
     * T's last bytes before their WRITE record is logged, and the crash loses that record: the
     * application on backup 1 is then behind the client on T. Without, backup 1 receives every
     * record, and its thread last worked on X through a replayed read (a call the live network
     * never sees), so the live runtime values that follow belong to X.
     */
    static List<Step> beforeCrash(boolean loseWrite) {
        List<Step> steps = new ArrayList<>(List.of(
                Step.app(App::listen),
                Step.client(w -> w.connect(T)),
                Step.app(a -> a.accept(T)),
                Step.client(w -> w.send(T, "abcdefghij")),
                Step.app(a -> a.read(T, 4)),
                Step.app(a -> a.write(T, "r:abcd")),
                Step.client(w -> w.connect(X)),
                Step.app(a -> a.accept(X)),
                Step.client(w -> w.send(X, "hello")),
                Step.app(a -> a.read(X, 64)),
                Step.app(a -> a.write(X, "stamp " + a.stamp() + ";")),
                Step.client(w -> w.ack(T, 6, false)),
                Step.client(w -> { w.connect(V); w.send(V, "early"); }),
                // LAG: backup 1 takes over here
                Step.app(a -> a.write(X, "xx-replayed")),
                Step.client(w -> w.send(X, "more")),
                Step.app(a -> a.read(X, 64))));
        if (loseWrite) {
            steps.add(Step.client(w -> w.ack(T, 11, true)));
            steps.add(Step.app(a -> a.write(T, "LOST!")));
        }
        return steps;
    }

    /** The steps after primary 1's crash: backup 1 runs them as primary 2. */
    static List<Step> afterCrash() {
        return List.of(
                Step.app(a -> a.write(X, "s " + a.stamp())),
                Step.app(a -> a.read(T, 64)),
                Step.client(w -> w.send(T, "KLM")),
                Step.app(a -> a.read(T, 64)),
                Step.app(a -> a.write(T, "after " + a.stamp() + ";")),
                Step.app(a -> a.accept(V)),
                Step.app(a -> a.read(V, 64)),
                Step.app(a -> a.write(V, "v-ok " + a.stamp())),
                Step.client(w -> w.connect(U)),
                Step.app(a -> a.accept(U)),
                Step.client(w -> w.send(U, "new")),
                Step.app(a -> a.write(U, "u:" + a.read(U, 64))),
                Step.app(a -> a.write(X, "x-live")),
                Step.client(w -> w.ack(X, 3, false)),
                Step.app(a -> a.sockets.get(T).close()),
                Step.app(a -> a.sockets.get(X).shutdownOutput()));
    }

    private static void run(List<Step> steps, App app, World world) throws IOException {
        for (Step s : steps) {
            if (s.app() != null) s.app().run(app);
            else if (world != null) s.client().run(world);
        }
    }

    @Test
    void aReplicaReplayingBothPrimariesLogsFollowsTheSecondPrimaryByteForByte() {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> scenario(false));
    }

    @Test
    void soItDoesWhenTheCrashLostAWriteRecordTheClientHadAcknowledged() {
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> scenario(true));
    }

    @Test
    void aPollerKeepsItsNumberAndSocketsAcceptedLiveJoinIt() {
        List<Step> pre = List.of(
                Step.app(a -> { a.listen(); a.openPoller(); }),
                Step.client(w -> w.connect(T)),
                Step.app(App::poll),
                Step.app(a -> { a.accept(T); a.register(T); }),
                Step.client(w -> w.send(T, "ping")),
                // backup 1 takes over here: a READY, a READ and a WRITE record still queued
                Step.app(App::poll),
                Step.app(a -> a.write(T, "pong:" + a.read(T, 64))));
        List<Step> post = List.of(
                Step.client(w -> w.connect(U)),
                Step.app(App::poll),
                Step.app(a -> { a.accept(U); a.register(U); }),
                Step.client(w -> { w.send(U, "hi"); w.send(T, "again"); }),
                Step.app(App::poll),
                Step.app(a -> a.write(U, "u:" + a.read(U, 64))),
                Step.app(a -> a.write(T, "t:" + a.read(T, 64))));
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            Replicas replicas = play(pre, post, 5, false);
            List<Ready> readies = log2.records.stream().filter(r -> r instanceof Ready).map(r -> (Ready) r).toList();
            assertEquals(2, readies.size(), log2.records.toString());
            assertTrue(readies.stream().allMatch(r -> r.poller() == 1), "the live poller logs under the replayed poller's number: " + readies);
            assertEquals(List.of(T, U), readies.getLast().ready().stream().map(Ready.Entry::socket).sorted(
                    java.util.Comparator.comparingInt(FourTuple::remotePort)).toList());
            assertTrue(replicas.replica().observed.contains("write 5003 4"), replicas.replica().observed.toString());
            assertEquals("pong:pingt:again", text(binding.sockets.get(T).written()), "the replayed write the client never acknowledged, then the live one");
            assertEquals("u:hi", text(binding.sockets.get(U).written()));
        });
    }

    /** The three copies of the application after the script: on primary 1 (up to its crash), primary 2 and backup 2. */
    record Replicas(FirstWorld first, App primary1, App primary2, App replica, ReplayNetwork backup2) {
    }

    /**
     * Primary 1 runs {@code pre} and crashes (losing its last record if {@code loseLast}); backup
     * 1 replays its records up to step {@code lag}, takes over with a logging binding, catches
     * up and runs {@code post} as primary 2; backup 2 replays both logs and runs everything.
     */
    private Replicas play(List<Step> pre, List<Step> post, int lag, boolean loseLast) throws IOException {
        List<Step> script = new ArrayList<>(pre);
        script.addAll(post);
        // Primary 1 runs until it crashes.
        FirstWorld first = new FirstWorld();
        LoggingNetwork net1 = new LoggingNetwork(first.net, log1, log1, OutputHashing.HASH);
        App primary1 = new App(net1, net1.runtime());
        run(pre, primary1, first);
        List<Record> received = List.copyOf(log1.records);
        if (loseLast) {
            received = received.subList(0, received.size() - 1);
        }

        // Backup 1 applies what it received, lags, takes over with a logging binding and goes on as primary 2.
        ReplayNetwork backup1 = new ReplayNetwork(diverged::put);
        App primary2 = new App(backup1, backup1.runtime());
        received.forEach(backup1::apply);
        run(script.subList(0, lag), primary2, null);
        LoggingNetwork net2 = new LoggingNetwork(binding.net, log2, log2, OutputHashing.HASH);
        backup1.goLive(new LoggingLiveBinding(binding, net2));
        assertEquals(Map.of(), diverged);
        run(script.subList(lag, pre.size()), primary2, null);
        assertEquals(primary1.observed, primary2.observed, "backup 1 followed primary 1");
        run(post, primary2, new SecondWorld());

        // Backup 2 replays both primaries' records, LSN order, and runs the whole script on them.
        ReplayNetwork backup2 = new ReplayNetwork(diverged::put);
        received.forEach(backup2::apply);
        log2.records.forEach(backup2::apply);
        App replica = new App(backup2, backup2.runtime());
        run(script, replica, null);

        assertEquals(Map.of(), diverged, "no output differed from the logged hashes");
        assertEquals(primary2.observed, replica.observed, "every call returned what it returned on primary 2");
        assertEquals(0, backup2.pendingDeterminants(), "primary 2 logged nothing twice");
        assertEquals(0, backup2.recordsIgnored());
        return new Replicas(first, primary1, primary2, replica, backup2);
    }

    private void scenario(boolean loseWrite) throws IOException {
        Replicas replicas = play(beforeCrash(loseWrite), afterCrash(), LAG, loseWrite);
        FirstWorld first = replicas.first();
        ReplayNetwork backup2 = replicas.backup2();
        if (loseWrite) {
            assertEquals(log1.records.size() - 2, log1.slippedAt);
            assertInstanceOf(Write.class, log1.records.getLast(), "the lost record is the WRITE of the acknowledged bytes");
        }
        assertEquals(List.of(binding.net.listeners.getFirst()), binding.unacceptedInto,
                "the restore of an unaccepted connection gets the stack's listener, not the logging one");
        for (FourTuple t : List.of(T, X, V, U)) {
            byte[] stream = receivedBy(t, first);
            ConnectionImage image = backup2.image(t);
            assertNotNull(image, t.toString());
            assertEquals(stream.length, image.appOutputOffset(), t + ": output length");
            assertArrayEquals(Arrays.copyOfRange(stream, (int) image.bufferedOutputStart(), stream.length), image.bufferedOutput(),
                    t + ": output above the client's ACK, byte for byte: " + text(stream));
            assertEquals(image.clientStreamEnd(), image.appReadOffset(), t + ": every client byte read");
        }
        assertTrue(backup2.image(T).appClosed());
        assertEquals(backup2.image(T).appOutputOffset(), backup2.image(T).primaryFinOffset(), "primary 2's CLOSE places the FIN");
        assertTrue(backup2.image(X).appShutOutput());

        // What primary 2 logged, and which output it made wait for what.
        List<Record> logged2 = log2.records.stream().filter(r -> !(r instanceof Segment || r instanceof Connect)).toList();
        assertEquals(List.of(), logged2.stream().filter(r -> r instanceof Write w && w.connection().equals(X) && w.offset() < xOffsetOfLive()).toList(),
                "the replayed write on X is not logged again");
        assertTrue(logged2.contains(new Read(T, 6)), "the logged client bytes handed out after takeover are a READ: " + logged2);
        if (loseWrite) {
            assertTrue(logged2.contains(new Write(T, 6, 5, OutputHash.of(bytes("LOST!")))), "a write dropped whole is logged as the application saw it");
            assertEquals(11, binding.images.get(T).clientAckedOffset());
            assertEquals(6, binding.images.get(T).appOutputOffset());
            assertFalse(log2.requirements.stream().anyMatch(r -> r.startsWith(T.remotePort() + ":6..")),
                    "dropped bytes are not handed to the stack: " + log2.requirements);
            assertTrue(log2.requirements.stream().anyMatch(r -> r.startsWith(T.remotePort() + ":11..")),
                    "T's live output starts where the client's acknowledgement put the stream: " + log2.requirements);
        }
        assertTrue(logged2.contains(new Accept(new FourTuple(SERVER, PORT, 0, 0), V)));
        assertEquals(6, logged2.stream().filter(r -> r instanceof Clock c && !c.context().equals(Clock.NO_CONTEXT)).count(),
                "three live stamps, two clocks each, each in its connection's context: " + logged2);
        assertEquals(loseWrite ? 0 : 2, logged2.stream().filter(r -> r instanceof Clock c && c.context().equals(X)).count(),
                "the first live stamp's context: the connection of the thread's last call, replayed or live");
        assertEquals(3, logged2.stream().filter(r -> r instanceof Seed).count());
        assertTrue(logged2.stream().anyMatch(r -> r instanceof Close c && c.socket().equals(T)));
        String xLive = X.remotePort() + ":" + xOffsetOfLive();
        assertTrue(log2.requirements.contains(X.remotePort() + ":" + (xOffsetOfLive() - 11) + ".." + xOffsetOfLive() + "@0"),
                "replayed bytes depend on nothing new: " + log2.requirements);
        assertTrue(log2.requirements.stream().anyMatch(r -> r.startsWith(xLive + "..") && !r.endsWith("@0")),
                "live bytes wait for what was logged before them: " + log2.requirements);
    }

    /** Stream offset of X's first live write: after "stamp ...;" and "xx-replayed". */
    private long xOffsetOfLive() {
        return binding.images.get(X).appOutputOffset() + "xx-replayed".length();
    }

    /**
     * What the client of {@code t} received, in stream order: primary 1's bytes below its
     * acknowledgement at takeover, the restored send queue, then primary 2's live output.
     */
    private byte[] receivedBy(FourTuple t, FirstWorld first) {
        ConnectionImage image = binding.images.get(t);
        FakeLive.Socket live = binding.sockets.get(t);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (image == null) { // a connection of primary 2 only
            return live.written();
        }
        byte[] old = first.sockets.containsKey(t) ? first.sockets.get(t).written() : new byte[0];
        long liveStart = Math.max(image.clientAckedOffset(), image.appOutputOffset());
        byte[] head = new byte[(int) liveStart];
        System.arraycopy(old, 0, head, 0, (int) image.clientAckedOffset());
        System.arraycopy(image.bufferedOutput(), 0, head, (int) image.bufferedOutputStart(), image.bufferedOutput().length);
        assertArrayEquals(Arrays.copyOf(old, (int) image.appOutputOffset()), Arrays.copyOf(head, (int) image.appOutputOffset()),
                t + ": the restored queue continues what primary 1 sent");
        out.writeBytes(head);
        out.writeBytes(live.written());
        return out.toByteArray();
    }
}
