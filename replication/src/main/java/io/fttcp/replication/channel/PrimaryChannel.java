package io.fttcp.replication.channel;

import io.fttcp.replication.codec.Handshake;
import io.fttcp.replication.codec.ReplicationProtocolException;
import io.fttcp.replication.codec.Role;
import io.fttcp.replication.record.Close;
import io.fttcp.replication.record.Connect;
import io.fttcp.replication.record.LoggedRecord;
import io.fttcp.replication.record.Record;
import io.fttcp.replication.record.Write;
import io.fttcp.replication.stream.RecordStream;
import io.fttcp.replication.stream.StabilityListener;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.List;
import java.util.function.LongFunction;
import java.util.function.Supplier;

/**
 * The primary's end of a replication connection. A backup connects (see {@link BackupChannel}
 * for why; {@link #open}, {@link #accept}); a logger is dialed ({@link #connect}). The primary
 * checks the peer's handshake, resends what the peer lacks, then streams records in batches and
 * turns the acknowledgements into stability and lease renewals.
 *
 * <p>A peer that holds nothing, joining after records were dropped as stable, needs the
 * retained records of the live connections: given a {@code catchUp} source, the primary sends
 * them first ({@link RecordStream#restartWithCatchUp}); without one, such a peer is refused.
 *
 * <p>The {@link RecordStream} outlives connections (a backup that reconnects resumes from what
 * it holds); run one channel per stream at a time (a new one rewinds the stream). While a channel runs, the stream is guarded by its own monitor: use this class's
 * methods, or hold {@code synchronized (stream)} around direct calls. Stability callbacks run on
 * the channel's reader thread while that monitor is held: keep them short (hand the work to your
 * own thread), and never block in them.
 */
public final class PrimaryChannel extends ReplicationChannel {
    private final RecordStream stream;
    private final long epoch;
    private final Lease lease;
    private final StreamSender sender;
    private final int batchBytes;
    private final LongFunction<List<LoggedRecord>> catchUp;
    /** We dialed and spoke first: the peer's handshake is its answer. */
    private final boolean dialed;

    private PrimaryChannel(SocketChannel socket, ChannelConfig config, long epoch, RecordStream stream,
                           LongFunction<List<LoggedRecord>> catchUp, boolean dialed, ChannelListener listener) throws IOException {
        super(socket, Role.PRIMARY, config, listener);
        this.stream = stream;
        this.epoch = epoch;
        this.catchUp = catchUp;
        this.dialed = dialed;
        this.lease = new Lease(config.leaseNanos());
        this.sender = new StreamSender(this, stream, config);
        this.batchBytes = config.maxBatchBytes();
    }

    /**
     * Runs the primary's side on a connection a backup opened; the handshake and everything
     * after happen on the channel's threads. A backup that holds nothing is refused if records
     * were already dropped as stable.
     *
     * @param epoch  this primary's epoch (a backup that has seen a newer one is refused)
     * @param stream the records to replicate (make it with {@link ChannelConfig#newRecordStream()})
     */
    public static PrimaryChannel open(SocketChannel accepted, ChannelConfig config, long epoch, RecordStream stream,
                                      ChannelListener listener) throws IOException {
        return open(accepted, config, epoch, stream, null, listener);
    }

    /**
     * As {@link #open(SocketChannel, ChannelConfig, long, RecordStream, ChannelListener)}, and a
     * peer that holds nothing while records were dropped as stable gets a catch-up.
     *
     * @param catchUp given the stable LSN, the retained records up to it (the live connections'),
     *                LSNs increasing; called on the reader thread during the handshake while the
     *                stream's monitor is held (so the stable LSN cannot move meanwhile); null: refuse such a peer
     */
    public static PrimaryChannel open(SocketChannel accepted, ChannelConfig config, long epoch, RecordStream stream,
                                      LongFunction<List<LoggedRecord>> catchUp, ChannelListener listener) throws IOException {
        PrimaryChannel channel = new PrimaryChannel(accepted, config, epoch, stream, catchUp, false, listener);
        channel.startThreads();
        return channel;
    }

    /**
     * Dials a logger (or a listening backup), sends this primary's handshake first (LSN: the
     * stable LSN + 1, the next it sends contiguously), and resumes from what the peer's answer
     * says it holds, exactly as when accepting: from its last LSN, or with a catch-up if it holds
     * nothing and {@code catchUpOrNull} is given; a peer that holds more than was ever appended,
     * less than the stable LSN without being empty, or has seen a newer epoch, is refused
     * ({@link ChannelListener#onClosed} says why).
     *
     * @param localOrNull this host's own address to connect from, or null for any
     * @throws IOException the TCP connection could not be made within {@code connectTimeout}, or
     *                     the handshake could not be sent
     */
    public static PrimaryChannel connect(InetSocketAddress to, InetSocketAddress localOrNull, Duration connectTimeout,
                                         ChannelConfig config, long epoch, RecordStream stream,
                                         LongFunction<List<LoggedRecord>> catchUpOrNull, ChannelListener listener) throws IOException {
        return connect(to, localOrNull, connectTimeout, config, epoch, () -> stream, catchUpOrNull, listener);
    }

