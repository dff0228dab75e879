package io.fttcp.replication.channel;

import io.fttcp.replication.Seeds;
import io.fttcp.replication.codec.FrameEncoder;
import io.fttcp.replication.codec.Handshake;
import io.fttcp.replication.codec.Role;
import io.fttcp.replication.codec.RosterEntry;
import io.fttcp.replication.record.Seed;
import io.fttcp.replication.stream.RecordStream;
import io.fttcp.stack.tcp.FourTuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.fttcp.replication.channel.ChannelTesting.*;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Well-formed frames (valid CRC) that mean nothing good: a fake peer sends random sequences of
 * every kind, with LSNs in order, repeated, backwards or jumping, then closes. Whatever it sends,
 * the real end closes once, with a reason that blames the peer (never a failure of its own), and
 * its owner hears records in order and acknowledgements that only advance.
 */
class MisbehavingPeerTest {
    private static final Set<CloseReason.Kind> PEERS_FAULT = Set.of(CloseReason.Kind.PROTOCOL_VIOLATION, CloseReason.Kind.CORRUPT_FRAME,
            CloseReason.Kind.PEER_ABORTED, CloseReason.Kind.HANDSHAKE_REFUSED, CloseReason.Kind.PEER_CLOSED, CloseReason.Kind.PEER_SILENT);
    private static final FourTuple TUPLE = new FourTuple(0x0a000001, 80, 0x0a000002, 40000);

    @RegisterExtension
    final LoopbackListener loopback = new LoopbackListener();

    /** An LSN near {@code expected}: it, the one before or after, a repeat of an old one, a jump, or 0. */
    private static long near(SplittableRandom random, long expected) {
        return switch (random.nextInt(6)) {
            case 0, 1 -> expected;
            case 2 -> Math.max(0, expected - 1);
            case 3 -> expected + 1;
            case 4 -> expected + 2 + random.nextInt(1000);
            default -> random.nextInt(3) == 0 ? 0 : random.nextLong(Math.max(1, expected));
        };
    }

    /** One random frame: any kind, its LSN near {@code expected}. */
    private static ByteBuffer randomFrame(SplittableRandom random, long expected) {
        long lsn = near(random, expected);
        ByteBuffer b = ByteBuffer.allocate(512);
        FrameEncoder encoder = new FrameEncoder();
        switch (random.nextInt(9)) {
            case 0, 1, 2 -> encoder.encode(Math.max(1, lsn), new Seed(TUPLE, lsn), b);
            case 3 -> encoder.encodeHeartbeat(lsn, System.nanoTime() - random.nextLong(1_000_000_000L), random.nextLong(), b);
            case 4 -> encoder.encodeAck(lsn, random.nextInt(4) == 0 ? System.nanoTime() : random.nextLong(), b);
            case 5 -> encoder.encodeCaughtUp(lsn, b);
            case 6 -> encoder.encodeRoster(lsn, List.of(new RosterEntry(TUPLE, random.nextInt(), random.nextInt())), 0, b);
            case 7 -> encoder.encodeIncomplete(lsn, b);
            default -> {
                if (random.nextInt(4) == 0) {
                    encoder.encodeReject("go away " + lsn, b);
                } else {
                    encoder.encodeHandshake(new Handshake(ReplicationChannel.PROTOCOL_VERSION, Role.values()[random.nextInt(3)],
                            "test-cluster", random.nextInt(3), lsn), b);
                }
            }
        }
        return b.flip();
    }

    /** Sends 1..40 random frames (LSNs near the next expected), then closes. */
    private static void babble(RawPeer peer, SplittableRandom random, long firstExpected) throws IOException {
        long expected = firstExpected;
        int frames = 1 + random.nextInt(40);
        ByteBuffer all = ByteBuffer.allocate(frames * 512);
        for (int i = 0; i < frames; i++) {
            ByteBuffer f = randomFrame(random, expected);
            if (f.get(3) < 0x40 && f.getLong(8) == expected) expected++;
            all.put(f);
        }
        try {
            peer.send(all.flip());
        } catch (IOException e) {
            // the real end closed first, as it may
        }
    }

