package io.fttcp.replication.channel;

import io.fttcp.replication.codec.Handshake;
import io.fttcp.replication.codec.ReplicationProtocolException;
import io.fttcp.replication.codec.Role;
import io.fttcp.replication.codec.RosterEntry;
import io.fttcp.replication.record.Record;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * The backup's end of a replication connection: receives records in LSN order, hands them to
 * the owner in batches ({@link ChannelListener#onRecords}) and acknowledges each batch at once.
 *
 * <p><b>The backup connects to the primary.</b> The primary is the long-lived owner of the
 * service; backups come and go (a first backup joins a running primary, a failed one restarts,
 * and after a takeover the old host rejoins as the new backup). The joiner initiating is what
 * lets a primary run unprotected without configuration changes and take a backup whenever one
 * arrives, and a restarted backup need not wait for the primary to retry. Detection does not
 * depend on who connected: each side hears the other's heartbeats, and the connection's loss
 * is seen by both. (A logger serving several primaries is the listening side instead: see
 * {@link LoggerChannel}; the channel after the handshake is the same.)
 *
 * <p>A backup that starts empty may join a primary that already dropped records as stable: the
 * primary's handshake then says it continues from an LSN above 1, and it first sends the
 * retained records below it (LSNs increasing, with gaps), then CAUGHT_UP
 * ({@link ChannelListener#onCaughtUp}). The same channel fetches a recovering server's records
 * from a logger: connect to it holding nothing; its records arrive as such a catch-up.
 */
public final class BackupChannel extends ReplicationChannel {
    private final long knownEpoch;
    private final Handshake ours;
    /** The peer's role, from its handshake (a logger serving a recovery may say its records are incomplete). */
    private volatile Role peerRole;
    private final RecordIntake intake;
    private volatile long latestPrimarySentAt = Lease.NO_ECHO;
    private boolean echoDue;
    /** An acknowledgement the reader could not send itself (another writer held the lock): the ticker sends it. */
    private volatile boolean ackOwed;
    private volatile long owedAckLsn;
    private final LockedWrite owedAck = this::sendOwedAckLocked;
    /** While true, acknowledgements do not advance (see {@link #holdAcknowledgementsWhile}). */
    private volatile BooleanSupplier holdAcks = () -> false;
    /** The LSN of the last acknowledgement sent (under the write lock). */
    private long ackSentLsn;
    /** An acknowledgement was held back: the ticker sends it once the hold ends. */
    private volatile boolean progressHeld;
    /** When the current hold began (System.nanoTime): set under the write lock, read by the ticker too. */
    private volatile long heldSince;
    /**
     * The longest a hold lasts before one acknowledgement goes through anyway. A hold ends by
     * the owner's own progress, but an application whose threads share a lock could wait, on the
     * replica, for a record the primary sends only once we acknowledge (its threads ran in
     * another order there): this turns that wait into a slow trickle instead of a stall for good.
     */
    static final long MAX_HOLD_NANOS = 500_000_000L;

    private BackupChannel(SocketChannel socket, ChannelConfig config, long knownEpoch, long lastHeldLsn,
                          ChannelListener listener) throws IOException {
        super(socket, Role.BACKUP, config, listener);
        this.knownEpoch = knownEpoch;
        this.ours = new Handshake(PROTOCOL_VERSION, Role.BACKUP, config.clusterId(), knownEpoch, lastHeldLsn);
        this.intake = new RecordIntake(lastHeldLsn, this, listener);
        this.ackSentLsn = lastHeldLsn;
    }

    /**
     * Flow control from the owner's application: while {@code hold} says so, acknowledgements
     * keep echoing the primary's heartbeats (its lease and our failure detector go on as before)
     * but cover no new records, so the primary's records stop becoming stable and its clients
     * wait, until the hold ends (checked by the ticker, every heartbeat interval, and at once
     * when the owner says it may have: {@link #holdMayHaveEnded}). A hold must end without new
     * records (the owner's own progress ends it), or the primary stalls for good.
     */
    public void holdAcknowledgementsWhile(BooleanSupplier hold) {
        this.holdAcks = hold;
    }

    /**
     * The owner's progress may have ended a hold: the ticker decides now rather than at its next
     * tick or the next echo of the primary's heartbeat, so the primary held back by us resumes
     * within a thread wake-up instead of up to a heartbeat interval later (20 ms by default, per
     * hold: a backup whose application runs at the lag bound would otherwise let its primary move
     * in steps of up to 20 ms). Any thread; only marks an acknowledgement owed and wakes the
     * ticker, and only while one is held.
     */
    public void holdMayHaveEnded() {
        if (progressHeld) {
            ackOwed = true; // so that a ticker already waiting for the write lock finds it owed
            wakeThreads();
        }
    }

    /** Whether an acknowledgement is held back now (for tests). */
    boolean holdingProgress() {
        return progressHeld;
    }

    /**
     * Connects to the primary's (or a logger's) replication address and sends our handshake; the rest happens on
     * the channel's threads ({@link ChannelListener#onConnected} or {@link ChannelListener#onClosed}).
     *
     * @param localAddress this host's own address to connect from, or null for any
     * @param knownEpoch   the highest primary epoch this backup has seen (a primary with an older one is refused)
     * @param lastHeldLsn  the last LSN this backup holds (0 when it starts empty)
     * @throws IOException the TCP connection could not be made within {@code connectTimeout}
     */
    public static BackupChannel connect(InetSocketAddress primary, InetSocketAddress localAddress, Duration connectTimeout,
                                        ChannelConfig config, long knownEpoch, long lastHeldLsn,
                                        ChannelListener listener) throws IOException {
        SocketChannel socket = SocketChannel.open();
        BackupChannel channel;
        try {
            if (localAddress != null) {
                socket.bind(localAddress);
            }
            socket.socket().connect(primary, (int) Math.max(1, connectTimeout.toMillis()));
            channel = new BackupChannel(socket, config, knownEpoch, lastHeldLsn, listener);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
        channel.start(PLATFORM_THREADS);
        try {
            channel.sendHandshake(channel.ours);
        } catch (IOException e) {
            channel.failWith(CloseReason.Kind.PEER_CLOSED, "could not send the handshake to " + primary + ": " + e.getMessage(), e);
        }
        return channel;
    }

    /**
     * The last LSN received in order and handed to the owner (what the next acknowledgement
     * covers). During a catch-up, the last catch-up record's: a backup whose catch-up ended
     * before {@link ChannelListener#onCaughtUp} holds an incomplete set, and must start empty again.
     */
    public long heldLsn() {
        return intake.deliveredLsn();
    }

    /** The primary's epoch from its handshake, or -1 before it arrived. */
    public long primaryEpoch() {
        Handshake h = peerHandshake();
        return h == null ? -1 : h.epoch();
    }

    @Override
    Handshake acceptPeerHandshake(Handshake primary) throws ReplicationProtocolException {
        if (primary.protocolVersion() != PROTOCOL_VERSION) {
            throw new HandshakeException("primary speaks replication protocol " + primary.protocolVersion() + ", this backup " + PROTOCOL_VERSION);
        }
        if (primary.role() != Role.PRIMARY && primary.role() != Role.LOGGER) {
            throw new HandshakeException("peer says it is a " + primary.role() + "; a backup follows only a primary (or fetches from a logger)");
        }
        if (!primary.clusterId().equals(config.clusterId())) {
            throw new HandshakeException(primary.role().name().toLowerCase() + " serves cluster '" + primary.clusterId()
                    + "', this backup '" + config.clusterId() + "'");
        }
        if (primary.epoch() < knownEpoch) {
            throw new HandshakeException(primary.role().name().toLowerCase() + " is at epoch " + primary.epoch() + ", older than epoch "
                    + knownEpoch + " this backup has seen: it is a superseded primary");
        }
        peerRole = primary.role();
        if (!intake.armCatchUpIfAnnounced(primary.lsn()) && primary.lsn() != intake.receivedLsn() + 1) {
            throw new HandshakeException("primary would send from LSN " + primary.lsn() + " but this backup holds up to "
                    + intake.receivedLsn());
        }
        return null;
    }

    @Override
    void onRecordFrame(long lsn, Record record) throws ReplicationProtocolException {
        intake.receive(lsn, record);
    }

    @Override
    void onCaughtUpFrame(long lsn) throws ReplicationProtocolException {
        intake.caughtUp(lsn);
    }

    @Override
    void onIncompleteFrame(long lsn) throws ReplicationProtocolException {
        if (peerRole != Role.LOGGER) {
            throw new ReplicationProtocolException("INCOMPLETE (LSN " + lsn + ") from primary " + peer + ": only a logger serving a recovery sends one");
        }
        intake.incomplete(lsn);
    }

    @Override
    void onRosterFrame(long lsn, List<RosterEntry> entries) throws ReplicationProtocolException {
        intake.roster(lsn, entries);
    }

    @Override
    void afterConnected() {
        intake.afterConnected();
    }

    @Override
    void onAckFrame(long lsn, long echoNanos, long now) throws ReplicationProtocolException {
        throw new ReplicationProtocolException("backup received an ACK from " + peer + "; acknowledgements flow only to the primary");
    }

    @Override
    void onHeartbeatFrame(long lsn, long sentAtNanos, long echoNanos, long now) {
        latestPrimarySentAt = sentAtNanos;
        echoDue = true;
        notifySafely(() -> listener.onPeerHeartbeat(lsn));
    }

    /**
     * Acknowledges what arrived, at once; also answers a primary heartbeat at once (an ACK
     * echoing its time), so the primary's lease is renewed one round trip after each of its
     * heartbeats rather than up to a heartbeat interval later. Never waits for another writer:
     * the ticker sends the acknowledgement then ({@link #writeOrLeaveToTicker}).
     */
    @Override
    void afterFrames() throws IOException {
        intake.deliver();
        if (intake.ackDue() || echoDue) {
            echoDue = false;
            owedAckLsn = intake.takeAck();
            ackOwed = true;
            writeOrLeaveToTicker(false, owedAck);
        }
    }

    @Override
    void onConnectedTick() throws IOException {
        if (progressHeld && (!holdAcks.getAsBoolean() || holdExpired())) {
            ackOwed = true;
        }
        if (ackOwed) {
            writeOrLeaveToTicker(true, owedAck);
        }
    }

    /** The caller holds the write lock. */
    private void sendOwedAckLocked() throws IOException {
        if (ackOwed) {
            ackOwed = false;
            long owed = owedAckLsn;
            long lsn = owed;
            boolean hold = lsn > ackSentLsn && holdAcks.getAsBoolean() && !holdExpired();
            if (hold && !progressHeld) {
                heldSince = System.nanoTime();
            }
            progressHeld = hold;
            if (hold) {
                lsn = ackSentLsn; // the echo still renews the lease
            }
            sendAck(lsn, latestPrimarySentAt);
            ackSentLsn = lsn;
            if (hold && !holdAcks.getAsBoolean()) {
                // The owner caught up while we decided, and may have found nothing held to tell us
                // about (or told a ticker that is waiting for this lock): acknowledge now.
                progressHeld = false;
                sendAck(owed, latestPrimarySentAt);
                ackSentLsn = owed;
            }
        }
    }

    private boolean holdExpired() {
        return progressHeld && System.nanoTime() - heldSince >= MAX_HOLD_NANOS;
    }

    @Override
    void beforeClose() {
        intake.deliver();
    }

    @Override
    long heartbeatLsn() {
        return intake.deliveredLsn();
    }

    @Override
    long heartbeatEcho() {
        return latestPrimarySentAt;
    }
}
