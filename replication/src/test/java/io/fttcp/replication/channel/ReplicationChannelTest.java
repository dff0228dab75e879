package io.fttcp.replication.channel;

import io.fttcp.replication.RandomRecords;
import io.fttcp.replication.Seeds;
import io.fttcp.replication.codec.CorruptRecordException;
import io.fttcp.replication.codec.FrameEncoder;
import io.fttcp.replication.codec.Handshake;
import io.fttcp.replication.codec.Role;
import io.fttcp.replication.record.Record;
import io.fttcp.replication.record.Seed;
import io.fttcp.replication.stream.OutOfOrderRecordException;
import io.fttcp.replication.stream.RecordStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static io.fttcp.replication.channel.ChannelTesting.acceptingPrimary;
import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class ReplicationChannelTest {
    /** Without warm-up: the timing tests measure the detection timeout itself. */
    private static final ChannelConfig CONFIG = ChannelConfig.defaults("test-cluster").withWarmup(java.time.Duration.ZERO);
    private static final long TIMEOUT_MS = CONFIG.detectionTimeoutNanos() / 1_000_000;
    /** Slack for a loaded two-core machine, on top of the detection timeout. */
    private static final long SLACK_MS = 300;
    private static final Duration CONNECT = Duration.ofSeconds(5);

    /**
     * Default heartbeat interval; detection timeout and lease three times the defaults: this test
     * must not fail because a shared, overloaded test machine left a thread unscheduled for
     * 150 ms (seen here at load averages over 10 on two cores). The detection tests below use the
     * defaults, where lateness only delays detection.
     */
    private static final ChannelConfig TOLERANT = CONFIG.withTimings(Duration.ofMillis(20), Duration.ofMillis(450),
            Duration.ofMillis(300), Duration.ofMillis(150));

    @RegisterExtension
    final LoopbackListener loopback = new LoopbackListener();

    private record Pair(PrimaryChannel primary, Recorder primaryEvents, BackupChannel backup, Recorder backupEvents,
                        RecordStream stream) {
    }

    private Pair connectPair(ChannelConfig primaryConfig, ChannelConfig backupConfig, long primaryEpoch, long backupEpoch)
            throws Exception {
        RecordStream stream = primaryConfig.newRecordStream();
        Recorder primaryEvents = new Recorder();
        CompletableFuture<PrimaryChannel> accepting = acceptingPrimary(loopback.server(), primaryConfig, primaryEpoch, stream, primaryEvents);
        Recorder backupEvents = new Recorder();
        BackupChannel backup = BackupChannel.connect(loopback.address(), null, CONNECT, backupConfig, backupEpoch, 0, backupEvents);
        loopback.closeAfter(backup);
        PrimaryChannel primary = accepting.get(5, TimeUnit.SECONDS);
        loopback.closeAfter(primary);
        return new Pair(primary, primaryEvents, backup, backupEvents, stream);
    }

    /** A connected pair with {@link #TOLERANT} timings (for tests of anything but the timeout itself). */
    private Pair connectedPair() throws Exception {
        Pair p = connectPair(TOLERANT, TOLERANT, 1, 1);
        assertEquals(Role.BACKUP, p.primaryEvents.connected.get(5, TimeUnit.SECONDS).role());
        assertEquals(Role.PRIMARY, p.backupEvents.connected.get(5, TimeUnit.SECONDS).role());
        return p;
    }

    private static void await(String what, long millis, BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + millis * 1_000_000;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - end > 0) {
                fail("timed out waiting for " + what);
            }
            Thread.sleep(2);
        }
    }

    private static long millisSince(long nanos, long laterNanos) {
        return (laterNanos - nanos) / 1_000_000;
    }

    @Test
    void recordsFlowAndAreAcknowledged() throws Exception {
        long seed = Seeds.next();
        RandomRecords gen = new RandomRecords(new SplittableRandom(seed), 3000);
        Pair p = connectPair(TOLERANT, TOLERANT, 1, 1);
        List<Record> sent = new ArrayList<>();
        List<Long> stableOrder = Collections.synchronizedList(new ArrayList<>());
        for (int i = 0; i < 20_000; i++) {
            Record r = gen.next();
            sent.add(r);
            long lsn = p.primary.append(r);
            assertEquals(i + 1, lsn);
            if (i % 100 == 0) {
                p.primary.whenStable(lsn, () -> stableOrder.add(lsn));
            }
        }
        await("all records stable (seed " + seed + ")", 20_000, () -> {
            assertFalse(p.primaryEvents.closed.isDone(), () -> "primary closed: " + p.primaryEvents.closed.getNow(null));
            assertFalse(p.backupEvents.closed.isDone(), () -> "backup closed: " + p.backupEvents.closed.getNow(null));
            return p.primary.stableLsn() == 20_000;
        });
        assertEquals(sent, p.backupEvents.records, "seed " + seed);
        assertNull(p.backupEvents.orderError);
        assertNull(p.primaryEvents.orderError);
        assertEquals(20_000, p.primaryEvents.lastAck.get());
        assertEquals(20_000, p.backup.heldLsn());
        assertEquals(200, stableOrder.size());
        for (int i = 0; i < stableOrder.size(); i++) {
            assertEquals(i * 100 + 1, stableOrder.get(i));
        }
        await("lease renewed by the backup", 1000, () -> p.primary.leaseValid(System.nanoTime()));
        assertFalse(p.primaryEvents.closed.isDone());
        assertFalse(p.backupEvents.closed.isDone());
    }

    @BeforeAll
    static void warmUp() {
        LoggerFactory.getLogger(ReplicationChannelTest.class).info("initializing logging before timing anything");
    }

    @Test
    void heartbeatsKeepBothSidesUnsuspectedAndTheLeaseValid() throws Exception {
        Pair p = connectPair(TOLERANT, TOLERANT, 1, 1);
        p.primaryEvents.connected.get(5, TimeUnit.SECONDS);
        p.backupEvents.connected.get(5, TimeUnit.SECONDS);
        await("first lease", 1000, () -> p.primary.leaseValid(System.nanoTime()));
        int leaseChecks = 0;
        int checks = 0;
        long end = System.nanoTime() + 1_000_000_000L;
        while (System.nanoTime() - end < 0) {
            Thread.sleep(10);
            checks++;
            long now = System.nanoTime();
            assertFalse(p.primary.peerSuspect(now), () -> "primary suspects; largest heartbeat gap seen " + gaps(p));
            assertFalse(p.backup.peerSuspect(now), () -> "backup suspects; largest heartbeat gap seen " + gaps(p));
            if (p.primary.leaseValid(now)) {
                leaseChecks++;
            }
        }
        assertFalse(p.primaryEvents.closed.isDone(), () -> "primary closed: " + p.primaryEvents.closed.getNow(null));
        assertFalse(p.backupEvents.closed.isDone(), () -> "backup closed: " + p.backupEvents.closed.getNow(null));
        // 1 s at 20 ms: about 50 each way; a loaded machine may delay some.
        assertTrue(p.primaryEvents.heartbeats.get() >= 20, "primary heard " + p.primaryEvents.heartbeats.get() + " heartbeats");
        assertTrue(p.backupEvents.heartbeats.get() >= 20, "backup heard " + p.backupEvents.heartbeats.get() + " heartbeats");
        assertTrue(leaseChecks >= 0.9 * checks, "lease valid in only " + leaseChecks + " of " + checks + " checks; " + gaps(p));
        System.out.println("heartbeats over 1 s: " + p.primaryEvents.heartbeats + " at primary, " + p.backupEvents.heartbeats
                + " at backup; largest gap " + gaps(p) + "; lease valid in " + leaseChecks + " of " + checks + " checks");
    }

    /**
     * A writer stuck on the backup's channel (a full send buffer) must not stop its reader: records
     * and heartbeats keep arriving, and the acknowledgement owed goes out once the writer is done.
     */
    @Test
    void aBlockedWriterNeverHoldsUpTheBackupsReader() throws Exception {
        Pair p = connectedPair();
        p.primary.append(new Seed(0));
        await("the first record stable", 2000, () -> p.primary.stableLsn() == 1);
        p.backup.writeLock.lock(); // as a writer blocked in write() holds it
        try {
            int heard = p.backupEvents.heartbeats.get();
            await("a heartbeat while the writer is stuck", 2000, () -> p.backupEvents.heartbeats.get() >= heard + 2);
            for (int i = 1; i <= 20; i++) {
                p.primary.append(new Seed(i));
                Thread.sleep(5);
            }
            await("records taken while the writer is stuck", 2000, () -> p.backupEvents.records.size() == 21);
            int more = p.backupEvents.heartbeats.get();
            await("heartbeats still heard", 2000, () -> p.backupEvents.heartbeats.get() >= more + 2);
            assertEquals(1, p.primary.stableLsn(), "an acknowledgement went out past a held write lock");
        } finally {
            p.backup.writeLock.unlock();
        }
        await("the owed acknowledgement sent once the writer is done", 2000, () -> p.primary.stableLsn() == 21);
        assertFalse(p.primaryEvents.closed.isDone(), () -> "primary closed: " + p.primaryEvents.closed.getNow(null));
        assertFalse(p.backupEvents.closed.isDone(), () -> "backup closed: " + p.backupEvents.closed.getNow(null));
    }

    /**
     * A backup whose application lags holds its acknowledgements: records keep arriving and
     * heartbeats keep renewing the primary's lease, but nothing new becomes stable until the hold
     * ends, and then the owed acknowledgement follows without new records.
     */
    @Test
    void aHoldStopsStabilityButNotTheLeaseAndEndsByItself() throws Exception {
        Pair p = connectedPair();
        p.primary.append(new Seed(0));
        await("the first record stable", 2000, () -> p.primary.stableLsn() == 1);
        await("the first lease", 1000, () -> p.primary.leaseValid(System.nanoTime()));
        java.util.concurrent.atomic.AtomicBoolean lagging = new java.util.concurrent.atomic.AtomicBoolean(true);
        p.backup.holdAcknowledgementsWhile(lagging::get);
        for (int i = 1; i <= 5; i++) {
            p.primary.append(new Seed(i));
        }
        await("the records taken while holding", 2000, () -> p.backupEvents.records.size() == 6);
        long until = System.nanoTime() + 300_000_000L; // well past the lease, below the longest hold
        while (System.nanoTime() < until) {
            assertTrue(p.primary.leaseValid(System.nanoTime()), "the lease ran out during a hold");
            assertEquals(1, p.primary.stableLsn(), "a held acknowledgement advanced");
            Thread.sleep(10);
        }
        lagging.set(false); // the application caught up: no record needed
        await("the held acknowledgement sent once the hold ended", 2000, () -> p.primary.stableLsn() == 6);
        assertFalse(p.primaryEvents.closed.isDone(), () -> "primary closed: " + p.primaryEvents.closed.getNow(null));
        assertFalse(p.backupEvents.closed.isDone(), () -> "backup closed: " + p.backupEvents.closed.getNow(null));
    }

    /**
     * The owner that ends a hold says so, and the held acknowledgement goes at once, not at the
     * ticker's next heartbeat: with heartbeats 30 s apart here, nothing else decides within this
     * test. The owner's word alone ends nothing while the lag is still over the bound; and all of
     * it happens well within the longest hold ({@link BackupChannel#MAX_HOLD_NANOS}), whose
     * expiry would let an acknowledgement through by itself.
     */
    @Test
    void anOwnerThatCaughtUpEndsTheHoldAtOnce() throws Exception {
        ChannelConfig slowTicks = CONFIG.withTimings(Duration.ofSeconds(30), Duration.ofSeconds(90), Duration.ofSeconds(60), Duration.ofSeconds(15));
        long started = System.nanoTime();
        Pair p = connectPair(slowTicks, slowTicks, 1, 1);
        p.backupEvents.connected.get(5, TimeUnit.SECONDS);
        java.util.concurrent.atomic.AtomicBoolean lagging = new java.util.concurrent.atomic.AtomicBoolean(true);
        java.util.concurrent.atomic.AtomicInteger asked = new java.util.concurrent.atomic.AtomicInteger();
        p.backup.holdAcknowledgementsWhile(() -> {
            asked.incrementAndGet();
            return lagging.get();
        });
        p.primary.append(new Seed(0)); // one: a record appended while another is in flight would wait for a tick
        await("the record taken while holding", 5000, () -> p.backupEvents.records.size() == 1);
        // Asked to decide, and once more after holding (whether we caught up meanwhile): settled while lagging.
        await("the hold engaged", 5000, () -> p.backup.holdingProgress() && asked.get() >= 2);
        long engaged = System.nanoTime();
        p.backup.holdMayHaveEnded(); // still lagging: the ticker looks, and holds on
        Thread.sleep(100);
        assertEquals(0, p.primary.stableLsn(), "released while the owner still lagged");
        lagging.set(false);
        Thread.sleep(100);
        assertEquals(0, p.primary.stableLsn(), "released before the owner said so: something else decided");
        p.backup.holdMayHaveEnded();
        await("the held acknowledgement sent once the owner said so", 5000, () -> p.primary.stableLsn() == 1);
        long heldMillis = (System.nanoTime() - engaged) / 1_000_000;
        assumeTrue(heldMillis < BackupChannel.MAX_HOLD_NANOS / 1_000_000 - 100 && System.nanoTime() - started < 25_000_000_000L,
                "the machine was too slow for this test to tell the owner's word from the hold's expiry or a heartbeat (held "
                        + heldMillis + " ms)");
        assertFalse(p.backup.holdingProgress());
    }

    /** A hold that does not end lets an acknowledgement through every {@link BackupChannel#MAX_HOLD_NANOS}: a trickle, never a stall. */
    @Test
    void aHoldThatDoesNotEndLetsAnAcknowledgementThroughNowAndThen() throws Exception {
        Pair p = connectedPair();
        await("the first lease", 1000, () -> p.primary.leaseValid(System.nanoTime()));
        p.backup.holdAcknowledgementsWhile(() -> true);
        p.primary.append(new Seed(0));
        long appended = System.nanoTime();
        await("the record taken", 2000, () -> p.backupEvents.records.size() == 1);
        await("an acknowledgement let through", 3000, () -> p.primary.stableLsn() == 1);
        long waited = System.nanoTime() - appended;
        assertTrue(waited >= BackupChannel.MAX_HOLD_NANOS - 50_000_000L, "stable after only " + waited / 1_000_000 + " ms");
        assertTrue(p.primary.leaseValid(System.nanoTime()));
    }

    private static String gaps(Pair p) {
        return "at primary " + p.primaryEvents.maxHeartbeatGapNanos / 1_000_000 + " ms, at backup "
                + p.backupEvents.maxHeartbeatGapNanos / 1_000_000 + " ms";
    }

    @Test
    void backupCrashIsSeenByThePrimaryAtOnce() throws Exception {
        Pair p = connectedPair();
        long crash = System.nanoTime();
        p.backup.closeAbruptly();
        CloseReason reason = p.primaryEvents.closed.get(TIMEOUT_MS + SLACK_MS, TimeUnit.MILLISECONDS);
        assertEquals(CloseReason.Kind.PEER_CLOSED, reason.kind(), reason.toString());
        assertTrue(reason.peerMayBeDead());
        assertTrue(millisSince(crash, p.primaryEvents.closedAtNanos) <= TIMEOUT_MS + SLACK_MS);
        assertEquals(1, p.primaryEvents.closeCalls.get());
    }

    @Test
    void primaryCrashIsSeenByTheBackupAtOnce() throws Exception {
        Pair p = connectedPair();
        p.primary.append(new Seed(1));
        await("first record stable", 5000, () -> p.primary.stableLsn() == 1);
        p.primary.closeAbruptly();
        CloseReason reason = p.backupEvents.closed.get(TIMEOUT_MS + SLACK_MS, TimeUnit.MILLISECONDS);
        assertEquals(CloseReason.Kind.PEER_CLOSED, reason.kind(), reason.toString());
        assertEquals(List.of(new Seed(1)), p.backupEvents.records);
    }

    @Test
    void deliberateCloseIsNotMistakenForACrash() throws Exception {
        Pair p = connectedPair();
        p.backup.close();
        assertEquals(CloseReason.Kind.CLOSED_LOCALLY, p.backupEvents.closed.get(1, TimeUnit.SECONDS).kind());
        CloseReason reason = p.primaryEvents.closed.get(TIMEOUT_MS + SLACK_MS, TimeUnit.MILLISECONDS);
        assertEquals(CloseReason.Kind.PEER_ABORTED, reason.kind(), reason.toString());
        assertFalse(reason.peerMayBeDead());
        assertTrue(reason.message().contains("closed by its owner"), reason.message());
    }

    /** A fake backup that completes the handshake, then says nothing more (frozen, or cut off). */
    @Test
    void silentBackupIsSuspectedAfterTheTimeoutAndTheLeaseExpiresFirst() throws Exception {
        RecordStream stream = CONFIG.newRecordStream();
        Recorder events = new Recorder();
        CompletableFuture<PrimaryChannel> accepting = acceptingPrimary(loopback.server(), CONFIG, 1, stream, events);
        try (RawPeer backup = new RawPeer(new Socket(InetAddress.getLoopbackAddress(), loopback.port()))) {
            backup.send(RawPeer.handshake(new Handshake(ReplicationChannel.PROTOCOL_VERSION, Role.BACKUP, "test-cluster", 1, 0)));
            PrimaryChannel primary = accepting.get(5, TimeUnit.SECONDS);
            loopback.closeAfter(primary);
            // Answer the primary's heartbeats (echoing their times) until it holds a lease, then fall silent.
            boolean leased = false;
            long silentFrom = 0;
            for (int round = 0; round < 50 && !leased; round++) {
                assertTrue(backup.awaitControls(backup.received.controls.size() + 1, 2000), "primary's frames");
                if (backup.received.controls.getLast() instanceof String heartbeat && heartbeat.startsWith("heartbeat")) {
                    long echo = Long.parseLong(heartbeat.split(" ")[2]);
                    ByteBuffer ack = ByteBuffer.allocate(64);
                    new FrameEncoder().encodeAck(0, echo, ack);
                    silentFrom = System.nanoTime();
                    backup.send(ack.flip());
                    for (int i = 0; i < 5 && !leased; i++) {
                        Thread.sleep(1);
                        leased = primary.leaseValid(System.nanoTime());
                    }
                }
            }
            assertTrue(leased, "the primary never held a lease");
            CloseReason reason = events.closed.get(TIMEOUT_MS + SLACK_MS, TimeUnit.MILLISECONDS);
            assertEquals(CloseReason.Kind.PEER_SILENT, reason.kind(), reason.toString());
            long detectedAfter = millisSince(silentFrom, events.closedAtNanos);
            assertTrue(detectedAfter >= TIMEOUT_MS - 5, "suspected after only " + detectedAfter + " ms");
            assertTrue(detectedAfter <= TIMEOUT_MS + SLACK_MS, "suspected after " + detectedAfter + " ms");
            assertFalse(primary.leaseValid(events.closedAtNanos), "lease still valid when the backup was suspected");
        }
    }

    /** A fake primary that completes the handshake, then says nothing more. */
    @Test
    void silentPrimaryIsSuspectedAfterTheTimeout() throws Exception {
        try (ServerSocket fakePrimary = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Recorder events = new Recorder();
            BackupChannel backup = BackupChannel.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), fakePrimary.getLocalPort()),
                    null, CONNECT, CONFIG, 1, 0, events);
            loopback.closeAfter(backup);
            try (RawPeer primary = new RawPeer(fakePrimary.accept())) {
                assertTrue(primary.awaitControls(1, 2000), "backup's handshake");
                assertEquals(Role.BACKUP, ((Handshake) primary.received.controls.getFirst()).role());
                long silentFrom = System.nanoTime();
                primary.send(RawPeer.handshake(new Handshake(ReplicationChannel.PROTOCOL_VERSION, Role.PRIMARY, "test-cluster", 1, 1)));
                events.connected.get(2, TimeUnit.SECONDS);
                CloseReason reason = events.closed.get(TIMEOUT_MS + SLACK_MS, TimeUnit.MILLISECONDS);
                assertEquals(CloseReason.Kind.PEER_SILENT, reason.kind(), reason.toString());
                assertTrue(reason.peerMayBeDead());
                long detectedAfter = millisSince(silentFrom, events.closedAtNanos);
                assertTrue(detectedAfter >= TIMEOUT_MS - 5 && detectedAfter <= TIMEOUT_MS + SLACK_MS, "suspected after " + detectedAfter + " ms");
                // The backup kept heart-beating while it waited.
                assertTrue(primary.awaitControls(3, 100) || primary.received.controls.size() >= 3,
                        "backup heartbeats: " + primary.received.controls);
            }
        }
    }

    /**
     * A writer stuck on a full send buffer (the lock held, as in {@link #aBlockedWriterNeverHoldsUpTheBackupsReader})
     * must not stop the ticker: an acknowledgement owed then waits, but a primary that falls silent is still suspected.
     */
    @Test
    void aStuckWriterDoesNotHideASilentPrimary() throws Exception {
        try (ServerSocket fakePrimary = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Recorder events = new Recorder();
            BackupChannel backup = BackupChannel.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), fakePrimary.getLocalPort()),
                    null, CONNECT, TOLERANT, 1, 0, events);
            loopback.closeAfter(backup);
            try (RawPeer primary = new RawPeer(fakePrimary.accept())) {
                assertTrue(primary.awaitControls(1, 2000), "backup's handshake");
                primary.send(RawPeer.handshake(new Handshake(ReplicationChannel.PROTOCOL_VERSION, Role.PRIMARY, "test-cluster", 1, 1)));
                events.connected.get(2, TimeUnit.SECONDS);
                backup.writeLock.lock(); // as a writer blocked in write() holds it
                try {
                    primary.send(RawPeer.heartbeat(0, System.nanoTime(), 0)); // owes an echo the reader cannot send
                    long silentFrom = System.nanoTime();
                    await("the heartbeat heard", 2000, () -> events.heartbeats.get() >= 1);
                    long timeoutMs = TOLERANT.detectionTimeoutNanos() / 1_000_000;
                    CloseReason reason = events.closed.get(timeoutMs + SLACK_MS + 1000, TimeUnit.MILLISECONDS);
                    assertEquals(CloseReason.Kind.PEER_SILENT, reason.kind(), reason.toString());
                    assertTrue(millisSince(silentFrom, events.closedAtNanos) >= timeoutMs - 5, reason.toString());
                } finally {
                    backup.writeLock.unlock();
                }
            }
        }
    }

    @Test
    void corruptByteFromThePrimaryClosesTheBackupWithCorruptRecordException() throws Exception {
        try (ServerSocket fakePrimary = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Recorder events = new Recorder();
            BackupChannel backup = BackupChannel.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), fakePrimary.getLocalPort()),
                    null, CONNECT, CONFIG, 1, 0, events);
            loopback.closeAfter(backup);
            try (RawPeer primary = new RawPeer(fakePrimary.accept())) {
                assertTrue(primary.awaitControls(1, 2000));
                primary.send(RawPeer.handshake(new Handshake(ReplicationChannel.PROTOCOL_VERSION, Role.PRIMARY, "test-cluster", 1, 1)));
                primary.send(RawPeer.record(1, new Seed(11)));
                primary.send(RawPeer.record(2, new Seed(22)));
                ByteBuffer bad = RawPeer.record(3, new Seed(33));
                bad.put(20, (byte) (bad.get(20) ^ 0x10));
                primary.send(bad);
                CloseReason reason = events.closed.get(2, TimeUnit.SECONDS);
                assertEquals(CloseReason.Kind.CORRUPT_FRAME, reason.kind(), reason.toString());
                assertInstanceOf(CorruptRecordException.class, reason.cause());
                assertTrue(reason.message().contains("CRC32C mismatch"), reason.message());
                assertEquals(List.of(new Seed(11), new Seed(22)), events.records);
                // The backup told the (live) primary why it dropped the connection.
                primary.awaitControls(10, 1000);
                assertTrue(primary.received.controls.stream().anyMatch(c -> c.toString().startsWith("reject") && c.toString().contains("CRC32C")),
                        "frames the primary got: " + primary.received.controls);
            }
        }
    }

    /** Mutated record streams from a fake primary: the backup closes with a clear reason, never fails internally. */
    @Test
    void mutatedStreamsCloseTheBackupCleanly() throws Exception {
        long seed = Seeds.next();
        SplittableRandom random = new SplittableRandom(seed);
        RandomRecords gen = new RandomRecords(random, 2000);
        for (int trial = 0; trial < 20; trial++) {
            try (ServerSocket fakePrimary = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                Recorder events = new Recorder();
                BackupChannel backup = BackupChannel.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(),
                        fakePrimary.getLocalPort()), null, CONNECT, TOLERANT, 1, 0, events);
                loopback.closeAfter(backup);
                try (RawPeer primary = new RawPeer(fakePrimary.accept())) {
                    assertTrue(primary.awaitControls(1, 2000));
                    primary.send(RawPeer.handshake(new Handshake(ReplicationChannel.PROTOCOL_VERSION, Role.PRIMARY, "test-cluster", 1, 1)));
                    ByteBuffer stream = ByteBuffer.allocate(1 << 20);
                    int count = 1 + random.nextInt(50);
                    for (int i = 1; i <= count; i++) {
                        stream.put(RawPeer.record(i, gen.next()));
                    }
                    stream.flip();
                    int at = random.nextInt(stream.limit());
                    switch (random.nextInt(3)) {
                        case 0 -> stream.put(at, (byte) (stream.get(at) ^ (1 + random.nextInt(255))));
                        case 1 -> stream.putInt(Math.min(at - at % 4, stream.limit() - 4), random.nextInt()); // a whole int, inside
                        default -> {
                            byte[] garbage = new byte[1 + random.nextInt(64)];
                            random.nextBytes(garbage);
                            stream.position(at).put(garbage, 0, Math.min(garbage.length, stream.limit() - at)).position(0);
                        }
                    }
                    primary.send(stream);
                    CloseReason reason = events.closed.get(5, TimeUnit.SECONDS);
                    String where = "seed " + seed + " trial " + trial + ": " + reason;
                    assertTrue(reason.kind() == CloseReason.Kind.CORRUPT_FRAME || reason.kind() == CloseReason.Kind.PROTOCOL_VIOLATION
                            || reason.kind() == CloseReason.Kind.PEER_SILENT, where);
                    assertTrue(events.records.size() < count, where);
                }
            }
        }
    }

    @Test
    void corruptAckClosesThePrimaryWithCorruptRecordException() throws Exception {
        RecordStream stream = CONFIG.newRecordStream();
        Recorder events = new Recorder();
        CompletableFuture<PrimaryChannel> accepting = acceptingPrimary(loopback.server(), CONFIG, 1, stream, events);
        try (RawPeer backup = new RawPeer(new Socket(InetAddress.getLoopbackAddress(), loopback.port()))) {
            backup.send(RawPeer.handshake(new Handshake(ReplicationChannel.PROTOCOL_VERSION, Role.BACKUP, "test-cluster", 1, 0)));
            loopback.closeAfter(accepting.get(5, TimeUnit.SECONDS));
            events.connected.get(2, TimeUnit.SECONDS);
            ByteBuffer ack = ByteBuffer.allocate(64);
            new FrameEncoder().encodeAck(0, 0, ack);
            ack.flip().put(0, (byte) 0x00); // bad magic
            backup.send(ack);
            CloseReason reason = events.closed.get(2, TimeUnit.SECONDS);
            assertEquals(CloseReason.Kind.CORRUPT_FRAME, reason.kind(), reason.toString());
            assertInstanceOf(CorruptRecordException.class, reason.cause());
            assertTrue(reason.message().contains("bad magic"), reason.message());
        }
    }

    @Test
    void outOfOrderRecordIsAProtocolViolation() throws Exception {
        try (ServerSocket fakePrimary = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Recorder events = new Recorder();
            loopback.closeAfter(BackupChannel.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), fakePrimary.getLocalPort()),
                    null, CONNECT, CONFIG, 1, 0, events));
            try (RawPeer primary = new RawPeer(fakePrimary.accept())) {
                assertTrue(primary.awaitControls(1, 2000));
                primary.send(RawPeer.handshake(new Handshake(ReplicationChannel.PROTOCOL_VERSION, Role.PRIMARY, "test-cluster", 1, 1)));
                primary.send(RawPeer.record(1, new Seed(1)));
                primary.send(RawPeer.record(3, new Seed(3)));
                CloseReason reason = events.closed.get(2, TimeUnit.SECONDS);
                assertEquals(CloseReason.Kind.PROTOCOL_VIOLATION, reason.kind(), reason.toString());
                assertInstanceOf(OutOfOrderRecordException.class, reason.cause());
                assertEquals(List.of(new Seed(1)), events.records);
            }
        }
    }

    @Test
    void recordSentToThePrimaryIsAProtocolViolation() throws Exception {
        Recorder events = new Recorder();
        CompletableFuture<PrimaryChannel> accepting = acceptingPrimary(loopback.server(), CONFIG, 1, CONFIG.newRecordStream(), events);
        try (RawPeer backup = new RawPeer(new Socket(InetAddress.getLoopbackAddress(), loopback.port()))) {
            // Before the handshake, too.
            backup.send(RawPeer.record(1, new Seed(1)));
            loopback.closeAfter(accepting.get(5, TimeUnit.SECONDS));
            CloseReason reason = events.closed.get(2, TimeUnit.SECONDS);
            assertEquals(CloseReason.Kind.PROTOCOL_VIOLATION, reason.kind(), reason.toString());
            assertTrue(reason.message().contains("before the handshake"), reason.message());
        }
    }

    /** Before the handshake, a frame larger than a handshake is refused as soon as that much of it came, not once all of it did. */
    @Test
    void aLargeFrameBeforeTheHandshakeIsRefusedAtOnce() throws Exception {
        Recorder events = new Recorder();
        CompletableFuture<PrimaryChannel> accepting = acceptingPrimary(loopback.server(), CONFIG, 1, CONFIG.newRecordStream(), events);
        try (RawPeer backup = new RawPeer(new Socket(InetAddress.getLoopbackAddress(), loopback.port()))) {
            ByteBuffer segment = RawPeer.record(1, new io.fttcp.replication.record.Segment(
                    new io.fttcp.stack.tcp.FourTuple(0x0a000001, 80, 0x0a000002, 40000), 1, 1, 0x10, 1000, 0, 0, new byte[60_000]));
            backup.send(segment.limit(8192)); // the rest never comes
            loopback.closeAfter(accepting.get(5, TimeUnit.SECONDS));
            CloseReason reason = events.closed.get(CONFIG.handshakeTimeoutNanos() / 2_000_000, TimeUnit.MILLISECONDS);
            assertEquals(CloseReason.Kind.PROTOCOL_VIOLATION, reason.kind(), reason.toString());
            assertTrue(reason.message().contains("before the handshake"), reason.message());
        }
    }

    /**
     * A backup that heart-beats but never reads: the primary's sender blocks on the full socket,
     * yet appending never waits for it, and closing the primary ends it at once.
     */
    @Test
    void aBackupThatNeverReadsBlocksNeitherAppendsNorTheClose() throws Exception {
        ChannelConfig wide = TOLERANT.withBatches(64 * 1024, 1024, 64 << 20); // the window never stops the sender first
        RecordStream stream = wide.newRecordStream();
        Recorder events = new Recorder();
        CompletableFuture<PrimaryChannel> accepting = acceptingPrimary(loopback.server(), wide, 1, stream, events);
        Socket socket = new Socket();
        socket.setReceiveBufferSize(4096);
        socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), loopback.port()));
        try (RawPeer backup = new RawPeer(socket)) {
            backup.send(RawPeer.handshake(new Handshake(ReplicationChannel.PROTOCOL_VERSION, Role.BACKUP, "test-cluster", 1, 0)));
            PrimaryChannel primary = accepting.get(5, TimeUnit.SECONDS);
            loopback.closeAfter(primary);
            events.connected.get(2, TimeUnit.SECONDS);
            Thread beating = Thread.ofPlatform().daemon().start(() -> {
                try {
                    while (!Thread.currentThread().isInterrupted()) {
                        backup.send(RawPeer.heartbeat(0, System.nanoTime(), Lease.NO_ECHO));
                        Thread.sleep(20);
                    }
                } catch (IOException | InterruptedException e) {
                    // the primary closed, or the test ended
                }
            });
            try {
                io.fttcp.stack.tcp.FourTuple t = new io.fttcp.stack.tcp.FourTuple(0x0a000001, 80, 0x0a000002, 40000);
                long start = System.nanoTime();
                for (int i = 0; i < 512; i++) { // 32 MiB: far over what the sockets buffer
                    primary.append(new io.fttcp.replication.record.Segment(t, i, 0, 0x10, 1000, 0, 0, new byte[64 * 1024]));
                }
                assertTrue(millisSince(start, System.nanoTime()) < 2000, "appending waited for the socket");
                String sender = "primary-replication-" + primary.peerAddress() + "-sender";
                await("the sender blocked in a write", 2000, primary.writeLock::isLocked);
                Thread.sleep(200);
                assertTrue(primary.writeLock.isLocked(), "the sender's write ended: the test did not fill the socket");
                assertFalse(events.closed.isDone(), () -> "closed: " + events.closed.getNow(null));
                long closing = System.nanoTime();
                primary.close();
                assertTrue(millisSince(closing, System.nanoTime()) < 1000, "close took " + millisSince(closing, System.nanoTime()) + " ms");
                await("the sender ended", 2000, () -> Thread.getAllStackTraces().keySet().stream().noneMatch(th -> th.getName().equals(sender)));
            } finally {
                beating.interrupt();
            }
        }
    }

    @Test
    void clusterMismatchIsRefusedOnBothSides() throws Exception {
        Pair p = connectPair(CONFIG, ChannelConfig.defaults("other-cluster"), 1, 1);
        CloseReason atPrimary = p.primaryEvents.closed.get(2, TimeUnit.SECONDS);
        CloseReason atBackup = p.backupEvents.closed.get(2, TimeUnit.SECONDS);
        assertEquals(CloseReason.Kind.HANDSHAKE_REFUSED, atPrimary.kind(), atPrimary.toString());
        assertInstanceOf(HandshakeException.class, atPrimary.cause());
        assertTrue(atPrimary.message().contains("'other-cluster'"), atPrimary.message());
        assertEquals(CloseReason.Kind.HANDSHAKE_REFUSED, atBackup.kind(), atBackup.toString());
        assertTrue(atBackup.message().contains("refused our handshake") && atBackup.message().contains("other-cluster"), atBackup.message());
        assertFalse(p.primaryEvents.connected.isDone());
        assertFalse(p.backupEvents.connected.isDone());
        // A refused backup never took the channel for up: its loss costs the primary no claim window.
        assertFalse(p.primary.handshakeAccepted(), "the primary accepted a handshake it refused");
    }

    /** Once the primary accepted the backup's handshake the backup may take over, lease or not; that stays known after the close. */
    @Test
    void anAcceptedHandshakeStaysKnownAfterTheChannelCloses() throws Exception {
        Pair p = connectPair(CONFIG, CONFIG, 1, 1);
        p.primaryEvents.connected.get(5, TimeUnit.SECONDS);
        assertTrue(p.primary.handshakeAccepted());
        p.backup.close();
        p.primaryEvents.closed.get(2, TimeUnit.SECONDS);
        assertTrue(p.primary.handshakeAccepted());
    }

    @Test
    void supersededPrimaryIsRefused() throws Exception {
        Pair p = connectPair(CONFIG, CONFIG, 3, 5);
        CloseReason atPrimary = p.primaryEvents.closed.get(2, TimeUnit.SECONDS);
        assertEquals(CloseReason.Kind.HANDSHAKE_REFUSED, atPrimary.kind());
        assertTrue(atPrimary.message().contains("superseded"), atPrimary.message());
        assertEquals(CloseReason.Kind.HANDSHAKE_REFUSED, p.backupEvents.closed.get(2, TimeUnit.SECONDS).kind());
    }

    @Test
    void wrongRoleIsRefusedByTheBackup() throws Exception {
        try (ServerSocket fake = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Recorder events = new Recorder();
            loopback.closeAfter(BackupChannel.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), fake.getLocalPort()),
                    null, CONNECT, CONFIG, 1, 0, events));
            try (RawPeer other = new RawPeer(fake.accept())) {
                assertTrue(other.awaitControls(1, 2000));
                other.send(RawPeer.handshake(new Handshake(ReplicationChannel.PROTOCOL_VERSION, Role.BACKUP, "test-cluster", 1, 1)));
                CloseReason reason = events.closed.get(2, TimeUnit.SECONDS);
                assertEquals(CloseReason.Kind.HANDSHAKE_REFUSED, reason.kind());
                assertTrue(reason.message().contains("follows only a primary"), reason.message());
                other.awaitControls(2, 1000);
                assertTrue(other.received.controls.get(1).toString().startsWith("reject"), other.received.controls.toString());
            }
        }
    }

    @Test
    void reconnectingBackupGetsWhatItLacks() throws Exception {
        Pair p = connectedPair();
        for (int i = 1; i <= 100; i++) {
            p.primary.append(new Seed(i));
        }
        await("100 stable", 5000, () -> p.primary.stableLsn() == 100);
        p.backup.closeAbruptly();
        p.primaryEvents.closed.get(2, TimeUnit.SECONDS);
        for (int i = 101; i <= 150; i++) {
            synchronized (p.stream) {
                p.stream.append(new Seed(i));
            }
        }
        Recorder primaryEvents = new Recorder();
        CompletableFuture<PrimaryChannel> accepting = acceptingPrimary(loopback.server(), TOLERANT, 1, p.stream, primaryEvents);
        Recorder backupEvents = new Recorder();
        backupEvents.nextLsn.set(101);
        loopback.closeAfter(BackupChannel.connect(loopback.address(), null, CONNECT, TOLERANT, 1, 100, backupEvents));
        PrimaryChannel primary = accepting.get(5, TimeUnit.SECONDS);
        loopback.closeAfter(primary);
        await("150 stable", 5000, () -> primary.stableLsn() == 150);
        assertNull(backupEvents.orderError);
        assertEquals(50, backupEvents.records.size());
        assertEquals(new Seed(101), backupEvents.records.getFirst());
    }

    /** No test of this class leaves a replication thread behind once its channels are closed. */
    @org.junit.jupiter.api.AfterAll
    static void noReplicationThreadOutlivesItsChannel() throws InterruptedException {
        assertThreadsEnd(() -> Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().contains("-replication-")).toList());
    }

    /** The threads {@code left} lists end within 5 s; else fails naming each with its stack. */
    private static void assertThreadsEnd(java.util.function.Supplier<List<Thread>> left) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!left.get().isEmpty() && System.nanoTime() - end < 0) Thread.sleep(1);
        StringBuilder where = new StringBuilder();
        for (Thread t : left.get()) where.append('\n').append(t.getName()).append(' ').append(t.getState()).append(' ')
                .append(java.util.Arrays.toString(t.getStackTrace()));
        assertTrue(left.get().isEmpty(), "threads left behind:" + where);
    }

    @Test
    void closedChannelsLeaveNoThreadBehind() throws Exception {
        Pair p = connectedPair();
        p.primary.append(new Seed(1));
        await("stable", 5000, () -> p.primary.stableLsn() == 1);
        // This pair's threads are named after their peers (the other tests' channels, closing meanwhile, are not looked at).
        List<String> names = List.of("primary-replication-" + p.primary.peerAddress() + "-", "backup-replication-" + p.backup.peerAddress() + "-");
        java.util.function.Supplier<List<Thread>> left = () -> Thread.getAllStackTraces().keySet().stream()
                .filter(t -> names.stream().anyMatch(n -> t.getName().startsWith(n))).toList();
        assertFalse(left.get().isEmpty(), "no thread of this pair found by name: " + names);
        p.primary.close();
        p.backupEvents.closed.get(2, TimeUnit.SECONDS);
        assertThreadsEnd(left);
    }

    /** Limits whose buffers (a frame, a batch and a frame) would not fit in an int are refused when configured, not when a channel opens. */
    @Test
    void configRejectsLimitsWhoseBuffersOverflow() {
        ChannelConfig d = ChannelConfig.defaults("test-cluster");
        var e = assertThrows(IllegalArgumentException.class, () -> d.withBatches(Integer.MAX_VALUE, 1, 1));
        assertTrue(e.getMessage().contains("batch"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new ChannelConfig("test-cluster", d.heartbeatIntervalNanos(), d.detectionTimeoutNanos(),
                d.leaseNanos(), d.leaseMarginNanos(), Integer.MAX_VALUE - 100, 1, 1, d.handshakeTimeoutNanos(), 1, d.warmupNanos(), 0, 0));
    }

    @Test
    void configRejectsALeaseThatOutlivesDetection() {
        var e = assertThrows(IllegalArgumentException.class, () -> CONFIG.withTimings(Duration.ofMillis(20),
                Duration.ofMillis(150), Duration.ofMillis(120), Duration.ofMillis(50)));
        assertTrue(e.getMessage().contains("must not exceed the detection timeout"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> CONFIG.withTimings(Duration.ofMillis(100),
                Duration.ofMillis(150), Duration.ofMillis(100), Duration.ofMillis(50)));
    }
}
