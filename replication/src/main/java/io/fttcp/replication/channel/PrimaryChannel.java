package io.fttcp.replication.channel;

import io.fttcp.replication.codec.Handshake;
import io.fttcp.replication.codec.ReplicationProtocolException;
import io.fttcp.replication.codec.Role;
import io.fttcp.replication.record.Record;
import io.fttcp.replication.stream.RecordStream;
import io.fttcp.replication.stream.StabilityListener;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.locks.LockSupport;

/**
 * The primary's end of a replication connection. The backup connects (see {@link BackupChannel}
 * for why); the primary checks its handshake, resends what it lacks, then streams records in
 * batches and turns its acknowledgements into stability and lease renewals.
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
    private final ByteBuffer batchOut;
    private volatile Thread sender;

    private PrimaryChannel(SocketChannel socket, ChannelConfig config, long epoch, RecordStream stream,
                           ChannelListener listener) throws IOException {
        super(socket, Role.PRIMARY, config, listener);
        this.stream = stream;
        this.epoch = epoch;
        this.lease = new Lease(config.leaseNanos());
        this.batchOut = ByteBuffer.allocateDirect(config.maxBatchBytes() + config.maxBodyLength() + 64);
    }

    /**
     * Runs the primary's side on a connection a backup opened; the handshake and everything
     * after happen on the channel's threads.
     *
     * @param epoch  this primary's epoch (a backup that has seen a newer one is refused)
     * @param stream the records to replicate (make it with {@link ChannelConfig#newRecordStream()})
     */
    public static PrimaryChannel open(SocketChannel accepted, ChannelConfig config, long epoch, RecordStream stream,
                                      ChannelListener listener) throws IOException {
        PrimaryChannel channel = new PrimaryChannel(accepted, config, epoch, stream, listener);
        channel.start();
        channel.sender = Thread.ofPlatform().daemon().name("primary-replication-" + channel.peer + "-sender").start(channel::sendLoop);
        return channel;
    }

    /** Waits for the next backup on {@code server} and runs the primary's side with it. */
    public static PrimaryChannel accept(ServerSocketChannel server, ChannelConfig config, long epoch, RecordStream stream,
                                        ChannelListener listener) throws IOException {
        SocketChannel socket = server.accept();
        try {
            return open(socket, config, epoch, stream, listener);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /** Appends a record to the stream (sent as soon as the connection allows) and returns its LSN. */
    public long append(Record record) {
        long lsn;
        synchronized (stream) {
            lsn = stream.append(record);
        }
        LockSupport.unpark(sender);
        return lsn;
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
    Handshake acceptPeerHandshake(Handshake backup) throws ReplicationProtocolException {
        if (backup.protocolVersion() != PROTOCOL_VERSION) {
            throw new HandshakeException("backup speaks replication protocol " + backup.protocolVersion() + ", this primary " + PROTOCOL_VERSION);
        }
        if (backup.role() != Role.BACKUP) {
            throw new HandshakeException("peer says it is a " + backup.role() + "; a primary accepts only backups");
        }
        if (!backup.clusterId().equals(config.clusterId())) {
            throw new HandshakeException("backup serves cluster '" + backup.clusterId() + "', this primary '" + config.clusterId() + "'");
        }
        if (backup.epoch() > epoch) {
            throw new HandshakeException("backup has seen epoch " + backup.epoch() + ", newer than this primary's " + epoch
                    + ": this primary was superseded");
        }
        long next;
        synchronized (stream) {
            try {
                stream.restartFrom(backup.lsn());
            } catch (ReplicationProtocolException e) {
                throw new HandshakeException(e.getMessage());
            }
            next = stream.stableLsn() + 1;
        }
        return new Handshake(PROTOCOL_VERSION, Role.PRIMARY, config.clusterId(), epoch, next);
    }

    @Override
    void onHandshakeDone() {
        LockSupport.unpark(sender);
    }

    @Override
    void onRecordFrame(long lsn, Record record) throws ReplicationProtocolException {
        throw new ReplicationProtocolException("primary received record LSN " + lsn + " from " + peer + "; records flow only to the backup");
    }

    @Override
    void onAckFrame(long lsn, long echoNanos, long now) throws ReplicationProtocolException {
        long before;
        long stable;
        synchronized (stream) {
            before = stream.stableLsn();
            stream.acknowledge(lsn);
            stable = stream.stableLsn();
        }
        renew(echoNanos, now);
        if (stable > before) {
            LockSupport.unpark(sender);
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
        LockSupport.unpark(sender);
    }

    @Override
    void onConnectedTick() {
        LockSupport.unpark(sender);
    }

    /** Writes batches while records are unsent; parks otherwise (append and the ticker unpark it). */
    private void sendLoop() {
        try {
            while (!isClosed()) {
                if (isConnected()) {
                    writeLock.lock();
                    try {
                        while (!isClosed()) {
                            sendPendingHeartbeat();
                            batchOut.clear();
                            int n;
                            synchronized (stream) {
                                // Past the window, wait for acknowledgements (each one wakes this thread).
                                n = stream.inFlightBytes() < config.maxInFlightBytes() ? stream.writeBatch(batchOut) : 0;
                            }
                            if (n == 0) {
                                break;
                            }
                            writeFully(batchOut.flip());
                        }
                    } finally {
                        writeLock.unlock();
                    }
                }
                LockSupport.park(this);
            }
        } catch (ClosedChannelException e) {
            if (!isClosed()) {
                failWith(CloseReason.Kind.FAILED, "socket closed under the sender", e);
            }
        } catch (IOException e) {
            failWith(CloseReason.Kind.PEER_CLOSED, "sending records to " + peer + " failed: " + e.getMessage(), e);
        } catch (RuntimeException | Error e) {
            failWith(CloseReason.Kind.FAILED, "sender failed: " + e, e);
        }
    }
}
