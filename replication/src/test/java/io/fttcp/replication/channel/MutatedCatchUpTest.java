package io.fttcp.replication.channel;

import io.fttcp.replication.RandomRecords;
import io.fttcp.replication.Seeds;
import io.fttcp.replication.codec.Handshake;
import io.fttcp.replication.codec.Role;
import io.fttcp.replication.record.LoggedRecord;
import io.fttcp.replication.record.Record;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.fttcp.replication.channel.ChannelTesting.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Seeded: a fake primary sends a catch-up (records with gaps, CAUGHT_UP, then the stream) with
 * one mutation in it, to a backup and to a logger. Each closes with a clear reason, having
 * delivered only a prefix of what was sent, and never fails internally.
 */
class MutatedCatchUpTest {
    private record Sent(ByteBuffer wire, List<Long> lsns, List<Record> records) {
    }

    private static Sent catchUpStream(SplittableRandom random, long stable) {
        List<LoggedRecord> retained = retained(random, stable, random.nextDouble());
        ByteBuffer wire = ByteBuffer.allocate(1 << 21);
        List<Long> lsns = new ArrayList<>();
        List<Record> records = new ArrayList<>();
        for (LoggedRecord r : retained) {
            wire.put(RawPeer.record(r.lsn(), r.record()));
            lsns.add(r.lsn());
            records.add(r.record());
        }
        wire.put(RawPeer.caughtUp(stable));
        RandomRecords gen = new RandomRecords(random, 2000);
        for (int i = 1 + random.nextInt(20); i > 0; i--) {
            Record r = gen.next();
            lsns.add(stable + lsns.size() - retained.size() + 1);
            records.add(r);
            wire.put(RawPeer.record(lsns.getLast(), r));
        }
        wire.flip();
        int at = random.nextInt(wire.limit());
        switch (random.nextInt(3)) {
            case 0 -> wire.put(at, (byte) (wire.get(at) ^ (1 + random.nextInt(255))));
            case 1 -> wire.putInt(Math.min(at - at % 4, wire.limit() - 4), random.nextInt());
            default -> {
                byte[] garbage = new byte[1 + random.nextInt(64)];
                random.nextBytes(garbage);
                wire.put(at, garbage, 0, Math.min(garbage.length, wire.limit() - at));
            }
        }
        return new Sent(wire, lsns, records);
    }

    private static void assertCleanClose(Recorder events, Sent sent, String where) throws Exception {
        CloseReason reason = events.closed.get(5, TimeUnit.SECONDS);
        assertTrue(reason.kind() == CloseReason.Kind.CORRUPT_FRAME || reason.kind() == CloseReason.Kind.PROTOCOL_VIOLATION
                || reason.kind() == CloseReason.Kind.PEER_SILENT, where + ": " + reason);
        int n = events.lsns.size();
        assertTrue(n < sent.lsns.size(), where + ": every record delivered despite the mutation");
        assertEquals(sent.lsns.subList(0, n), events.lsns, where);
        assertEquals(sent.records.subList(0, n), events.records, where);
    }

    @Test
    void mutatedCatchUpsCloseTheBackupCleanly() throws Exception {
        long seed = Seeds.next();
        SplittableRandom random = new SplittableRandom(seed);
        for (int trial = 0; trial < 10; trial++) {
            String where = "seed " + seed + " trial " + trial;
            long stable = 1 + random.nextInt(300);
            Sent sent = catchUpStream(random, stable);
            try (ServerSocket fakePrimary = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                Recorder events = new Recorder();
                try (BackupChannel backup = BackupChannel.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), fakePrimary.getLocalPort()),
                        null, CONNECT, TOLERANT, 1, 0, events);
                     RawPeer primary = new RawPeer(fakePrimary.accept())) {
                    assertTrue(primary.awaitControls(1, 2000), where);
                    primary.send(RawPeer.handshake(new Handshake(ReplicationChannel.PROTOCOL_VERSION, Role.PRIMARY, "test-cluster", 1, stable + 1)));
                    primary.send(sent.wire);
                    assertCleanClose(events, sent, where);
                }
            }
        }
    }

    @Test
    void mutatedCatchUpsCloseTheLoggerCleanly() throws Exception {
        long seed = Seeds.next();
        SplittableRandom random = new SplittableRandom(seed);
        try (ServerSocketChannel server = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
            for (int trial = 0; trial < 10; trial++) {
                String where = "seed " + seed + " trial " + trial;
                long stable = 1 + random.nextInt(300);
                Sent sent = catchUpStream(random, stable);
                Recorder events = new Recorder();
                LoggerSessions sessions = new LoggerSessions() {
                    @Override
                    public Join join(Handshake primary) {
                        return new Join(0, 1, events);
                    }

                    @Override
                    public Fetch fetch(Handshake requester, long answerBy) throws HandshakeException {
                        throw new HandshakeException("no fetch in this test");
                    }
                };
                CompletableFuture<LoggerChannel> accepting = CompletableFuture.supplyAsync(() -> {
                    try {
                        return LoggerChannel.accept(server, TOLERANT, sessions);
                    } catch (java.io.IOException e) {
                        throw new RuntimeException(e);
                    }
                });
                try (RawPeer primary = new RawPeer(new Socket(InetAddress.getLoopbackAddress(), port));
                     LoggerChannel logger = accepting.get(5, TimeUnit.SECONDS)) {
                    primary.send(RawPeer.handshake(new Handshake(ReplicationChannel.PROTOCOL_VERSION, Role.PRIMARY, "test-cluster", 1, stable + 1)));
                    assertTrue(primary.awaitControls(1, 2000), where);
                    assertEquals(0, ((Handshake) primary.received.controls.getFirst()).lsn(), where);
                    primary.send(sent.wire);
                    assertCleanClose(events, sent, where);
                    assertTrue(logger.isClosed(), where);
                }
            }
        }
    }
}
