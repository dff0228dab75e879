package io.fttcp.wrappers.nsw;

import io.fttcp.replication.record.Segment;
import io.fttcp.stack.tcp.FourTuple;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the replay tests of checkpointing applications wait for and compare. */
final class ReplayChecks {
    private static final int ACK = 0x10;

    private ReplayChecks() {}

    /** What the client's stack would log once our FIN is acknowledged: the connection is finished. */
    static void finalAck(SpyNetwork spy, PrimaryRecorder recorder, FourTuple tuple) {
        SpyNetwork.Connection c = spy.connections.get(tuple);
        int seq;
        int ack;
        int ts;
        synchronized (c) {
            seq = c.clientIsn + 1 + c.client().length + 1;
            ack = c.serverIsn + 1 + c.server().length + 1;
            ts = ++c.tsVal;
        }
        recorder.append(new Segment(tuple, seq, ack, ACK, 65535, ts, 5000, new byte[0]));
    }

    /** Waits until the replaying application has consumed every determinant. */
    static void awaitConsumed(ReplayNetwork replay, String where) throws InterruptedException {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (replay.pendingDeterminants() > 0) {
            assertTrue(System.nanoTime() < deadline, where + ": " + replay.pendingDeterminants() + " determinants not consumed");
            Thread.sleep(5);
        }
        Thread.sleep(50);
    }

    /** Waits until {@code socket} has been written {@code lines} lines; returns what it was written. */
    static String awaitLines(FakeLive.Socket socket, int lines, String where) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (true) {
            String got = new String(socket.written(), StandardCharsets.UTF_8);
            if (got.chars().filter(ch -> ch == '\n').count() >= lines) return got;
            assertTrue(System.nanoTime() < deadline, where + ": only " + got);
            Thread.sleep(5);
        }
    }

    /** Every connection's image, by connection, comparable. */
    static Map<String, Map<String, String>> images(ReplayNetwork replay) {
        Map<String, Map<String, String>> out = new TreeMap<>();
        for (ConnectionImage image : replay.images()) out.put(image.tuple().toString(), ImageFields.of(image));
        return out;
    }
}
