package io.fttcp.replication.channel;

import io.fttcp.replication.codec.CorruptRecordException;
import io.fttcp.replication.codec.FrameDecoder;
import io.fttcp.replication.codec.FrameEncoder;
import io.fttcp.replication.codec.FrameHandler;
import io.fttcp.replication.codec.Handshake;
import io.fttcp.replication.codec.PeerText;
import io.fttcp.replication.codec.ReplicationProtocolException;
import io.fttcp.replication.codec.Role;
import io.fttcp.replication.codec.RosterEntry;
import io.fttcp.replication.record.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One replication connection over the kernel's TCP: the I/O edge around the sans-I/O codec,
 * stream, {@link FailureDetector} and {@link Lease}. A reader thread decodes what arrives; a
 * ticker thread sends heartbeats and checks the peer's silence (it never blocks on the socket,
 * so a stuck write cannot hide a dead peer). Any corrupt or unexpected frame, silence, or
 * socket error closes the connection once, logs why, and tells the owner
 * ({@link ChannelListener#onClosed}); nothing escapes the threads.
 *
 * <p>A live side that drops the connection on purpose first sends a REJECT frame with its
 * reason, so the peer sees {@link CloseReason.Kind#PEER_ABORTED} (or
 * {@link CloseReason.Kind#HANDSHAKE_REFUSED}) instead of what a crash looks like.
 */
public abstract sealed class ReplicationChannel implements AutoCloseable permits PrimaryChannel, BackupChannel, LoggerChannel {
    /** Version of the replication protocol (handshake and frame meanings). */
    public static final int PROTOCOL_VERSION = 5;
    private static final Logger log = LoggerFactory.getLogger(ReplicationChannel.class);
    /** Repeated refusals (a waiting standby's, every 1.5 s) warn once a minute. */
    private static final RepeatedRefusals REFUSALS = new RepeatedRefusals(60_000_000_000L);
    /** Connections that end before the peer said who it is (a scan, a probe, a flood), per host: once a minute each. */
    private static final RepeatedRefusals STRANGERS = new RepeatedRefusals(60_000_000_000L);
    /** A floor that cannot be set, per host and why: once a minute (a kernel without the option says so for every connection). */
    private static final RepeatedRefusals FLOOR_NOT_SET = new RepeatedRefusals(60_000_000_000L);
    private static final Duration ABORT_GRACE = Duration.ofMillis(50);
    /**
     * The reader's buffer until the handshake is done: room for any frame that may come before it
     * (a HANDSHAKE or a REJECT, under 1.1 KiB). The buffer for the largest frame (a megabyte) is
     * taken only then, so that many connections that never say who they are cost little memory.
     */
    private static final int HANDSHAKE_READ_BYTES = 4096;

    final SocketChannel socket;
    final ChannelConfig config;
    final ChannelListener listener;
    final String peer;
    private final Role role;
    private final FrameDecoder decoder;
    private final FrameEncoder controlEncoder;
    final ReentrantLock writeLock = new ReentrantLock();
    private final ByteBuffer controlOut = ByteBuffer.allocateDirect(2048);
    private final long openedAt;
    /** Fed only after the handshake (its frame is the first thing heard); before, the handshake timeout applies. */
    private final FailureDetector detector;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile boolean connected;
    /** We accepted the peer's handshake (our answer sent, or its sending attempted): the peer may take the channel for up. */
    private volatile boolean handshakeAccepted;
    private volatile boolean heartbeatPending;
    private volatile Handshake peerHandshake;
    /**
     * Our reader's whereabouts, in one word so that the ticker reads them together: nanoseconds
     * since {@link #openedAt} that it entered (while in it) or left (while outside it) a socket
     * read, shifted left by one, the low bit set while in the read. Says, when the peer seems
     * silent, whether we were the ones stuck.
     */
    private volatile long readerState;
    /** The peer's host (its IP address), or null if the socket's remote address is not an IP one. */
    final InetAddress peerHost;
    private volatile Thread reader;
    private volatile Thread ticker;
    /** Makes this channel's threads (given at {@link #start}): platform daemon threads, or a test's. */
    ThreadFactory threads = PLATFORM_THREADS;
    /** The threads a channel runs on in service. */
    static final ThreadFactory PLATFORM_THREADS = Thread.ofPlatform().daemon().factory();

    ReplicationChannel(SocketChannel socket, Role role, ChannelConfig config, ChannelListener listener) throws IOException {
        this.socket = socket;
        this.role = role;
        this.config = config;
        this.listener = listener;
        this.decoder = new FrameDecoder(config.maxBodyLength());
        this.controlEncoder = new FrameEncoder(config.maxBodyLength());
        this.openedAt = System.nanoTime();
        // A ticker gap over two heartbeat intervals is a pause of ours; the verdict then waits one interval.
        this.detector = new FailureDetector(config.detectionTimeoutNanos(), openedAt, config.warmupNanos(),
                2 * config.heartbeatIntervalNanos(), config.heartbeatIntervalNanos());
        SocketAddress remote = socket.getRemoteAddress();
        this.peer = String.valueOf(remote);
        this.peerHost = remote instanceof InetSocketAddress a ? a.getAddress() : null;
        socket.configureBlocking(true);
        socket.setOption(StandardSocketOptions.TCP_NODELAY, true);
    }

    /**
     * On the reader, before its first read: finding the socket's descriptor reads every one of the
     * process's (milliseconds with a thousand connections open), which on the opener's thread
     * slowed the logger's single accept loop as connections piled up.
     */
    private void lowerRetransmissionFloor() {
        String floorNotSet = RetransmissionFloor.apply(socket, RetransmissionFloor.FLOOR);
        if (floorNotSet == null || closed.get()) return;
        int unshown = FLOOR_NOT_SET.warn(peerHost == null ? peer : peerHost.getHostAddress(), floorNotSet, System.nanoTime());
        if (unshown < 0) {
            log.debug("replication connection to {}: its minimum retransmission timeout is not lowered ({})", peer, floorNotSet);
        } else {
            log.warn("replication connection to {}: its minimum retransmission timeout is not lowered to {} ms ({}); with the kernel's "
                    + "default (200 ms) one lost segment can silence the channel past the detection timeout: set the "
                    + "net.ipv4.tcp_rto_min_us sysctl or the route's rto_min{}", peer, RetransmissionFloor.FLOOR.toMillis(), floorNotSet,
                    unshown > 0 ? " (" + unshown + " more connection(s) with this host since the last warning)" : "");
        }
    }

    /**
     * Starts the threads, made by {@code threads}; subclasses then may send their first frames.
     * The ticker starts first: a reader never runs without the thread that enforces the handshake
     * deadline. A thread that cannot start (the JVM out of threads throws an OutOfMemoryError)
     * closes the channel before the failure goes on to the caller: a half-started channel would
     * hold its connection open for good, its reader waiting on a peer that never speaks.
     */
    final void start(ThreadFactory threads) {
        this.threads = threads;
        String name = role.name().toLowerCase() + "-replication-" + peer;
        try {
            ticker = unstarted(name + "-ticker", this::tickLoop); // known before it runs: a close must find it to wake
            ticker.start();
            reader = unstarted(name + "-reader", this::readLoop);
            reader.start();
        } catch (Throwable t) {
            abandon(t);
            throw t;
        }
    }

    final Thread unstarted(String name, Runnable body) {
        Thread t = threads.newThread(body);
        t.setName(name);
        return t;
    }

    /**
     * The channel's threads could not all start: it closes (the socket, and any thread already
     * started ends), unheard by its owner, whose open or connect throws {@code why}.
     */
    final void abandon(Throwable why) {
        if (closed.compareAndSet(false, true)) {
            log.error("replication channel to {}: its threads could not start ({}); the connection is closed", peer, why.toString());
            closeSocket();
            wakeThreads();
        }
    }

    /** The handshake succeeded and the channel is not closed. */
    public boolean isConnected() {
        return connected && !closed.get();
    }

    public boolean isClosed() {
        return closed.get();
    }

    /**
     * Whether we accepted the peer's handshake, whether or not the channel has closed since: from
     * then on the peer may believe the channel up (a refused handshake never was).
     */
    public boolean handshakeAccepted() {
        return handshakeAccepted;
    }

    /** The peer's handshake, or null before it arrived. */
    public Handshake peerHandshake() {
        return peerHandshake;
    }

    /** The peer is silent for the detection timeout or longer at {@code now}. */
    public boolean peerSuspect(long now) {
        synchronized (detector) {
            return detector.suspect(now);
        }
    }

    /** When we last heard the peer (System.nanoTime()). */
    public long lastHeardNanos() {
        synchronized (detector) {
            return detector.lastHeard();
        }
    }

    public String peerAddress() {
        return peer;
    }

    /** Closes on purpose: tells the peer (best effort), then reports {@link CloseReason.Kind#CLOSED_LOCALLY}. */
    @Override
    public void close() {
        close("closed by its owner");
    }

    /** Closes on purpose, as {@link #close()}, telling the peer {@code why}. */
    public void close(String why) {
        closeWith(new CloseReason(CloseReason.Kind.CLOSED_LOCALLY, why, null), true);
    }

    /** Simulates this side crashing (tests): no REJECT, the kernel resets the connection. */
    void closeAbruptly() {
        if (closed.compareAndSet(false, true)) {
            try {
                socket.setOption(StandardSocketOptions.SO_LINGER, 0);
            } catch (IOException | RuntimeException ignored) {
                // closing anyway
            }
            closeSocket();
            wakeThreads();
            notifyClosed(new CloseReason(CloseReason.Kind.CLOSED_LOCALLY, "closed abruptly", null));
        }
    }

    // ---- subclass hooks ----

    /** Checks the peer's handshake; returns our reply, or null when ours went first. */
    abstract Handshake acceptPeerHandshake(Handshake peer) throws ReplicationProtocolException;

    abstract void onRecordFrame(long lsn, Record record) throws ReplicationProtocolException;

    abstract void onAckFrame(long lsn, long echoNanos, long now) throws ReplicationProtocolException;

    abstract void onHeartbeatFrame(long lsn, long sentAtNanos, long echoNanos, long now) throws ReplicationProtocolException;

    /** A CAUGHT_UP frame: only a side that takes records (and was announced a catch-up) accepts one. */
    void onCaughtUpFrame(long lsn) throws ReplicationProtocolException {
        throw new ReplicationProtocolException("CAUGHT_UP (LSN " + lsn + ") from " + peer + ", which sends this side no records");
    }

    /** An INCOMPLETE frame: only a recovering server (a backup fetching from a logger) accepts one. */
    void onIncompleteFrame(long lsn) throws ReplicationProtocolException {
        throw new ReplicationProtocolException("INCOMPLETE (LSN " + lsn + ") from " + peer + ": only a logger serving a recovery sends one");
    }

    /** A ROSTER frame: as CAUGHT_UP, only a side that takes records accepts one. */
    void onRosterFrame(long lsn, List<RosterEntry> entries) throws ReplicationProtocolException {
        throw new ReplicationProtocolException("ROSTER (LSN " + lsn + ") from " + peer + ", which sends this side no records");
    }

    /** After the frames of one read: deliver batches, acknowledge. */
    abstract void afterFrames() throws IOException;

    /** On the reader thread, before it closes the channel: hand over what was decoded before the failure. */
    void beforeClose() {
    }

    abstract long heartbeatLsn();

    abstract long heartbeatEcho();

    /** Called by the ticker each round after the handshake (the primary's sender is woken here). */
    void onConnectedTick() throws IOException {
    }

    void onHandshakeDone() {
    }

    /** On the reader thread, right after the owner was told {@link ChannelListener#onConnected}. */
    void afterConnected() {
    }

    /** On the reader thread: the answer to the peer's handshake, accepted, was not sent (the channel closed first, or the write failed). */
    void handshakeAnswerNotSent() {
    }

    /** When (System.nanoTime()) a connection whose handshake is not done yet is closed. */
    final long handshakeDeadline() {
        return openedAt + config.handshakeTimeoutNanos();
    }

    // ---- writing ----

    /**
     * Writes our handshake; blocks while another write is in progress. Never on a channel already
     * closed (its handshake timed out while the answer was decided): the answer is then not sent,
     * and {@link #handshakeAnswerNotSent} says so.
     */
    final void sendHandshake(Handshake h) throws IOException {
        writeLock.lock();
        try {
            if (closed.get()) {
                throw new ClosedChannelException();
            }
            controlOut.clear();
            controlEncoder.encodeHandshake(h, controlOut);
            writeFully(controlOut.flip());
        } finally {
            writeLock.unlock();
        }
    }

    final void sendAck(long lsn, long echo) throws IOException {
        writeLock.lock();
        try {
            controlOut.clear();
            controlEncoder.encodeAck(lsn, echo, controlOut);
            writeFully(controlOut.flip());
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * A heartbeat now, or, when another thread is writing (a long batch, a full send buffer),
     * by that writer as soon as its current write ends: heartbeats carry the primary's clock
     * for lease renewal, so they must not starve behind a stream of records.
     */
    private void trySendHeartbeat() throws IOException {
        heartbeatPending = true;
        if (!writeLock.tryLock()) {
            return;
        }
        try {
            sendPendingHeartbeat();
        } finally {
            writeLock.unlock();
        }
    }

    /** Writing done under {@link #writeLock}. */
    @FunctionalInterface
    interface LockedWrite {
        void run() throws IOException;
    }

    /**
     * Runs {@code write} under the write lock. Unless {@code mayWait}, never waits for another
     * writer (a reader must not: one stuck on a full send buffer would stop it, and a live peer
     * would look silent): with the lock busy, the ticker is woken to do what is owed instead.
     * With {@code mayWait} (the ticker), waits one heartbeat interval at most, then leaves what
     * is owed for its next round: a writer stuck on a peer that stopped reading must not stop
     * the ticker's silence checks, or that peer's death would never be noticed.
     */
    final void writeOrLeaveToTicker(boolean mayWait, LockedWrite write) throws IOException {
        if (mayWait) {
            if (!tryLockForAnInterval()) {
                return;
            }
        } else if (!writeLock.tryLock()) {
            wakeThreads();
            return;
        }
        try {
            write.run();
        } finally {
            writeLock.unlock();
        }
    }

    private boolean tryLockForAnInterval() {
        try {
            return writeLock.tryLock(config.heartbeatIntervalNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            return false; // nothing interrupts the ticker; kept set, the flag would make its parking spin
        }
    }

    /** Sends the heartbeat the ticker asked for, if any. The caller holds {@link #writeLock}. */
    final void sendPendingHeartbeat() throws IOException {
        if (!heartbeatPending) {
            return;
        }
        heartbeatPending = false;
        controlOut.clear();
        controlEncoder.encodeHeartbeat(heartbeatLsn(), System.nanoTime(), heartbeatEcho(), controlOut);
        writeFully(controlOut.flip());
    }

    final void writeFully(ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            socket.write(buffer);
        }
    }

    // ---- threads ----

    private void readLoop() {
        ByteBuffer in = ByteBuffer.allocateDirect(HANDSHAKE_READ_BYTES);
        FrameHandler handler = new Dispatcher();
        try {
            lowerRetransmissionFloor();
            while (!closed.get()) {
                if (connected && in.capacity() == HANDSHAKE_READ_BYTES) {
                    in = ByteBuffer.allocateDirect(decoder.maxFrameLength() + 64 * 1024).put(in.flip());
                } else if (!connected && !in.hasRemaining()) {
                    throw new ReplicationProtocolException("a frame over " + HANDSHAKE_READ_BYTES + " bytes from " + peer
                            + " before the handshake");
                }
                readerState = (System.nanoTime() - openedAt) << 1 | 1;
                int n = socket.read(in);
                readerState = (System.nanoTime() - openedAt) << 1;
                in.flip();
                if (n < 0) {
                    decoder.endOfStream(in);
                    readerFail(CloseReason.Kind.PEER_CLOSED, "peer " + peer + " closed the connection", null);
                    return;
                }
                decoder.decodeAll(in, handler);
                in.compact();
                afterFrames();
            }
        } catch (CorruptRecordException e) {
            readerFail(CloseReason.Kind.CORRUPT_FRAME, e.getMessage(), e);
        } catch (HandshakeException e) {
            readerFail(CloseReason.Kind.HANDSHAKE_REFUSED, "we refused " + peer + ": " + e.getMessage(), e);
        } catch (PeerRejectedException e) {
            readerFail(connected ? CloseReason.Kind.PEER_ABORTED : CloseReason.Kind.HANDSHAKE_REFUSED, e.getMessage(), e);
        } catch (ReplicationProtocolException e) {
            readerFail(CloseReason.Kind.PROTOCOL_VIOLATION, e.getMessage(), e);
        } catch (ClosedChannelException e) {
            if (!closed.get()) {
                readerFail(CloseReason.Kind.FAILED, "socket closed under the reader", e);
            }
        } catch (IOException e) {
            readerFail(CloseReason.Kind.PEER_CLOSED, "connection to " + peer + " failed: " + e.getMessage(), e);
        } catch (RuntimeException | Error e) {
            readerFail(CloseReason.Kind.FAILED, "reader failed: " + e, e);
        }
    }

    /** The reader stops: what it decoded before the failure is handed over first. */
    private void readerFail(CloseReason.Kind kind, String message, Throwable cause) {
        beforeClose();
        failWith(kind, message, cause);
    }

    private void tickLoop() {
        long interval = config.heartbeatIntervalNanos();
        long nextHeartbeat = System.nanoTime();
        try {
            while (!closed.get()) {
                long now = System.nanoTime();
                long deadline;
                if (!connected) {
                    deadline = openedAt + config.handshakeTimeoutNanos();
                    if (now - deadline >= 0) {
                        failWith(CloseReason.Kind.PEER_SILENT, (peerHandshake == null ? "no handshake from " + peer
                                : "handshake from " + peer + " not answered") + " within "
                                + config.handshakeTimeoutNanos() / 1_000_000 + " ms", null);
                        return;
                    }
                } else {
                    synchronized (detector) {
                        if (detector.observe(now)) {
                            failWith(CloseReason.Kind.PEER_SILENT, "heard nothing from " + peer + " for " + detector.silenceNanos(now) / 1_000_000
                                    + " ms (timeout " + config.detectionTimeoutNanos() / 1_000_000 + " ms; " + readerWhereabouts(now)
                                    + "; verdicts deferred after pauses of ours: " + detector.verdictsDeferred() + ")", null);
                            return;
                        }
                        deadline = detector.deadline();
                    }
                }
                if (connected) {
                    onConnectedTick();
                    if (now - nextHeartbeat >= 0) {
                        trySendHeartbeat();
                        nextHeartbeat = now + interval;
                    }
                } else {
                    nextHeartbeat = now + interval;
                }
                long wake = nextHeartbeat - deadline < 0 ? nextHeartbeat : deadline;
                LockSupport.parkNanos(Math.max(wake - System.nanoTime(), 1000));
            }
        } catch (ClosedChannelException e) {
            if (!closed.get()) {
                failWith(CloseReason.Kind.FAILED, "socket closed under the ticker", e);
            }
        } catch (IOException e) {
            failWith(CloseReason.Kind.PEER_CLOSED, "sending to " + peer + " failed: " + e.getMessage(), e);
        } catch (RuntimeException | Error e) {
            failWith(CloseReason.Kind.FAILED, "ticker failed: " + e, e);
        }
    }

    private String readerWhereabouts(long now) {
        long state = readerState;
        long since = openedAt + (state >>> 1);
        return "our reader " + ((state & 1) != 0 ? "waiting in a read" : "busy outside reads") + " for " + (now - since) / 1_000_000 + " ms";
    }

    void wakeThreads() {
        Thread t = ticker;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    // ---- closing ----

    /** A failure noticed by one of our threads; the peer is told unless it is the one gone. */
    final void failWith(CloseReason.Kind kind, String message, Throwable cause) {
        // Tell a peer that may still be alive, so that it does not take our close for our crash: a
        // merely slow backup that the primary gives up on must not take over on seeing a FIN.
        boolean tellPeer = switch (kind) {
            case CORRUPT_FRAME, PROTOCOL_VIOLATION, HANDSHAKE_REFUSED, FAILED, PEER_SILENT -> !(cause instanceof PeerRejectedException);
            default -> false;
        };
        closeWith(new CloseReason(kind, message, cause), tellPeer);
    }

    private void closeWith(CloseReason reason, boolean tellPeer) {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (reason.kind() == CloseReason.Kind.PEER_SILENT) {
            // The owner acts on a silent peer at once (a backup takes over: every millisecond is
            // the clients' stall); logging and telling the peer, which is probably dead, can wait.
            notifyClosed(reason);
            if (!loggedAsStranger(reason)) log.warn("replication channel to {} lost: {}: {}", peer, reason.kind(), reason.message());
            if (tellPeer) sendRejectBriefly(reason.message());
            closeSocket();
            wakeThreads();
            return;
        }
        if (loggedAsStranger(reason)) {
            if (tellPeer) sendRejectBriefly(reason.message());
            closeSocket();
            wakeThreads();
            notifyClosed(reason);
            return;
        }
        switch (reason.kind()) {
            case CLOSED_LOCALLY -> log.info("replication channel to {} closed: {}", peer, reason.message());
            case PEER_CLOSED, PEER_SILENT, PEER_ABORTED -> log.warn("replication channel to {} lost: {}: {}", peer, reason.kind(), reason.message());
            // A refusal is the peer's answer (a logger asking a standby to ask again, a superseded primary), not our fault.
            case HANDSHAKE_REFUSED -> {
                int unshown = REFUSALS.warn(String.valueOf(peer), reason.message(), System.nanoTime());
                if (unshown < 0) log.debug("replication channel to {} refused: {}", peer, reason.message());
                else log.warn("replication channel to {} refused: {}{}", peer, reason.message(),
                        unshown > 0 ? " (refused so " + unshown + " more time(s) since the last warning)" : "");
            }
            // A stack trace helps only when the fault is ours; a peer's bad frame is said by the message.
            case FAILED -> log.error("replication channel to {} failed: {}", peer, reason.message(), reason.cause());
            default -> log.error("replication channel to {} closed on error: {}: {}", peer, reason.kind(), reason.message());
        }
        if (tellPeer) {
            sendRejectBriefly(reason.message());
        }
        closeSocket();
        wakeThreads();
        notifyClosed(reason);
    }

    /**
     * A connection that ends before the peer said anything we could take for a handshake, by the
     * peer's doing (silence, garbage, a close): a stranger (a port scan, an HTTP probe, a flood),
     * or a peer that is no replica. Each such end warned (garbage: an error) at the rate they come;
     * now the first from a host warns, repeats once a minute with their number, the others go to
     * the debug log. Returns whether the close was logged so.
     */
    private boolean loggedAsStranger(CloseReason reason) {
        boolean stranger = peerHandshake == null && !connected && switch (reason.kind()) {
            case PEER_SILENT, PEER_CLOSED, CORRUPT_FRAME, PROTOCOL_VIOLATION -> true;
            default -> false;
        };
        if (!stranger) return false;
        String host = peerHost == null ? peer : peerHost.getHostAddress();
        int unshown = STRANGERS.warn(host, reason.kind().name(), System.nanoTime());
        if (unshown < 0) {
            log.debug("replication connection from {} ended before its handshake: {}: {}", peer, reason.kind(), reason.message());
        } else {
            log.warn("replication connection from {} ended before its handshake: {}: {}{}", peer, reason.kind(), reason.message(),
                    unshown > 0 ? " (" + unshown + " more such from this host since the last warning)" : "");
        }
        return true;
    }

    /** Best effort, bounded: a full send buffer or a busy writer must not hold the close up. */
    private void sendRejectBriefly(String why) {
        Thread t = Thread.ofVirtual().start(() -> {
            try {
                if (writeLock.tryLock(ABORT_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                    try {
                        ByteBuffer out = ByteBuffer.allocate(2048);
                        controlEncoder.encodeReject(why, out);
                        writeFully(out.flip());
                    } finally {
                        writeLock.unlock();
                    }
                }
            } catch (IOException | InterruptedException | RuntimeException ignored) {
                // the peer will see the connection close instead
            }
        });
        try {
            t.join(ABORT_GRACE.multipliedBy(2));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void closeSocket() {
        try {
            socket.close();
        } catch (IOException e) {
            log.debug("closing replication socket to {}: {}", peer, e.toString());
        }
    }

    private void notifyClosed(CloseReason reason) {
        try {
            listener.onClosed(reason);
        } catch (RuntimeException e) {
            log.error("replication channel listener failed in onClosed", e);
        }
    }

    final void notifySafely(Runnable call) {
        try {
            call.run();
        } catch (RuntimeException e) {
            log.error("replication channel listener failed", e);
        }
    }

    /** The peer sent REJECT. */
    static final class PeerRejectedException extends ReplicationProtocolException {
        PeerRejectedException(String message) {
            super(message);
        }
    }

    /** Routes decoded frames by handshake state; every valid frame is a sign of life. */
    private final class Dispatcher implements FrameHandler {
        private void heard() {
            long now = System.nanoTime();
            synchronized (detector) {
                detector.heard(now);
            }
        }

        private void requireConnected(String what) throws ReplicationProtocolException {
            if (!connected) {
                throw new ReplicationProtocolException(what + " from " + peer + " before the handshake");
            }
        }

        @Override
        public void onRecord(long lsn, Record record) throws ReplicationProtocolException {
            heard();
            if (!connected) {
                requireConnected("record LSN " + lsn); // the message only when it is needed: records come by the hundred thousand
            }
            onRecordFrame(lsn, record);
        }

        @Override
        public void onHandshake(Handshake handshake) throws ReplicationProtocolException {
            heard();
            if (peerHandshake != null) {
                throw new ReplicationProtocolException("second handshake from " + peer);
            }
            peerHandshake = handshake;
            Handshake reply = acceptPeerHandshake(handshake);
            handshakeAccepted = true;
            if (reply != null) {
                try {
                    sendHandshake(reply);
                } catch (IOException e) {
                    handshakeAnswerNotSent();
                    readerFail(CloseReason.Kind.PEER_CLOSED, "could not answer the handshake of " + peer + ": " + e.getMessage(), e);
                    return;
                }
            }
            synchronized (detector) {
                // The warm-up counts from the handshake: a slow one must not use it up.
                detector.restartWarmup(System.nanoTime(), config.warmupNanos());
            }
            connected = true;
            log.info("replication channel to {} connected: {}", peer, handshake);
            onHandshakeDone();
            notifySafely(() -> listener.onConnected(handshake));
            afterConnected();
            wakeThreads();
        }

        @Override
        public void onReject(String reason) throws ReplicationProtocolException {
            heard();
            // The peer's words go into log lines (ours, our owner's): escaped, they cannot start lines of their own.
            String said = PeerText.printable(reason);
            throw new PeerRejectedException(connected ? "peer " + peer + " dropped the connection: " + said
                    : "peer " + peer + " refused our handshake: " + said);
        }

        @Override
        public void onAck(long lsn, long echoNanos) throws ReplicationProtocolException {
            heard();
            requireConnected("ACK");
            onAckFrame(lsn, echoNanos, System.nanoTime());
        }

        @Override
        public void onHeartbeat(long lsn, long sentAtNanos, long echoNanos) throws ReplicationProtocolException {
            heard();
            requireConnected("heartbeat");
            onHeartbeatFrame(lsn, sentAtNanos, echoNanos, System.nanoTime());
        }

        @Override
        public void onCaughtUp(long lsn) throws ReplicationProtocolException {
            heard();
            requireConnected("CAUGHT_UP");
            onCaughtUpFrame(lsn);
        }

        @Override
        public void onIncomplete(long lsn) throws ReplicationProtocolException {
            heard();
            requireConnected("INCOMPLETE");
            onIncompleteFrame(lsn);
        }

        @Override
        public void onRoster(long lsn, List<RosterEntry> entries) throws ReplicationProtocolException {
            heard();
            requireConnected("ROSTER");
            onRosterFrame(lsn, entries);
        }
    }
}
