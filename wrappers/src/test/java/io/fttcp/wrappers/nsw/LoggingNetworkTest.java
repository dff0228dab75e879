package io.fttcp.wrappers.nsw;

import io.fttcp.replication.record.Accept;
import io.fttcp.replication.record.Close;
import io.fttcp.replication.record.Read;
import io.fttcp.replication.record.Record;
import io.fttcp.replication.record.Write;
import io.fttcp.stack.tcp.FourTuple;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** The primary's wrapper around real applications on the kernel's TCP: what it logs, and when it asks for output commit. */
class LoggingNetworkTest {

    private static final long SEED = Long.getLong("fttcp.seed", 0x7A11L);

    @Test
    void echoServerIsLoggedCompletelyAndOutputWaitsForItsRecords() throws Exception {
        PrimaryRun run = PrimaryRun.run(SEED, OutputHashing.HASH, true, PrimaryRun.echo(PrimaryRun.loopback()), TestClients::echo, 16, r -> { });
        checkRecords(run, true, "seed " + SEED);
        checkCommitOrder(run, "seed " + SEED);
    }

    @Test
    void httpServerIsLoggedCompletelyAndOutputWaitsForItsRecords() throws Exception {
        PrimaryRun run = PrimaryRun.run(SEED + 1, OutputHashing.HASH, true, PrimaryRun.http(PrimaryRun.loopback()), TestClients::http, 8, r -> { });
        checkRecords(run, true, "seed " + (SEED + 1));
        checkCommitOrder(run, "seed " + (SEED + 1));
    }

    @Test
    void blockingWritesAreUnawaitedAndNonBlockingOnesAreDeterminants() throws Exception {
        PrimaryRun blocking = PrimaryRun.run(SEED + 3, OutputHashing.HASH, true, PrimaryRun.echo(PrimaryRun.loopback()), TestClients::echo, 4, r -> { });
        assertTrue(checkCommitOrder(blocking, "blocking, seed " + (SEED + 3)) > 0, "a blocking server's complete writes were all awaited");
        PrimaryRun polled = PrimaryRun.run(SEED + 4, OutputHashing.HASH, true, network -> PolledEchoServer.start(network, PrimaryRun.loopback()),
                TestClients::echo, 4, r -> { });
        // A non-blocking write's count is the stack's choice, which the application acts on: later output depends on it.
        assertEquals(0, checkCommitOrder(polled, "non-blocking, seed " + (SEED + 4)), "a non-blocking server's write was logged unawaited");
    }

    @Test
    void withoutHashingWritesCarryNoHash() throws Exception {
        PrimaryRun run = PrimaryRun.run(SEED + 2, OutputHashing.OFF, false, PrimaryRun.echo(PrimaryRun.loopback()), TestClients::echo, 3, r -> { });
        List<Write> writes = run.recorder.records().stream().filter(r -> r instanceof Write).map(r -> (Write) r).toList();
        assertTrue(!writes.isEmpty(), "no WRITE records");
        for (Write w : writes) {
            assertEquals(0, w.hash(), w.toString());
        }
    }