    /**
     * As {@link #connect(InetSocketAddress, InetSocketAddress, Duration, ChannelConfig, long, RecordStream, LongFunction, ChannelListener)},
     * with the stream asked for only once the TCP connection is made: a primary serving unprotected
     * switches to a stream that keeps records for the peer (and makes its clients wait for it) only
     * when there is a peer to send them to.
     */
    public static PrimaryChannel connect(InetSocketAddress to, InetSocketAddress localOrNull, Duration connectTimeout,
                                         ChannelConfig config, long epoch, Supplier<RecordStream> streamOnceConnected,
                                         LongFunction<List<LoggedRecord>> catchUpOrNull, ChannelListener listener) throws IOException {
        SocketChannel socket = SocketChannel.open();
        PrimaryChannel channel;
        try {
            if (localOrNull != null) {
                socket.bind(localOrNull);
            }
            socket.socket().connect(to, (int) Math.max(1, connectTimeout.toMillis()));
            RecordStream stream = streamOnceConnected.get();
            channel = new PrimaryChannel(socket, config, epoch, stream, catchUpOrNull, true, listener);
            long next;
            synchronized (stream) {
                next = stream.stableLsn() + 1;
            }
            // Before the reader starts: the peer answers only after this, so no answer can overtake it.
            channel.sendHandshake(new Handshake(PROTOCOL_VERSION, Role.PRIMARY, config.clusterId(), epoch, next, config.livenessPort(),
                    config.unprotectedAfterMillis()));
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
        channel.startThreads();
        return channel;
    }

    /** The sender, then the reader and ticker; a thread that cannot start leaves the channel closed (see {@link #start}). */
    private void startThreads() {
        threads = PLATFORM_THREADS;
        try {
            sender.start("primary-replication-" + peer + "-sender");
        } catch (Throwable t) {
            abandon(t);
            throw t;
        }
        start(PLATFORM_THREADS);
    }

    /** Waits for the next backup on {@code server} and runs the primary's side with it. */
    public static PrimaryChannel accept(ServerSocketChannel server, ChannelConfig config, long epoch, RecordStream stream,
                                        ChannelListener listener) throws IOException {
        return accept(server, config, epoch, stream, null, listener);
    }

    /** As {@link #accept(ServerSocketChannel, ChannelConfig, long, RecordStream, ChannelListener)}, with a catch-up source (see {@link #open}). */
    public static PrimaryChannel accept(ServerSocketChannel server, ChannelConfig config, long epoch, RecordStream stream,
                                        LongFunction<List<LoggedRecord>> catchUp, ChannelListener listener) throws IOException {
        SocketChannel socket = server.accept();
        try {
            return open(socket, config, epoch, stream, catchUp, listener);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /**
     * Appends a record something waits for (a client's ACK, a SYN-ACK, output) and returns its
     * LSN. As Nagle's algorithm: with nothing in flight it goes at once; while frames are in
     * flight, their acknowledgement wakes the sender, which then writes everything appended
     * meanwhile as one batch (waking it for each record instead costs a thread switch per record
     * on both replicas). A CONNECT (the SYN-ACK waits for it) and a CLOSE (the FIN) go at once,
     * as with TCP_NODELAY: against a logger, waiting would cost them a whole group commit more.
     */
    public long append(Record record) {
        return append(record, true);
    }

    /**
     * Appends a record nothing waits to become stable and returns its LSN: it goes with the next
     * batch that holds an awaited record, once unsent records fill a batch, or at the next
     * heartbeat tick. A download's WRITE records (one per write, none awaited) cost a replication
     * round trip each otherwise: four thread switches across the two replicas.
     */
    public long appendUnawaited(Record record) {
        return append(record, false);
    }

    /** {@link #append} or {@link #appendUnawaited}, as {@code awaited} says. */
    public long append(Record record, boolean awaited) {
        long lsn;
        boolean wake;
        synchronized (stream) {
            lsn = stream.append(record, awaited);
            wake = unsentFillABatch() || awaited && (stream.inFlightBytes() == 0 || record instanceof Connect || record instanceof Close);
        }
        if (wake) {
            sender.wake();
        }
        return lsn;
    }

    /** The caller holds the stream's monitor. */
    private boolean unsentFillABatch() {
        return stream.unacknowledgedBytes() - stream.inFlightBytes() >= batchBytes;
    }

    /** Whether the sender has work that should not wait for the next tick; the caller holds the stream's monitor. */
    private boolean sendDue() {
        return stream.catchingUp() || stream.awaitedUnsent() || unsentFillABatch();
    }

    public long stableLsn() {
        synchronized (stream) {
            return stream.stableLsn();
        }
    }

    public long lastLsn() {
        synchronized (stream) {
            return stream.lastLsn();
        }
    }

    /** See {@link RecordStream#whenStable}; the action runs on the reader thread (or here, if already stable). */
    public void whenStable(long lsn, Runnable action) {
        synchronized (stream) {
            stream.whenStable(lsn, action);
        }
    }

    public void addStabilityListener(StabilityListener l) {
        synchronized (stream) {
            stream.addStabilityListener(l);
        }
    }

    /** Whether this primary may emit to clients at {@code now} (see {@link Lease}). */
    public boolean leaseValid(long now) {
        synchronized (lease) {
            return lease.valid(now);
        }
    }

    /** When the lease ends (monotonic ns); a time already past if it was never granted. */
    public long leaseExpiresAt(long now) {
        synchronized (lease) {
            return lease.everGranted() ? lease.expiresAt() : now - 1;
        }
    }

    /** Whether the backup ever renewed the lease: until then it has protected nothing. */
    public boolean leaseEverGranted() {
        synchronized (lease) {
            return lease.everGranted();
        }
    }

    public long leaseRemainingNanos(long now) {
        synchronized (lease) {
            return lease.remainingNanos(now);
        }
    }

    public long epoch() {
        return epoch;
    }

    @Override
    Handshake acceptPeerHandshake(Handshake peerHello) throws ReplicationProtocolException {
        String who = peerHello.role() == Role.LOGGER ? "logger" : "backup";
        if (peerHello.protocolVersion() != PROTOCOL_VERSION) {
            throw new HandshakeException(who + " speaks replication protocol " + peerHello.protocolVersion() + ", this primary " + PROTOCOL_VERSION);
        }
        if (peerHello.role() != Role.BACKUP && peerHello.role() != Role.LOGGER) {
            throw new HandshakeException("peer says it is a " + peerHello.role() + "; a primary streams only to a backup or a logger");
        }
        if (!peerHello.clusterId().equals(config.clusterId())) {
            throw new HandshakeException(who + " serves cluster '" + peerHello.clusterId() + "', this primary '" + config.clusterId() + "'");
        }
        if (peerHello.epoch() > epoch) {
            throw new HandshakeException(who + " has seen epoch " + peerHello.epoch() + ", newer than this primary's " + epoch
                    + ": this primary was superseded");
        }
        long next;
        synchronized (stream) {
            try {
                if (peerHello.lsn() == 0 && stream.stableLsn() > 0 && catchUp != null) {
                    stream.restartWithCatchUp(catchUp.apply(stream.stableLsn()));
                } else {
                    stream.restartFrom(peerHello.lsn());
                }
            } catch (ReplicationProtocolException e) {
                throw new HandshakeException(e.getMessage());
            }
            next = stream.stableLsn() + 1;
        }
        return dialed ? null : new Handshake(PROTOCOL_VERSION, Role.PRIMARY, config.clusterId(), epoch, next);
    }

    @Override
    void onHandshakeDone() {
        sender.wake();
    }

    @Override
    void onRecordFrame(long lsn, Record record) throws ReplicationProtocolException {
        throw new ReplicationProtocolException("primary received record LSN " + lsn + " from " + peer + "; records flow only to the backup");
    }

    @Override
    void onAckFrame(long lsn, long echoNanos, long now) throws ReplicationProtocolException {
        long before;
        long stable;
        boolean due;
        synchronized (stream) {
            before = stream.stableLsn();
            long inFlight = stream.inFlightBytes();
            stream.acknowledge(lsn);
            stable = stream.stableLsn();
            // Only what the acknowledgement lets go (window room, or the batch behind the frames
            // in flight) and is due: woken for nothing else, the sender would find nothing to write.
            due = (stream.inFlightBytes() < inFlight || stable > before) && sendDue();
        }
        renew(echoNanos, now);
        if (due) {
            sender.wake();
        }
        if (stable > before) {
            notifySafely(() -> listener.onAck(stable));
        }
    }

    @Override
    void onHeartbeatFrame(long lsn, long sentAtNanos, long echoNanos, long now) {
        renew(echoNanos, now);
        notifySafely(() -> listener.onPeerHeartbeat(lsn));
    }

    private void renew(long echoNanos, long now) {
        synchronized (lease) {
            lease.renew(echoNanos, now);
        }
    }

    @Override
    void afterFrames() {
    }

    @Override
    long heartbeatLsn() {
        synchronized (stream) {
            return stream.lastLsn();
        }
    }

    @Override
    long heartbeatEcho() {
        return Lease.NO_ECHO;
    }

    @Override
    void wakeThreads() {
        super.wakeThreads();
        sender.wake();
    }

    @Override
    void onConnectedTick() {
        sender.wake();
    }
}
