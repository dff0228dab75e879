package io.fttcp.replication.channel;

import io.fttcp.replication.Seeds;
import io.fttcp.replication.codec.Handshake;
import io.fttcp.replication.codec.Role;
import io.fttcp.replication.record.LoggedRecord;
import io.fttcp.replication.record.Record;
import io.fttcp.replication.record.Seed;
import io.fttcp.replication.stream.RecordStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.ServerSocketChannel;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.LongFunction;

import static io.fttcp.replication.channel.ChannelTesting.*;
import static org.junit.jupiter.api.Assertions.*;

/** The logger's end: primaries dial it and stream records (acknowledged when stored); recovering servers fetch. */
class LoggerChannelTest {
    private ServerSocketChannel server;
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private volatile boolean storing;

    @BeforeEach
    void listen() throws IOException {
        server = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    }

    @AfterEach
    void cleanUp() throws Exception {
        storing = false;
        for (AutoCloseable c : toClose) {
            c.close();
        }
        server.close();
    }

    /** The logger's owner for one test: fixed answers, and what it was asked. */
    private static final class Sessions implements LoggerSessions {
        final List<Handshake> joins = Collections.synchronizedList(new ArrayList<>());
        final List<Handshake> fetches = Collections.synchronizedList(new ArrayList<>());
        volatile Join join;
        volatile Fetch fetch;
        volatile String refuse;
        volatile CountDownLatch fetchGate = new CountDownLatch(0);
        volatile CountDownLatch joinGate = new CountDownLatch(0);
        final List<Fetch> notAnswered = Collections.synchronizedList(new ArrayList<>());

        @Override
        public Join join(Handshake primary) throws HandshakeException {
            joins.add(primary);
            try {
                joinGate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (refuse != null) throw new HandshakeException(refuse);
            return join;
        }

        @Override
        public Fetch fetch(Handshake requester, long answerBy) throws HandshakeException {
            fetches.add(requester);
            try {
                fetchGate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (refuse != null) throw new HandshakeException(refuse);
            return fetch;
        }

        @Override
        public void fetchNotAnswered(Handshake requester, Fetch fetch) {
            notAnswered.add(fetch);
        }
    }

    private CompletableFuture<LoggerChannel> acceptLogger(ChannelConfig base, LoggerSessions sessions) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                LoggerChannel logger = LoggerChannel.accept(server, base, sessions);
                synchronized (toClose) {
                    toClose.add(logger);
                }
                return logger;
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
    }

    private PrimaryChannel dial(ChannelConfig config, long epoch, RecordStream stream, LongFunction<List<LoggedRecord>> catchUp,
                                Recorder events) throws IOException {
        PrimaryChannel primary = PrimaryChannel.connect((InetSocketAddress) server.getLocalAddress(), null, CONNECT, config, epoch,
                stream, catchUp, events);
        synchronized (toClose) {
            toClose.add(primary);
        }
        return primary;
    }