    /**
     * Per connection: ACCEPT first; READ counts add up to what the client sent and end with -1;
     * WRITE offsets are contiguous, add up to what the client received, and hash exactly those
     * bytes; the output is shut down (CLOSE) after the last write.
     */
    static void checkRecords(PrimaryRun run, boolean hashed, String context) {
        List<Record> records = run.recorder.records();
        Map<FourTuple, List<Record>> byConnection = new HashMap<>();
        FourTuple listener = null;
        for (Record r : records) {
            FourTuple t = switch (r) {
                case Accept a -> {
                    listener = a.listener();
                    byConnection.computeIfAbsent(a.connection(), k -> new ArrayList<>()).add(a);
                    yield null;
                }
                case Read x -> x.connection();
                case Write w -> w.connection();
                case Close c -> c.socket();
                default -> null;
            };
            if (t != null && t.remotePort() != 0) {
                assertTrue(byConnection.containsKey(t), context + ": record before the ACCEPT of its connection: " + r);
                byConnection.get(t).add(r);
            }
        }
        assertNotNull(listener, context + ": no ACCEPT at all");
        assertEquals(0, listener.remotePort(), context);
        assertEquals(run.address.getPort(), listener.localPort(), context);
        assertEquals(run.sessions.size(), byConnection.size(), context + ": connections logged");
        for (TestClients.Session s : run.sessions) {
            FourTuple t;
            try {
                t = SocketNames.connection(run.address, s.local());
            } catch (java.io.IOException e) {
                throw new AssertionError(e);
            }
            FourTuple tuple = new FourTuple(t.localAddress(), run.address.getPort(), t.remoteAddress(), t.remotePort());
            List<Record> mine = byConnection.get(tuple);
            assertNotNull(mine, context + ": no records for " + tuple);
            long read = 0;
            long written = 0;
            int lastRead = 0;
            boolean finLogged = false;
            for (Record r : mine) {
                switch (r) {
                    case Read x -> {
                        assertTrue(x.count() >= -1, context + ": failed read logged " + x);
                        assertTrue(lastRead >= 0, context + ": read after end of stream: " + x);
                        read += Math.max(0, x.count());
                        lastRead = x.count();
                    }
                    case Write w -> {
                        assertTrue(!finLogged, context + ": write after the FIN was logged: " + w);
                        assertEquals(written, w.offset(), context + ": offset of " + w);
                        assertTrue(w.count() > 0 && written + w.count() <= s.received().length, context + ": " + w);
                        if (hashed) {
                            assertEquals(OutputHash.of(ByteBuffer.wrap(s.received()), (int) written, w.count()), w.hash(), context + ": hash of " + w);
                        }
                        written += w.count();
                    }
                    case Close c -> finLogged |= c.how() != Close.How.SHUTDOWN_INPUT;
                    default -> { }
                }
            }
            assertEquals(s.sent().length, read, context + ": bytes READ on " + tuple);
            assertEquals(-1, lastRead, context + ": last READ on " + tuple);
            assertEquals(s.received().length, written, context + ": bytes WRITTEN on " + tuple);
            assertTrue(finLogged, context + ": no CLOSE on " + tuple);
            assertArrayEquals(s.received(), run.spy.connections.get(tuple).server(), context + ": what the stack was given on " + tuple);
        }
    }

    /**
     * Every write reaches the stack only after an output-commit requirement covering its bytes,
     * naming an LSN at least that of every earlier record of the connection and at most the
     * highest LSN at the time; every FIN only after a requirement covering its offset with the
     * CLOSE record's LSN.
     */
    static int checkCommitOrder(PrimaryRun run, String context) {
        int unawaited = 0;
        Map<FourTuple, PrimaryRecorder.Required> lastRequired = new HashMap<>();
        Map<FourTuple, Long> lastRecordLsn = new HashMap<>();
        Map<Long, Record> byLsn = new HashMap<>();
        int writes = 0;
        int fins = 0;
        for (PrimaryRecorder.Event e : run.recorder.events()) {
            switch (e) {
                case PrimaryRecorder.Appended a -> {
                    byLsn.put(a.lsn(), a.record());
                    FourTuple t = switch (a.record()) {
                        case Read x -> x.connection();
                        case Write w -> w.connection();
                        case Close c -> c.socket();
                        case io.fttcp.replication.record.Segment s -> s.tuple();
                        case Accept acc -> acc.connection();
                        default -> null;
                    };
                    // Only a blocking write that took all its bytes tells the application nothing
                    // (LoggingNetwork.logCompleteBlockingWrite): the next requirement need not cover its record.
                    if (!a.awaited()) {
                        assertTrue(a.record() instanceof Write w && w.count() > 0, context + ": unawaited record that is no accepted WRITE: " + a);
                        unawaited++;
                    }
                    if (t != null && a.awaited()) {
                        lastRecordLsn.put(t, a.lsn());
                    }
                }
                case PrimaryRecorder.Required r -> {
                    assertTrue(r.lsn() <= r.lastLsnAtCall(), context + ": requirement names a future LSN: " + r);
                    assertTrue(r.lsn() >= lastRecordLsn.getOrDefault(r.connection(), 0L),
                            context + ": requirement older than the connection's last record: " + r);
                    assertTrue(r.start() < r.end(), context + ": empty requirement " + r);
                    lastRequired.put(r.connection(), r);
                }
                case PrimaryRecorder.InnerWrite w -> {
                    writes++;
                    PrimaryRecorder.Required r = lastRequired.get(w.connection());
                    if (r == null || r.start() > w.offset() || w.offset() + w.wanted() > r.end()) {
                        fail(context + ": bytes " + w + " handed to the stack without a covering requirement (last: " + r + ")");
                    }
                }
                case PrimaryRecorder.InnerFin f -> {
                    fins++;
                    PrimaryRecorder.Required r = lastRequired.get(f.connection());
                    if (r == null || r.start() > f.offset() || f.offset() >= r.end() || !(byLsn.get(r.lsn()) instanceof Close)) {
                        fail(context + ": FIN " + f + " without a requirement on its CLOSE record (last: " + r + ")");
                    }
                }
            }
        }
        assertTrue(writes > 0 && fins > 0, context + ": nothing was written or closed");
        return unawaited;
    }
}
