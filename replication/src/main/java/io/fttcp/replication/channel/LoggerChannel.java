package io.fttcp.replication.channel;

import io.fttcp.replication.codec.Handshake;
import io.fttcp.replication.codec.ReplicationProtocolException;
import io.fttcp.replication.codec.Role;
import io.fttcp.replication.codec.RosterEntry;
import io.fttcp.replication.record.Record;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.concurrent.ThreadFactory;

/**
 * The logger's end of a replication connection. The logger listens; the peer speaks first, and
 * its role chooses the session ({@link LoggerSessions} decides what to answer):
 * <ul>
 * <li><b>PRIMARY: records in.</b> The logger answers with what it holds; records arrive in LSN
 * order after it (or as a catch-up, if it holds nothing and the primary already dropped records)
 * and go to the session's listener in batches. They are acknowledged only when the owner says
 * they are stored ({@link #acknowledge}), as its fsync policy dictates. The primary's heartbeats
 * are still answered at once (an ACK of what is stored, echoing the heartbeat's time), so its
 * lease does not depend on the disk; {@link #lastEchoedReceiptNanos()} bounds that lease.</li>
 * <li><b>BACKUP: fetch.</b> A recovering server (a plain {@link BackupChannel} holding nothing)
 * gets the live connections' records as a catch-up, then CAUGHT_UP, then only heartbeats until
 * it closes. The records may be read as they are sent ({@link LoggerSessions.Fetch#source()}).
 * The owner decides by the channel's handshake deadline; an answer decided after the channel
 * closed is not sent, and the owner hears so ({@link LoggerSessions#fetchNotAnswered}).</li>
 * </ul>
 * Each session belongs to the peer's cluster (a logger serves several primaries); heartbeat,
 * detection and frame limits come from the channel's configuration.
 */
public final class LoggerChannel extends ReplicationChannel {
    private final LoggerSessions sessions;
    private final ForwardingListener forward;
    private volatile LoggerSession session;

    private LoggerChannel(SocketChannel socket, ChannelConfig base, LoggerSessions sessions, ForwardingListener forward) throws IOException {
        super(socket, Role.LOGGER, base, forward);
        this.sessions = sessions;
        this.forward = forward;
    }

    /**
     * Serves a peer that connected to the logger; the handshake and everything after happen on
     * the channel's threads.
     *
     * @param base heartbeat, detection and frame settings (its cluster id is not used: each session has its peer's)
     */
    public static LoggerChannel open(SocketChannel accepted, ChannelConfig base, LoggerSessions sessions) throws IOException {
        return open(accepted, base, sessions, PLATFORM_THREADS);
    }

    /**
     * As {@link #open(SocketChannel, ChannelConfig, LoggerSessions)}, the channel's threads made
     * by {@code threads}. A thread that cannot start (the JVM out of threads) is thrown on, the
     * channel closed first, its connection with it.
     */
    public static LoggerChannel open(SocketChannel accepted, ChannelConfig base, LoggerSessions sessions, ThreadFactory threads) throws IOException {
        LoggerChannel channel = new LoggerChannel(accepted, base, sessions, new ForwardingListener());
        channel.start(threads);
        return channel;
    }