    private static void assertClosedForThePeersFault(Recorder events, String where) throws Exception {
        CloseReason reason = events.closed.get(5, TimeUnit.SECONDS);
        assertTrue(PEERS_FAULT.contains(reason.kind()), where + ": " + reason);
        assertNull(events.orderError, where);
        Thread.sleep(20);
        assertEquals(1, events.closeCalls.get(), where);
    }

    @Test
    void aBackupSurvivesAPrimaryThatSaysAnything() throws Exception {
        long seed = Seeds.next();
        SplittableRandom random = new SplittableRandom(seed);
        for (int trial = 0; trial < 40; trial++) {
            String where = "seed " + seed + " trial " + trial;
            try (ServerSocket fakePrimary = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                Recorder events = new Recorder();
                loopback.closeAfter(BackupChannel.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), fakePrimary.getLocalPort()),
                        null, CONNECT, TOLERANT, 1, 0, events));
                try (RawPeer primary = new RawPeer(fakePrimary.accept())) {
                    assertTrue(primary.awaitControls(1, 2000), where);
                    long next = random.nextBoolean() ? 1 : 2 + random.nextInt(20); // above 1: a catch-up comes first
                    primary.send(RawPeer.handshake(new Handshake(ReplicationChannel.PROTOCOL_VERSION, Role.PRIMARY, "test-cluster", 1, next)));
                    babble(primary, random, random.nextBoolean() ? 1 : next);
                }
                assertClosedForThePeersFault(events, where);
            }
        }
    }

    @Test
    void aPrimarySurvivesABackupThatSaysAnything() throws Exception {
        long seed = Seeds.next();
        SplittableRandom random = new SplittableRandom(seed);
        for (int trial = 0; trial < 40; trial++) {
            String where = "seed " + seed + " trial " + trial;
            RecordStream stream = TOLERANT.newRecordStream();
            int appended = random.nextInt(20);
            for (int i = 1; i <= appended; i++) stream.append(new Seed(TUPLE, i));
            Recorder events = new Recorder();
            CompletableFuture<PrimaryChannel> accepting = acceptingPrimary(loopback.server(), TOLERANT, 1, stream, events);
            try (RawPeer backup = new RawPeer(new Socket(InetAddress.getLoopbackAddress(), loopback.port()))) {
                backup.send(RawPeer.handshake(new Handshake(ReplicationChannel.PROTOCOL_VERSION, Role.BACKUP, "test-cluster", 1,
                        random.nextInt(appended + 1))));
                loopback.closeAfter(accepting.get(5, TimeUnit.SECONDS));
                babble(backup, random, 1 + random.nextInt(appended + 1));
            }
            assertClosedForThePeersFault(events, where);
        }
    }

    @Test
    void aLoggerSurvivesAPrimaryThatSaysAnything() throws Exception {
        long seed = Seeds.next();
        SplittableRandom random = new SplittableRandom(seed);
        for (int trial = 0; trial < 40; trial++) {
            String where = "seed " + seed + " trial " + trial;
            Recorder stored = new Recorder();
            long held = random.nextInt(3) == 0 ? 0 : random.nextInt(10);
            LoggerSessions sessions = new LoggerSessions() {
                @Override
                public Join join(Handshake primary) {
                    return new Join(held, 1, stored);
                }

                @Override
                public Fetch fetch(Handshake requester, long answerBy) {
                    return new Fetch(1, 0, List.of());
                }
            };
            CompletableFuture<LoggerChannel> accepting = CompletableFuture.supplyAsync(() -> {
                try {
                    return LoggerChannel.accept(loopback.server(), TOLERANT, sessions);
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            try (RawPeer primary = new RawPeer(new Socket(InetAddress.getLoopbackAddress(), loopback.port()))) {
                long next = random.nextBoolean() ? held + 1 : 2 + random.nextInt(20);
                primary.send(RawPeer.handshake(new Handshake(ReplicationChannel.PROTOCOL_VERSION, Role.PRIMARY, "test-cluster", 1, next)));
                LoggerChannel logger = accepting.get(5, TimeUnit.SECONDS);
                loopback.closeAfter(logger);
                babble(primary, random, random.nextBoolean() ? held + 1 : next);
                await("the logger closed", 5000, logger::isClosed);
            }
            assertClosedForThePeersFault(stored, where);
        }
    }
}