    /** The logger's storage, as a thread: acknowledges whatever was received, as an fsync-always log would. */
    private void storeContinuously(LoggerChannel logger) {
        storing = true;
        Thread.ofPlatform().daemon().name("test-storage").start(() -> {
            while (storing && !logger.isClosed()) {
                // Like a real owner, which acknowledges what its session delivered: nothing before the handshake is done.
                if (logger.isConnected()) logger.acknowledge(logger.receivedLsn());
                try {
                    Thread.sleep(1);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
    }

    private static void assertOpen(Recorder a, Recorder b, String where) {
        assertFalse(a.closed.isDone(), () -> where + ": closed: " + a.closed.getNow(null));
        assertFalse(b.closed.isDone(), () -> where + ": closed: " + b.closed.getNow(null));
    }

    @Test
    void recordsAreStableOnlyOnceTheLoggerAcknowledgesThem() throws Exception {
        Sessions sessions = new Sessions();
        Recorder stored = new Recorder();
        sessions.join = new LoggerSessions.Join(0, 1, stored);
        CompletableFuture<LoggerChannel> accepting = acceptLogger(TOLERANT, sessions);
        Recorder primaryEvents = new Recorder();
        RecordStream stream = TOLERANT.newRecordStream();
        PrimaryChannel primary = dial(TOLERANT, 1, stream, null, primaryEvents);
        LoggerChannel logger = accepting.get(5, TimeUnit.SECONDS);

        Handshake answer = primaryEvents.connected.get(5, TimeUnit.SECONDS);
        assertEquals(new Handshake(ReplicationChannel.PROTOCOL_VERSION, Role.LOGGER, "test-cluster", 1, 0), answer);
        assertEquals(List.of(new Handshake(ReplicationChannel.PROTOCOL_VERSION, Role.PRIMARY, "test-cluster", 1, 1)), sessions.joins);
        assertEquals(0, stored.caughtUp.get(5, TimeUnit.SECONDS));
        for (int i = 1; i <= 50; i++) {
            primary.append(new Seed(i));
        }
        await("the logger received 50", 5000, () -> logger.receivedLsn() == 50);
        Thread.sleep(100); // five heartbeat rounds: ACKs come back, none beyond what was acknowledged
        assertEquals(0, primary.stableLsn());
        assertEquals(0, logger.acknowledgedLsn());

        logger.acknowledge(30);
        await("30 stable", 5000, () -> primary.stableLsn() == 30);
        logger.acknowledge(20); // older: ignored
        assertEquals(30, logger.acknowledgedLsn());
        var tooFar = assertThrows(IllegalArgumentException.class, () -> logger.acknowledge(51));
        assertTrue(tooFar.getMessage().contains("only 50 were received"), tooFar.getMessage());
        logger.acknowledge(50);
        await("50 stable", 5000, () -> primary.stableLsn() == 50);
        // The owner hears of it just after the stream records it (the notification follows the update).
        await("the owner told of 50", 5000, () -> primaryEvents.lastAck.get() == 50);
        assertNull(primaryEvents.orderError);
        assertNull(stored.orderError);
        assertEquals(50, stored.records.size());
        assertOpen(primaryEvents, stored, "after acknowledging");
    }

    /** A primary at epoch 1 that has joined a logger holding nothing, both with {@code TOLERANT} timings. */
    private record Joined(PrimaryChannel primary, Recorder primaryEvents, LoggerChannel logger, Recorder stored) {
    }

    private Joined joinedPrimary() throws Exception {
        Sessions sessions = new Sessions();
        Recorder stored = new Recorder();
        sessions.join = new LoggerSessions.Join(0, 1, stored);
        CompletableFuture<LoggerChannel> accepting = acceptLogger(TOLERANT, sessions);
        Recorder primaryEvents = new Recorder();
        PrimaryChannel primary = dial(TOLERANT, 1, TOLERANT.newRecordStream(), null, primaryEvents);
        LoggerChannel logger = accepting.get(5, TimeUnit.SECONDS);
        primaryEvents.connected.get(5, TimeUnit.SECONDS);
        return new Joined(primary, primaryEvents, logger, stored);
    }

    /** With acknowledgements held back, the logger's echoes alone keep the primary's lease; lastEchoedReceiptNanos bounds it. */
    @Test
    void echoesRenewTheLeaseWhileAcknowledgementsAreDeferred() throws Exception {
        Joined j = joinedPrimary();
        PrimaryChannel primary = j.primary();
        LoggerChannel logger = j.logger();
        Recorder primaryEvents = j.primaryEvents();
        Recorder stored = j.stored();
        await("first lease", 2000, () -> primary.leaseValid(System.nanoTime()));
        int checks = 0;
        int valid = 0;
        long firstEcho = logger.lastEchoedReceiptNanos();
        long end = System.nanoTime() + 600_000_000L;
        while (System.nanoTime() - end < 0) {
            primary.append(new Seed(checks));
            Thread.sleep(5);
            long now = System.nanoTime();
            checks++;
            if (primary.leaseValid(now)) valid++;
            long expiresAt = primary.leaseExpiresAt(now);
            long echo = logger.lastEchoedReceiptNanos();
            assertTrue(expiresAt - (echo + TOLERANT.leaseNanos()) <= 0,
                    "lease runs to " + expiresAt + ", past the last echo " + echo + " + the lease");
        }
        assertEquals(0, primary.stableLsn(), "nothing was acknowledged");
        assertTrue(valid >= 0.9 * checks, "lease valid in only " + valid + " of " + checks + " checks");
        assertTrue(logger.lastEchoedReceiptNanos() - firstEcho > 300_000_000L, "echoes stopped: " + (logger.lastEchoedReceiptNanos() - firstEcho) + " ns");
        assertOpen(primaryEvents, stored, "deferred");
    }

    /**
     * A writer stuck on the channel (a full send buffer) must not stop the logger's reader: it
     * goes on taking records and heartbeats, so a live primary never looks silent, and the echo
     * it owes goes out once the writer is done.
     */
    @Test
    void aBlockedWriterNeverHoldsUpTheReader() throws Exception {
        Joined j = joinedPrimary();
        PrimaryChannel primary = j.primary();
        LoggerChannel logger = j.logger();
        Recorder primaryEvents = j.primaryEvents();
        Recorder stored = j.stored();
        await("first echo", 2000, () -> logger.lastEchoedReceiptNanos() != Lease.NO_ECHO);

        logger.writeLock.lock(); // as a writer blocked in write() holds it
        long echoBefore;
        try {
            echoBefore = logger.lastEchoedReceiptNanos();
            int heard = stored.heartbeats.get();
            await("a heartbeat while the writer is stuck", 2000, () -> stored.heartbeats.get() >= heard + 2);
            for (int i = 1; i <= 20; i++) {
                primary.append(new Seed(i));
                Thread.sleep(5);
            }
            await("records taken while the writer is stuck", 2000, () -> stored.records.size() == 20);
            int more = stored.heartbeats.get();
            await("heartbeats still heard", 2000, () -> stored.heartbeats.get() >= more + 2);
            assertEquals(echoBefore, logger.lastEchoedReceiptNanos(), "an echo went out past a held write lock");
        } finally {
            logger.writeLock.unlock();
        }
        await("the owed echo sent once the writer is done", 2000, () -> logger.lastEchoedReceiptNanos() > echoBefore);
        assertOpen(primaryEvents, stored, "after the stuck writer");
    }

    /**
     * A writer stuck on a full send buffer must not stop the logger's ticker: the echo owed then
     * waits, but a primary that falls silent is still suspected.
     */
    @Test
    void aStuckWriterDoesNotHideASilentPrimary() throws Exception {
        Sessions sessions = new Sessions();
        Recorder stored = new Recorder();
        sessions.join = new LoggerSessions.Join(0, 1, stored);
        CompletableFuture<LoggerChannel> accepting = acceptLogger(TOLERANT, sessions);
        try (RawPeer primary = new RawPeer(new Socket(InetAddress.getLoopbackAddress(), ((InetSocketAddress) server.getLocalAddress()).getPort()))) {
            primary.send(RawPeer.handshake(new Handshake(ReplicationChannel.PROTOCOL_VERSION, Role.PRIMARY, "test-cluster", 1, 1)));
            LoggerChannel logger = accepting.get(5, TimeUnit.SECONDS);
            stored.connected.get(2, TimeUnit.SECONDS);
            logger.writeLock.lock(); // as a writer blocked in write() holds it
            try {
                primary.send(RawPeer.heartbeat(0, System.nanoTime(), Lease.NO_ECHO)); // owes an echo the reader cannot send
                long silentFrom = System.nanoTime();
                await("the heartbeat heard", 2000, () -> stored.heartbeats.get() >= 1);
                long timeoutMs = TOLERANT.detectionTimeoutNanos() / 1_000_000;
                CloseReason reason = stored.closed.get(timeoutMs + 1300, TimeUnit.MILLISECONDS);
                assertEquals(CloseReason.Kind.PEER_SILENT, reason.kind(), reason.toString());
                assertTrue((stored.closedAtNanos - silentFrom) / 1_000_000 >= timeoutMs - 5, reason.toString());
            } finally {
                logger.writeLock.unlock();
            }
        }
    }

    /**
     * Many connections that say nothing (a port scan, a flood) cost the logger little memory each
     * until their handshake timeout closes them: a frame of a megabyte is room only a peer that
     * completed its handshake gets, or a thousand silent connections exhaust the direct memory
     * every channel needs.
     */
    @Test
    void silentConnectionsHoldLittleMemoryAndAreClosedAtTheirHandshakeDeadline() throws Exception {
        int connections = 32;
        ChannelConfig config = TOLERANT.withHandshakeTimeout(java.time.Duration.ofMillis(1500));
        java.lang.management.BufferPoolMXBean direct = java.lang.management.ManagementFactory
                .getPlatformMXBeans(java.lang.management.BufferPoolMXBean.class).stream()
                .filter(b -> b.getName().equals("direct")).findFirst().orElseThrow();
        System.gc(); // the direct buffers of earlier tests' closed channels are freed only once collected
        Thread.sleep(200);
        long before = direct.getMemoryUsed();
        Sessions sessions = new Sessions();
        List<LoggerChannel> channels = Collections.synchronizedList(new ArrayList<>());
        List<Socket> silent = new ArrayList<>();
        Thread acceptor = Thread.ofPlatform().daemon().start(() -> {
            try {
                for (int i = 0; i < connections; i++) channels.add(LoggerChannel.accept(server, config, sessions));
            } catch (IOException e) {
                // the test fails on the count below
            }
        });
        try {
            for (int i = 0; i < connections; i++) {
                silent.add(new Socket(InetAddress.getLoopbackAddress(), ((InetSocketAddress) server.getLocalAddress()).getPort()));
            }
            acceptor.join(5000);
            assertEquals(connections, channels.size(), "channels accepted");
            Thread.sleep(300); // the readers start and take their buffers
            long perConnection = (direct.getMemoryUsed() - before) / connections;
            assertTrue(perConnection < 64 * 1024, "each silent connection holds " + perConnection + " bytes of direct memory");
            await("every silent connection closed", 5000, () -> channels.stream().allMatch(LoggerChannel::isClosed));
            assertTrue(sessions.joins.isEmpty() && sessions.fetches.isEmpty());
        } finally {
            for (Socket s : silent) s.close();
            synchronized (channels) {
                for (LoggerChannel c : channels) c.close();
            }
        }
    }

    /**
     * A join the owner answers only after the channel's handshake deadline closed it: the join's
     * listener, which the owner took as the cluster's primary, still hears that the session ended.
     */
    @Test
    void aJoinAnsweredAfterItsChannelClosedIsToldOfTheClose() throws Exception {
        Sessions sessions = new Sessions();
        Recorder late = new Recorder();
        sessions.join = new LoggerSessions.Join(0, 1, late);
        sessions.joinGate = new CountDownLatch(1);
        CompletableFuture<LoggerChannel> accepting = acceptLogger(TOLERANT.withHandshakeTimeout(java.time.Duration.ofMillis(300)), sessions);
        try (RawPeer primary = new RawPeer(new Socket(InetAddress.getLoopbackAddress(), ((InetSocketAddress) server.getLocalAddress()).getPort()))) {
            primary.send(RawPeer.handshake(new Handshake(ReplicationChannel.PROTOCOL_VERSION, Role.PRIMARY, "test-cluster", 1, 1)));
            LoggerChannel logger = accepting.get(5, TimeUnit.SECONDS);
            await("the join asked", 2000, () -> sessions.joins.size() == 1);
            await("the channel closed at its handshake deadline", 2000, logger::isClosed);
            sessions.joinGate.countDown();
            CloseReason reason = late.closed.get(2, TimeUnit.SECONDS);
            assertEquals(CloseReason.Kind.PEER_SILENT, reason.kind(), reason.toString());
            assertFalse(late.connected.isDone());
        }
    }

    /** A dialing primary resumes from what the logger holds (more than it acknowledged), across a reconnection. */
    @Test
    void dialingPrimaryResumesWithALoggerThatHoldsRecords() throws Exception {
        Sessions sessions = new Sessions();
        Recorder first = new Recorder();
        sessions.join = new LoggerSessions.Join(0, 1, first);
        CompletableFuture<LoggerChannel> accepting = acceptLogger(TOLERANT, sessions);
        RecordStream stream = TOLERANT.newRecordStream();
        Recorder primaryEvents = new Recorder();
        PrimaryChannel primary = dial(TOLERANT, 1, stream, null, primaryEvents);
        LoggerChannel logger = accepting.get(5, TimeUnit.SECONDS);
        for (int i = 1; i <= 100; i++) {
            primary.append(new Seed(i));
        }
        await("the logger received 100", 5000, () -> logger.receivedLsn() == 100);
        logger.acknowledge(60);
        await("60 stable", 5000, () -> primary.stableLsn() == 60);
        primary.close();
        assertEquals(CloseReason.Kind.PEER_ABORTED, first.closed.get(2, TimeUnit.SECONDS).kind());
        for (int i = 101; i <= 120; i++) {
            synchronized (stream) {
                stream.append(new Seed(i));
            }
        }

        // The logger stored 80 before the connection went (its acknowledgement of 61..80 was lost).
        Recorder second = new Recorder();
        second.nextLsn.set(81);
        sessions.join = new LoggerSessions.Join(80, 1, second);
        CompletableFuture<LoggerChannel> again = acceptLogger(TOLERANT, sessions);
        Recorder primaryEvents2 = new Recorder();
        PrimaryChannel resumed = dial(TOLERANT, 1, stream, null, primaryEvents2);
        LoggerChannel logger2 = again.get(5, TimeUnit.SECONDS);
        assertEquals(80, primaryEvents2.connected.get(5, TimeUnit.SECONDS).lsn());
        assertEquals(61, sessions.joins.getLast().lsn(), "a dialing primary states its stable LSN + 1");
        assertEquals(80, second.caughtUp.get(5, TimeUnit.SECONDS));
        storeContinuously(logger2);
        await("120 stable", 5000, () -> {
            assertOpen(primaryEvents2, second, "resumed");
            return resumed.stableLsn() == 120;
        });
        assertEquals(121, resumed.append(new Seed(121)));
        await("121 stable", 5000, () -> resumed.stableLsn() == 121);
        assertNull(second.orderError);
        List<Record> expected = new ArrayList<>();
        for (int i = 81; i <= 121; i++) {
            expected.add(new Seed(i));
        }
        assertEquals(expected, second.records);
        assertEquals(List.of("connected", "caught-up 80", "records"), second.events.subList(0, 3));
    }

    /** Seeded: a fresh logger behind a primary that dropped records gets the retained ones as a catch-up, past the window. */
    @Test
    void dialingPrimaryCatchesUpAFreshLogger() throws Exception {
        long seed = Seeds.next();
        SplittableRandom random = new SplittableRandom(seed);
        String where = "seed " + seed;
        long stable = 3000 + random.nextInt(3000);
        List<LoggedRecord> retained = retained(random, stable, 0.3 + 0.6 * random.nextDouble());
        assertTrue(frameBytes(retained) > 2 * WINDOWED.maxInFlightBytes(), where);
        RecordStream stream = WINDOWED.newRecordStream();
        stream.resetTo(stable);
        for (int i = 1; i <= 50; i++) {
            stream.append(new Seed(i));
        }
        Sessions sessions = new Sessions();
        Recorder stored = new Recorder();
        sessions.join = new LoggerSessions.Join(0, 1, stored);
        CompletableFuture<LoggerChannel> accepting = acceptLogger(WINDOWED, sessions);
        Recorder primaryEvents = new Recorder();
        PrimaryChannel primary = dial(WINDOWED, 1, stream, s -> retained, primaryEvents);
        LoggerChannel logger = accepting.get(5, TimeUnit.SECONDS);
        storeContinuously(logger);
        assertEquals(stable, stored.caughtUp.get(20, TimeUnit.SECONDS), where);
        await("the stream stable (" + where + ")", 20_000, () -> {
            assertOpen(primaryEvents, stored, where);
            return primary.stableLsn() == stable + 50;
        });
        assertNull(stored.orderError, where);
        int n = retained.size();
        assertEquals(retained.stream().map(LoggedRecord::lsn).toList(), stored.lsns.subList(0, n), where);
        assertEquals(retained.stream().map(LoggedRecord::record).toList(), stored.records.subList(0, n), where);
        assertEquals(50, stored.records.size() - n, where);
        assertEquals(stable + 50, logger.acknowledgedLsn(), where);
    }

    /**
     * A primary serving unprotected switches to a stream for the logger only once the TCP
     * connection is made: a logger that cannot be reached never sees the supplier called (the
     * primary's clients are not held for it); one that answers "holding nothing" to a primary
     * that dropped records (it ran without it) gets the supplied stream's catch-up.
     */
    @Test
    void theStreamIsAskedForOnlyOnceConnected() throws Exception {
        InetSocketAddress nobody;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            nobody = new InetSocketAddress(InetAddress.getLoopbackAddress(), s.getLocalPort());
        }
        java.util.concurrent.atomic.AtomicInteger asked = new java.util.concurrent.atomic.AtomicInteger();
        assertThrows(IOException.class, () -> PrimaryChannel.connect(nobody, null, CONNECT, TOLERANT, 1, () -> {
            asked.incrementAndGet();
            return TOLERANT.newRecordStream();
        }, null, new Recorder()));
        assertEquals(0, asked.get(), "no connection, no stream switched");

        RecordStream stream = TOLERANT.newRecordStream();
        stream.resetTo(40);
        List<LoggedRecord> retained = List.of(new LoggedRecord(3, new Seed(3)), new LoggedRecord(17, new Seed(17)));
        Sessions sessions = new Sessions();
        Recorder stored = new Recorder();
        sessions.join = new LoggerSessions.Join(0, 1, stored);
        CompletableFuture<LoggerChannel> accepting = acceptLogger(TOLERANT, sessions);
        Recorder primaryEvents = new Recorder();
        PrimaryChannel primary = PrimaryChannel.connect((InetSocketAddress) server.getLocalAddress(), null, CONNECT, TOLERANT, 1, () -> {
            asked.incrementAndGet();
            return stream;
        }, s -> retained, primaryEvents);
        toClose.add(primary);
        LoggerChannel logger = accepting.get(5, TimeUnit.SECONDS);
        assertEquals(1, asked.get());
        storeContinuously(logger);
        assertEquals(40, stored.caughtUp.get(5, TimeUnit.SECONDS));
        assertEquals(41, sessions.joins.getFirst().lsn(), "it announces the records it dropped as stable");
        primary.append(new Seed(41));
        await("stable", 5_000, () -> primary.stableLsn() == 41);
        assertEquals(List.of(3L, 17L, 41L), stored.lsns);
    }

    /**
     * A fetch whose records are read as they are sent (a source): the requester gets them all,
     * then CAUGHT_UP, and the source is closed once drained; a requester that goes away mid-fetch
     * leaves it closed too, never read further.
     */
    @Test
    void aFetchFromASourceIsReadAsItIsSentAndClosedAtTheEnd() throws Exception {
        long seed = Seeds.next();
        SplittableRandom random = new SplittableRandom(seed);
        String where = "seed " + seed;
        for (boolean leaveEarly : new boolean[] {false, true}) {
            long through = 20_000 + random.nextInt(3000);
            List<LoggedRecord> retained = retained(random, through, 0.9);
            java.util.concurrent.atomic.AtomicInteger taken = new java.util.concurrent.atomic.AtomicInteger();
            java.util.concurrent.atomic.AtomicInteger closed = new java.util.concurrent.atomic.AtomicInteger();
            java.util.Iterator<LoggedRecord> it = retained.iterator();
            Sessions sessions = new Sessions();
            sessions.fetch = new LoggerSessions.Fetch(4, through, new io.fttcp.replication.stream.CatchUpSource() {
                @Override
                public LoggedRecord next() {
                    if (!it.hasNext()) return null;
                    taken.incrementAndGet();
                    return it.next();
                }

                @Override
                public void close() {
                    closed.incrementAndGet();
                }
            });
            CompletableFuture<LoggerChannel> accepting = acceptLogger(WINDOWED, sessions);
            Recorder requester = new Recorder();
            BackupChannel fetching = BackupChannel.connect((InetSocketAddress) server.getLocalAddress(), null, CONNECT, TOLERANT, 3, 0, requester);
            toClose.add(fetching);
            LoggerChannel logger = accepting.get(5, TimeUnit.SECONDS);
            if (leaveEarly) {
                await("some records", 5000, () -> requester.lsns.size() > 10);
                fetching.close();
                await("the logger's side closed", 2000, logger::isClosed);
                await("the source closed", 2000, () -> closed.get() == 1);
                int atClose = taken.get();
                Thread.sleep(50);
                assertEquals(atClose, taken.get(), where + ": read after the close");
                assertTrue(atClose < retained.size(), where + ": the requester left before the end, yet all was read");
            } else {
                assertEquals(through, requester.caughtUp.get(20, TimeUnit.SECONDS), where);
                assertEquals(retained.stream().map(LoggedRecord::lsn).toList(), requester.lsns, where);
                assertEquals(retained.stream().map(LoggedRecord::record).toList(), requester.records, where);
                await("the source closed once drained", 2000, () -> closed.get() >= 1);
                fetching.close();
            }
        }
    }

    /** Seeded: a recovering server fetches; the owner blocks in fetch first; records arrive as a catch-up, then CAUGHT_UP. */
    @Test
    void fetchSendsTheLiveRecordsAsACatchUpAfterABlockingFetch() throws Exception {
        long seed = Seeds.next();
        SplittableRandom random = new SplittableRandom(seed);
        String where = "seed " + seed;
        long through = 2000 + random.nextInt(3000);
        List<LoggedRecord> retained = retained(random, through, 0.3 + 0.6 * random.nextDouble());
        Sessions sessions = new Sessions();
        sessions.fetch = new LoggerSessions.Fetch(4, through, retained);
        sessions.fetchGate = new CountDownLatch(1);
        CompletableFuture<LoggerChannel> accepting = acceptLogger(WINDOWED, sessions);
        Recorder requester = new Recorder();
        BackupChannel fetching = BackupChannel.connect((InetSocketAddress) server.getLocalAddress(), null, CONNECT, TOLERANT, 3, 0, requester);
        toClose.add(fetching);
        LoggerChannel logger = accepting.get(5, TimeUnit.SECONDS);
        await("the fetch asked", 2000, () -> sessions.fetches.size() == 1);
        Thread.sleep(300); // the owner waits for the old primary to be gone
        assertFalse(requester.connected.isDone(), "answered before the fetch returned");
        sessions.fetchGate.countDown();

        Handshake answer = requester.connected.get(5, TimeUnit.SECONDS);
        assertEquals(new Handshake(ReplicationChannel.PROTOCOL_VERSION, Role.LOGGER, "test-cluster", 4, through + 1), answer);
        assertEquals(new Handshake(ReplicationChannel.PROTOCOL_VERSION, Role.BACKUP, "test-cluster", 3, 0), sessions.fetches.getFirst());
        assertEquals(through, requester.caughtUp.get(20, TimeUnit.SECONDS), where);
        assertNull(requester.orderError, where);
        assertEquals(retained.stream().map(LoggedRecord::lsn).toList(), requester.lsns, where);
        assertEquals(retained.stream().map(LoggedRecord::record).toList(), requester.records, where);
        assertEquals("caught-up " + through, requester.events.getLast(), where);
        assertEquals(4, fetching.primaryEpoch());
        assertEquals(through, fetching.heldLsn());

        // Then only heartbeats, until the requester is done.
        int heard = requester.heartbeats.get();
        Thread.sleep(200);
        assertTrue(requester.heartbeats.get() > heard + 3, "heartbeats after the fetch: " + (requester.heartbeats.get() - heard));
        assertFalse(requester.closed.isDone(), () -> "closed: " + requester.closed.getNow(null));
        assertFalse(logger.isClosed());
        assertThrows(IllegalStateException.class, () -> logger.acknowledge(1), "a fetch takes no acknowledgements");
        fetching.close();
        await("the logger's side closed", 2000, logger::isClosed);
        String name = "logger-replication-" + logger.peerAddress();
        await("the fetch's threads to end", 5000, () -> Thread.getAllStackTraces().keySet().stream().noneMatch(t -> t.getName().startsWith(name)));
    }

    /**
     * An owner's fetch that returns after the channel's handshake timeout closed it: the answer is
     * not sent, the fetch's source is closed, and the owner is told, so that it withdraws what it
     * granted (a logger's grant to a requester that never heard it blocked every recovery).
     */
    @Test
    void aFetchDecidedAfterItsChannelClosedIsNotAnsweredAndTheOwnerIsTold() throws Exception {
        java.util.concurrent.atomic.AtomicInteger sourceClosed = new java.util.concurrent.atomic.AtomicInteger();
        Sessions sessions = new Sessions();
        sessions.fetch = new LoggerSessions.Fetch(4, 10, new io.fttcp.replication.stream.CatchUpSource() {
            @Override
            public LoggedRecord next() {
                return null;
            }

            @Override
            public void close() {
                sourceClosed.incrementAndGet();
            }
        });
        sessions.fetchGate = new CountDownLatch(1);
        CompletableFuture<LoggerChannel> accepting = acceptLogger(TOLERANT.withHandshakeTimeout(java.time.Duration.ofMillis(300)), sessions);
        Recorder requester = new Recorder();
        toClose.add(BackupChannel.connect((InetSocketAddress) server.getLocalAddress(), null, CONNECT, TOLERANT, 3, 0, requester));
        LoggerChannel logger = accepting.get(5, TimeUnit.SECONDS);
        await("the fetch asked", 2000, () -> sessions.fetches.size() == 1);
        await("the logger's handshake timeout", 2000, logger::isClosed);
        sessions.fetchGate.countDown(); // the owner grants only now
        await("the owner told", 2000, () -> sessions.notAnswered.size() == 1);
        assertSame(sessions.fetch, sessions.notAnswered.getFirst());
        assertEquals(1, sourceClosed.get(), "the fetch's source closed");
        Thread.sleep(100);
        assertFalse(requester.connected.isDone(), "the requester got an answer from a closed channel");
    }

    /**
     * A fetch from a log that a broken-off catch-up left behind its clients says so first
     * (INCOMPLETE through an LSN), then names the clients to reset (the roster), then sends the
     * records as usual.
     */
    @Test
    void anIncompleteFetchSaysSoAheadOfItsRosterAndRecords() throws Exception {
        long seed = Seeds.next();
        SplittableRandom random = new SplittableRandom(seed);
        String where = "seed " + seed;
        long through = 500 + random.nextInt(500);
        List<LoggedRecord> retained = retained(random, through, 0.5);
        java.util.Iterator<LoggedRecord> left = retained.iterator();
        io.fttcp.replication.stream.CatchUpSource source = new io.fttcp.replication.stream.CatchUpSource() {
            @Override
            public LoggedRecord next() {
                return left.hasNext() ? left.next() : null;
            }

            @Override
            public void close() {
            }
        };
        List<io.fttcp.replication.codec.RosterEntry> roster = List.of(
                new io.fttcp.replication.codec.RosterEntry(new io.fttcp.stack.tcp.FourTuple(0xC612_0064, 80, 0xC612_000A, 40_001), 7, 9),
                new io.fttcp.replication.codec.RosterEntry(new io.fttcp.stack.tcp.FourTuple(0xC612_0064, 80, 0xC612_000A, 40_002), 8, 10));
        Sessions sessions = new Sessions();
        sessions.fetch = new LoggerSessions.Fetch(4, through, source, through / 2, roster);
        CompletableFuture<LoggerChannel> accepting = acceptLogger(TOLERANT, sessions);
        Recorder requester = new Recorder();
        toClose.add(BackupChannel.connect((InetSocketAddress) server.getLocalAddress(), null, CONNECT, TOLERANT, 3, 0, requester));
        accepting.get(5, TimeUnit.SECONDS);
        assertEquals(through, requester.caughtUp.get(20, TimeUnit.SECONDS), where);
        assertNull(requester.orderError, where);
        assertEquals(List.of("connected", "incomplete " + through / 2, "roster", "records"), requester.events.subList(0, 4), where);
        assertEquals(roster, requester.roster, where);
        assertEquals(retained.stream().map(LoggedRecord::record).toList(), requester.records, where);
    }

    @Test
    void emptyFetchIsJustCaughtUpAtZero() throws Exception {
        Sessions sessions = new Sessions();
        sessions.fetch = new LoggerSessions.Fetch(2, 0, List.of());
        CompletableFuture<LoggerChannel> accepting = acceptLogger(TOLERANT, sessions);
        Recorder requester = new Recorder();
        toClose.add(BackupChannel.connect((InetSocketAddress) server.getLocalAddress(), null, CONNECT, TOLERANT, 1, 0, requester));
        accepting.get(5, TimeUnit.SECONDS);
        assertEquals(1, requester.connected.get(5, TimeUnit.SECONDS).lsn());
        assertEquals(0, requester.caughtUp.get(5, TimeUnit.SECONDS));
        Thread.sleep(100);
        assertEquals(List.of("connected", "caught-up 0"), requester.events);
    }

    private CloseReason refusedPrimary(Sessions sessions, long epoch, RecordStream stream) throws Exception {
        CompletableFuture<LoggerChannel> accepting = acceptLogger(TOLERANT, sessions);
        Recorder events = new Recorder();
        dial(TOLERANT, epoch, stream, null, events);
        accepting.get(5, TimeUnit.SECONDS);
        CloseReason reason = events.closed.get(3, TimeUnit.SECONDS);
        assertFalse(events.connected.isDone());
        return reason;
    }

    @Test
    void theLoggerRefusesWhatItMustNotServe() throws Exception {
        Sessions sessions = new Sessions();
        sessions.refuse = "cluster 'test-cluster' is not served here";
        CloseReason unknown = refusedPrimary(sessions, 1, TOLERANT.newRecordStream());
        assertEquals(CloseReason.Kind.HANDSHAKE_REFUSED, unknown.kind(), unknown.toString());
        assertTrue(unknown.message().contains("is not served here"), unknown.message());

        sessions.refuse = null;
        Recorder olderEpoch = new Recorder();
        sessions.join = new LoggerSessions.Join(0, 5, olderEpoch);
        CloseReason superseded = refusedPrimary(sessions, 3, TOLERANT.newRecordStream());
        assertEquals(CloseReason.Kind.HANDSHAKE_REFUSED, superseded.kind(), superseded.toString());
        assertTrue(superseded.message().contains("superseded"), superseded.message());
        assertTrue(olderEpoch.closed.get(2, TimeUnit.SECONDS).message().contains("superseded"));
        assertFalse(olderEpoch.connected.isDone());

        Recorder never = new Recorder();

        sessions.join = new LoggerSessions.Join(5, 1, never);
        RecordStream dropped = TOLERANT.newRecordStream();
        dropped.resetTo(20);
        CloseReason missing = refusedPrimary(sessions, 1, dropped);
        assertEquals(CloseReason.Kind.HANDSHAKE_REFUSED, missing.kind(), missing.toString());
        assertTrue(missing.message().contains("records are missing"), missing.message());
        assertFalse(never.connected.isDone());
        CloseReason told = never.closed.get(2, TimeUnit.SECONDS); // the join's listener hears the refusal
        assertEquals(CloseReason.Kind.HANDSHAKE_REFUSED, told.kind(), told.toString());
        assertTrue(told.message().contains("records are missing"), told.message());

        sessions.refuse = "nothing logged for 'test-cluster'";
        CompletableFuture<LoggerChannel> accepting = acceptLogger(TOLERANT, sessions);
        Recorder requester = new Recorder();
        toClose.add(BackupChannel.connect((InetSocketAddress) server.getLocalAddress(), null, CONNECT, TOLERANT, 1, 0, requester));
        accepting.get(5, TimeUnit.SECONDS);
        CloseReason noFetch = requester.closed.get(3, TimeUnit.SECONDS);
        assertEquals(CloseReason.Kind.HANDSHAKE_REFUSED, noFetch.kind(), noFetch.toString());
        assertTrue(noFetch.message().contains("nothing logged"), noFetch.message());

        sessions.refuse = null;
        sessions.fetch = new LoggerSessions.Fetch(1, 0, List.of());
        accepting = acceptLogger(TOLERANT, sessions);
        Recorder holding = new Recorder();
        toClose.add(BackupChannel.connect((InetSocketAddress) server.getLocalAddress(), null, CONNECT, TOLERANT, 1, 7, holding));
        accepting.get(5, TimeUnit.SECONDS);
        CloseReason notEmpty = holding.closed.get(3, TimeUnit.SECONDS);
        assertEquals(CloseReason.Kind.HANDSHAKE_REFUSED, notEmpty.kind(), notEmpty.toString());
        assertTrue(notEmpty.message().contains("holds up to LSN 7"), notEmpty.message());

        accepting = acceptLogger(TOLERANT, sessions);
        try (RawPeer other = new RawPeer(new Socket(InetAddress.getLoopbackAddress(), ((InetSocketAddress) server.getLocalAddress()).getPort()))) {
            other.send(RawPeer.handshake(new Handshake(ReplicationChannel.PROTOCOL_VERSION, Role.LOGGER, "test-cluster", 1, 0)));
            LoggerChannel logger = accepting.get(5, TimeUnit.SECONDS);
            assertTrue(other.awaitControls(1, 2000));
            assertTrue(other.received.controls.getFirst().toString().contains("a logger serves primaries"), other.received.controls.toString());
            await("the logger closed", 2000, logger::isClosed);
        }
        // Not asked: about a requester that holds records, nor about a logger.
        assertEquals(3, sessions.joins.size());
        assertEquals(1, sessions.fetches.size());
    }

    private record FakeAnswer(String name, long epoch, long held, String message) {
    }

    /** The dialing primary's own checks, against a fake logger's answers. */
    @Test
    void theDialingPrimaryRefusesAnImpossibleAnswer() throws Exception {
        List<FakeAnswer> answers = List.of(
                new FakeAnswer("holds more than was appended", 1, 500, "another primary's history"),
                new FakeAnswer("saw a newer epoch", 9, 0, "superseded"),
                new FakeAnswer("holds less than the stable LSN", 1, 5, "must start empty"),
                new FakeAnswer("holds nothing, and no catch-up source", 1, 0, "full catch-up"));
        for (FakeAnswer a : answers) {
            try (ServerSocket fakeLogger = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                RecordStream stream = TOLERANT.newRecordStream();
                stream.resetTo(20);
                stream.append(new Seed(21));
                Recorder events = new Recorder();
                PrimaryChannel primary = PrimaryChannel.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), fakeLogger.getLocalPort()),
                        null, CONNECT, TOLERANT, 3, stream, null, events);
                toClose.add(primary);
                try (RawPeer logger = new RawPeer(fakeLogger.accept())) {
                    assertTrue(logger.awaitControls(1, 2000), a.name);
                    assertEquals(new Handshake(ReplicationChannel.PROTOCOL_VERSION, Role.PRIMARY, "test-cluster", 3, 21),
                            logger.received.controls.getFirst(), a.name);
                    logger.send(RawPeer.handshake(new Handshake(ReplicationChannel.PROTOCOL_VERSION, Role.LOGGER, "test-cluster", a.epoch, a.held)));
                    CloseReason reason = events.closed.get(3, TimeUnit.SECONDS);
                    assertEquals(CloseReason.Kind.HANDSHAKE_REFUSED, reason.kind(), a.name + ": " + reason);
                    assertTrue(reason.message().contains(a.message), a.name + ": " + reason.message());
                    logger.awaitControls(2, 1000);
                    assertTrue(logger.received.controls.stream().anyMatch(c -> c.toString().startsWith("reject") && c.toString().contains(a.message)),
                            a.name + ": " + logger.received.controls);
                }
            }
        }
    }
}
