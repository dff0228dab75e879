package io.fttcp.wrappers.nsw;

import io.fttcp.api.ListeningSocket;
import io.fttcp.api.StreamSocket;
import io.fttcp.replication.record.Accept;
import io.fttcp.replication.record.Clock;
import io.fttcp.replication.record.Connect;
import io.fttcp.replication.record.Read;
import io.fttcp.replication.record.Record;
import io.fttcp.replication.record.Seed;
import io.fttcp.stack.tcp.FourTuple;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Runtime values (CLOCK, SEED) belong to the connection the calling thread works on. */
class RuntimeScopingTest {

    private static final FourTuple LISTENER = new FourTuple(0x0A000001, 80, 0, 0);
    private static final FourTuple A = new FourTuple(0x0A000001, 80, 0x0A000002, 4000);
    private static final FourTuple B = new FourTuple(0x0A000001, 80, 0x0A000003, 5000);
    private static final int VALUES = 200;

    private final ReplayNetwork replay = new ReplayNetwork((tuple, reason) -> { });
    private final ListeningSocket listener;

    RuntimeScopingTest() throws IOException {
        listener = replay.listen(new InetSocketAddress(InetAddress.getByAddress(new byte[] {10, 0, 0, 1}), 80), 8);
    }

    private StreamSocket accept(FourTuple t) throws IOException {
        replay.apply(new Connect(t, 77, 99, 1460, 1460, -1, -1, false, false, 0, 0, 65535));
        replay.apply(new Accept(LISTENER, t));
        return listener.accept();
    }

    /** One value a thread read: which call, and what it got. */
    private record Got(char call, long value) {
    }

    /** The value a thread of {@code context} is to get for the {@code i}th call, and its record. */
    private static Record logged(FourTuple context, int i) {
        long value = (long) context.remotePort() * 1_000_000 + i;
        return switch (i % 3) {
            case 0 -> new Clock(context, Clock.Source.MONOTONIC_NANOS, value);
            case 1 -> new Clock(context, Clock.Source.WALL_MILLIS, value);
            default -> new Seed(context, value);
        };
    }

    private static Got expected(FourTuple context, int i) {
        long value = (long) context.remotePort() * 1_000_000 + i;
        return new Got("nws".charAt(i % 3), value);
    }

    /** Reads the runtime VALUES times in the pattern of {@link #logged}: nanos, millis, seed, ... */
    private List<Got> readRuntime() {
        List<Got> got = new ArrayList<>();
        for (int i = 0; i < VALUES; i++) {
            got.add(switch (i % 3) {
                case 0 -> new Got('n', replay.runtime().nanoTime());
                case 1 -> new Got('w', replay.runtime().currentTimeMillis());
                default -> new Got('s', replay.runtime().randomSeed());
            });
        }
        return got;
    }

    @Test
    void twoConnectionThreadsReadingConcurrentlyEachGetTheirOwnValues() throws Exception {
        long seed = new SplittableRandom().nextLong();
        SplittableRandom random = new SplittableRandom(seed);
        StreamSocket a = accept(A);
        StreamSocket b = accept(B);
        replay.apply(new Read(A, 0));
        replay.apply(new Read(B, 0));
        CountDownLatch start = new CountDownLatch(1);
        Map<FourTuple, CompletableFuture<List<Got>>> results = new HashMap<>();
        for (StreamSocket s : List.of(a, b)) {
            results.put(s == a ? A : B, CompletableFuture.supplyAsync(() -> {
                try {
                    assertEquals(0, s.read(ByteBuffer.allocate(10))); // working on its connection from now on
                    start.await();
                } catch (IOException | InterruptedException e) {
                    throw new AssertionError(e);
                }
                return readRuntime();
            }, Thread::startVirtualThread));
        }
        start.countDown();
        // The two connections' values interleave randomly in the log, as on a primary whose
        // threads read the runtime at the same time; half of them arrive while the threads wait.
        List<Record> log = interleave(random);
        for (int i = 0; i < log.size(); i++) {
            replay.apply(log.get(i));
            if (random.nextInt(50) == 0) {
                Thread.sleep(1);
            }
        }
        for (FourTuple t : List.of(A, B)) {
            List<Got> got = results.get(t).get(10, TimeUnit.SECONDS);
            for (int i = 0; i < VALUES; i++) {
                assertEquals(expected(t, i), got.get(i), "seed " + seed + ": value " + i + " of " + t);
            }
        }
        assertEquals(0, replay.pendingDeterminants(), "seed " + seed);
    }