    /** Waits for the next peer on {@code server} and serves it. */
    public static LoggerChannel accept(ServerSocketChannel server, ChannelConfig base, LoggerSessions sessions) throws IOException {
        SocketChannel socket = server.accept();
        try {
            return open(socket, base, sessions);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /**
     * A records-in session: every record up to {@code durableLsn} is stored. Cumulative (an older
     * LSN is ignored); callable from any thread; it never waits for a busy socket (the ACK then
     * goes from the channel's own threads). Ignored once the channel is closed.
     *
     * @throws IllegalArgumentException {@code durableLsn} is above what was received
     * @throws IllegalStateException    this is not a records-in session
     */
    public void acknowledge(long durableLsn) {
        if (!(session instanceof RecordsInSession in)) {
            throw new IllegalStateException("only a primary's session takes acknowledgements (this one: "
                    + (session == null ? "none yet" : "fetch") + ")");
        }
        in.acknowledge(durableLsn);
    }

    /** Records-in: the last LSN received and handed to the listener (0 before a session). */
    public long receivedLsn() {
        return session instanceof RecordsInSession in ? in.intake.deliveredLsn() : 0;
    }

    /** Records-in: the last LSN acknowledged to the primary (at first, what the logger held). */
    public long acknowledgedLsn() {
        return session instanceof RecordsInSession in ? in.acknowledged : 0;
    }

    /**
     * Records-in: when (System.nanoTime()) this side received the latest primary heartbeat whose
     * time it has echoed (in an ACK or a heartbeat), or {@link Lease#NO_ECHO} if it never echoed
     * one. The primary's lease rests on such echoes and runs at most {@code leaseNanos} from the
     * echoed time, when the primary sent that heartbeat, before we received it: so it is over by
     * this time plus the lease. (Bounding it by when the echo was sent instead, as before, added
     * the time between the primary's death and our noticing it: our heartbeats go on echoing its
     * last one.)
     */
    public long lastEchoedReceiptNanos() {
        return session instanceof RecordsInSession in ? in.lastEchoedReceipt.get() : Lease.NO_ECHO;
    }

    /**
     * A primary's liveness address: its host and the port where its process answers while it
     * lives (its handshake's {@link Handshake#livenessPort()}); null when it offered none, or
     * the peer is not a primary or has not said.
     */
    public InetSocketAddress primaryLivenessAddress() {
        Handshake h = peerHandshake();
        if (h == null || h.role() != Role.PRIMARY || h.livenessPort() == 0 || peerHost == null) return null;
        return new InetSocketAddress(peerHost, h.livenessPort());
    }

    /** The peer's cluster, once its handshake arrived. */
    public String clusterId() {
        Handshake h = peerHandshake();
        return h == null ? null : h.clusterId();
    }

    @Override
    Handshake acceptPeerHandshake(Handshake peer) throws ReplicationProtocolException {
        if (peer.protocolVersion() != PROTOCOL_VERSION) {
            throw new HandshakeException(peer.role() + " speaks replication protocol " + peer.protocolVersion() + ", this logger " + PROTOCOL_VERSION);
        }
        return switch (peer.role()) {
            case PRIMARY -> join(peer);
            case BACKUP -> fetch(peer);
            case LOGGER -> throw new HandshakeException("peer says it is a LOGGER; a logger serves primaries (records in) and "
                    + "recovering servers (fetch)");
        };
    }

    private Handshake join(Handshake primary) throws HandshakeException {
        LoggerSessions.Join join = sessions.join(primary);
        forward.attach(join.listener()); // from here on it hears how the session ends, refused or not, or ended already
        if (primary.epoch() < join.knownEpoch()) {
            throw new HandshakeException("primary is at epoch " + primary.epoch() + ", older than epoch " + join.knownEpoch()
                    + " this logger has seen for cluster '" + primary.clusterId() + "': it is a superseded primary");
        }
        RecordsInSession in = new RecordsInSession(this, join);
        // A dialing primary states its stable LSN + 1 before it knows what we hold; it then resends from what we hold.
        if (!in.intake.armCatchUpIfAnnounced(primary.lsn()) && primary.lsn() > join.heldLsn() + 1) {
            throw new HandshakeException("primary dropped every record up to LSN " + (primary.lsn() - 1) + " as stable but this logger holds"
                    + " only up to " + join.heldLsn() + " for cluster '" + primary.clusterId() + "': records are missing");
        }
        session = in;
        return new Handshake(PROTOCOL_VERSION, Role.LOGGER, primary.clusterId(), join.knownEpoch(), join.heldLsn());
    }

    private Handshake fetch(Handshake requester) throws HandshakeException {
        if (requester.lsn() != 0) {
            throw new HandshakeException("a recovering server fetches holding nothing, but this one holds up to LSN " + requester.lsn());
        }
        LoggerSessions.Fetch fetch = sessions.fetch(requester, handshakeDeadline());
        FetchSession out;
        try {
            out = new FetchSession(this, fetch);
        } catch (RuntimeException e) {
            if (fetch.source() != null) fetch.source().close();
            throw e;
        }
        forward.attach(reason -> out.close()); // a source not yet drained is released when the channel closes
        session = out;
        out.sender.start("logger-replication-" + peer + "-sender");
        return new Handshake(PROTOCOL_VERSION, Role.LOGGER, requester.clusterId(), fetch.epoch(), fetch.throughLsn() + 1);
    }

    /** A fetch's answer was not sent (the channel closed while the owner decided): its source is closed, its grant withdrawn. */
    @Override
    void handshakeAnswerNotSent() {
        if (session instanceof FetchSession out) {
            out.close();
            sessions.fetchNotAnswered(peerHandshake(), out.fetch);
        }
    }

    @Override
    void onRecordFrame(long lsn, Record record) throws ReplicationProtocolException {
        session.onRecord(lsn, record);
    }

    @Override
    void onAckFrame(long lsn, long echoNanos, long now) throws ReplicationProtocolException {
        session.onAck(lsn);
    }

    @Override
    void onHeartbeatFrame(long lsn, long sentAtNanos, long echoNanos, long now) {
        session.onHeartbeat(lsn, sentAtNanos);
    }

    @Override
    void onCaughtUpFrame(long lsn) throws ReplicationProtocolException {
        session.onCaughtUp(lsn);
    }

    @Override
    void onRosterFrame(long lsn, List<RosterEntry> entries) throws ReplicationProtocolException {
        session.onRoster(lsn, entries);
    }

    @Override
    void afterFrames() throws IOException {
        LoggerSession s = session;
        if (s != null) {
            s.afterFrames();
        }
    }

    @Override
    void beforeClose() {
        if (session instanceof RecordsInSession in) {
            in.intake.deliver();
        }
    }

    @Override
    void afterConnected() {
        session.afterConnected();
    }

    @Override
    void onConnectedTick() throws IOException {
        session.onTick();
    }

    @Override
    long heartbeatLsn() {
        LoggerSession s = session;
        return s == null ? 0 : s.heartbeatLsn();
    }

    @Override
    long heartbeatEcho() {
        LoggerSession s = session;
        return s == null ? Lease.NO_ECHO : s.heartbeatEcho();
    }

    @Override
    void wakeThreads() {
        super.wakeThreads();
        if (session instanceof FetchSession f) {
            f.sender.wake();
        }
    }
}
