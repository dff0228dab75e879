package io.fttcp.wrappers.nsw;

import io.fttcp.apps.echo.LineEchoServer;
import io.fttcp.replication.record.Record;
import io.fttcp.stack.tcp.FourTuple;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The primary "crashes" after a random prefix of its records reached the backup; the backup's
 * copy of the echo server goes live on fake restored sockets, and the clients' remaining bytes
 * arrive there. What each client would see (the primary's bytes it acknowledged, then the
 * restored send queue, then what the backup writes live) must be exactly the full echo.
 */
class TakeoverTest {

    private static final long SEED = Long.getLong("fttcp.seed", 0x7A4E0L);

    @Test
    void echoServerTakesOverAtARandomRecord() throws Exception {
        int midStream = 0;
        // At least 4 seeds, more (up to 16) until one cut falls in the middle of a stream: the
        // primary runs with real threads, so where the records of a seed fall varies run to run.
        for (long seed = SEED; seed < SEED + 4 || midStream == 0 && seed < SEED + 16; seed++) {
            midStream += takeOverAt(seed);
        }
        assertTrue(midStream > 0, "seed " + SEED + ": no connection was taken over in the middle of its stream");
    }

    /** Returns how many connections were taken over with part of the client's stream logged. */
    private int takeOverAt(long seed) throws Exception {
        int midStream = 0;
        String context = "seed " + seed;
        PrimaryRun run = PrimaryRun.run(seed, OutputHashing.HASH, true, PrimaryRun.echo(PrimaryRun.loopback()), TestClients::echo, 12, r -> { });
        List<Record> records = run.recorder.records();
        int cut = new SplittableRandom(seed).nextInt(records.size() + 1);
        Map<FourTuple, String> diverged = new ConcurrentHashMap<>();
        ReplayNetwork backup = new ReplayNetwork(diverged::put);
        GoLiveTest.Binding binding = new GoLiveTest.Binding();
        try (LineEchoServer app = LineEchoServer.start(backup, run.address)) {
            ReplayNetworkTest.feed(backup, records.subList(0, cut));
            backup.goLive(binding);
            for (TestClients.Session s : run.sessions) {
                FourTuple tuple = ReplayNetworkTest.tuple(run, s);
                FakeLive.Socket live = binding.sockets.get(tuple);
                if (live == null) {
                    continue; // no CONNECT logged yet: the client's SYN would be answered anew
                }
                ConnectionImage image = binding.restored.get(tuple);
                long from = image != null ? image.clientStreamEnd() : 0; // unaccepted: the receive queue has everything from 0
                if (image != null && image.clientFin()) {
                    live.pushEnd();
                } else {
                    live.push(Arrays.copyOfRange(s.sent(), (int) from, s.sent().length));
                    live.pushEnd();
                }
            }
            for (TestClients.Session s : run.sessions) {
                FourTuple tuple = ReplayNetworkTest.tuple(run, s);
                FakeLive.Socket live = binding.sockets.get(tuple);
                if (live == null) {
                    continue;
                }
                long deadline = System.nanoTime() + 20_000_000_000L;
                while (!live.closed) {
                    assertTrue(System.nanoTime() < deadline, context + ": cut at " + cut + "/" + records.size() + ": backup never finished " + tuple);
                    Thread.sleep(5);
                }
                ConnectionImage image = binding.restored.get(tuple);
                ByteArrayOutputStream seen = new ByteArrayOutputStream();
                if (image != null) {
                    seen.write(s.received(), 0, (int) image.clientAckedOffset());
                    assertTrue(image.bufferedOutput().length == 0 || image.bufferedOutputStart() == image.clientAckedOffset(), context + ": " + image);
                    seen.writeBytes(image.bufferedOutput());
                }
                seen.writeBytes(live.written());
                if (image != null && image.clientStreamEnd() > 0 && image.clientStreamEnd() < s.sent().length) {
                    midStream++;
                }
                assertArrayEquals(s.received(), seen.toByteArray(), context + ": cut at " + cut + "/" + records.size() + ": what the client sees on "
                        + tuple + " (" + image + ")");
            }
        }
        assertTrue(diverged.isEmpty(), context + ": " + diverged);
        return midStream;
    }
}