    private static List<Record> interleave(SplittableRandom random) {
        List<Record> log = new ArrayList<>();
        int nextA = 0;
        int nextB = 0;
        while (nextA < VALUES || nextB < VALUES) {
            boolean takeA = nextB == VALUES || (nextA < VALUES && random.nextBoolean());
            log.add(takeA ? logged(A, nextA++) : logged(B, nextB++));
        }
        return log;
    }

    @Test
    void aThreadStartedAfterAnAcceptWorksOnTheAcceptedConnectionAndTheAcceptorOnNone() throws Exception {
        // Logged in the opposite order to the accepts, and the acceptor's own value first.
        replay.apply(new Connect(A, 1, 2, 1460, 1460, -1, -1, false, false, 0, 0, 65535));
        replay.apply(new Connect(B, 1, 2, 1460, 1460, -1, -1, false, false, 0, 0, 65535));
        replay.apply(new Accept(LISTENER, A));
        replay.apply(new Accept(LISTENER, B));
        replay.apply(new Seed(Clock.NO_CONTEXT, 1));
        replay.apply(new Seed(B, 2));
        replay.apply(new Seed(A, 3));
        Map<FourTuple, CompletableFuture<Long>> seeds = new HashMap<>();
        CompletableFuture<Long> acceptorSeed = CompletableFuture.supplyAsync(() -> {
            try {
                for (FourTuple t : List.of(A, B)) {
                    StreamSocket s = listener.accept();
                    assertEquals(t.remotePort(), s.remoteAddress().getPort());
                    CompletableFuture<Long> f = new CompletableFuture<>();
                    Thread.ofVirtual().start(() -> f.complete(replay.runtime().randomSeed()));
                    seeds.put(t, f);
                }
            } catch (IOException e) {
                throw new AssertionError(e);
            }
            return replay.runtime().randomSeed();
        }, Thread::startVirtualThread);
        assertEquals(1L, acceptorSeed.get(10, TimeUnit.SECONDS));
        assertEquals(3L, seeds.get(A).get(10, TimeUnit.SECONDS));
        assertEquals(2L, seeds.get(B).get(10, TimeUnit.SECONDS));
    }

    @Test
    void aThreadWaitsForItsOwnConnectionsValueNotAnothers() throws Exception {
        StreamSocket a = accept(A);
        replay.apply(new Read(A, 0));
        CompletableFuture<Long> seed = CompletableFuture.supplyAsync(() -> {
            try {
                a.read(ByteBuffer.allocate(1));
            } catch (IOException e) {
                throw new AssertionError(e);
            }
            return replay.runtime().randomSeed();
        }, Thread::startVirtualThread);
        replay.apply(new Seed(B, 20));
        replay.apply(new Seed(Clock.NO_CONTEXT, 30));
        Thread.sleep(50);
        assertFalse(seed.isDone(), "took a value logged for another context: " + (seed.isDone() ? seed.get() : null));
        replay.apply(new Seed(A, 10));
        assertEquals(10L, seed.get(10, TimeUnit.SECONDS));
        assertEquals(2, replay.pendingDeterminants());
    }

    @Test
    void thePrimaryLogsEachConnectionThreadsValuesWithItsConnection() throws Exception {
        long seed = 0x5C0FE;
        PrimaryRun run = PrimaryRun.run(seed, OutputHashing.HASH, true,
                network -> StampServer.start(network, PrimaryRun.loopback(), network.runtime()), StampServer::client, 4, true,
                r -> { }, x -> { });
        Map<FourTuple, int[]> perConnection = new HashMap<>(); // seeds, clocks
        for (Record r : run.recorder.records()) {
            switch (r) {
                case Seed s -> perConnection.computeIfAbsent(s.context(), c -> new int[2])[0]++;
                case Clock c -> perConnection.computeIfAbsent(c.context(), k -> new int[2])[1]++;
                default -> { }
            }
        }
        assertEquals(run.sessions.size(), perConnection.size(), "contexts " + perConnection.keySet());
        for (TestClients.Session s : run.sessions) {
            FourTuple t = ReplayNetworkTest.tuple(run, s);
            int[] counts = perConnection.get(t);
            assertTrue(counts != null, "no values logged for " + t + " in " + perConnection.keySet());
            long requests = new String(s.sent(), StandardCharsets.US_ASCII).chars().filter(ch -> ch == '\n').count();
            assertEquals(1, counts[0], "seeds of " + t);
            assertEquals(2 * requests, counts[1], "clocks of " + t);
        }
        assertFalse(perConnection.containsKey(Clock.NO_CONTEXT));
    }
}
