package io.fttcp.stack.host;

import io.fttcp.stack.packet.IcmpPacket;
import io.fttcp.stack.runtime.TimerDriven;
import io.fttcp.stack.tcp.CloseReason;
import io.fttcp.stack.tcp.FourTuple;
import io.fttcp.stack.tcp.TcpCheckpoint;
import io.fttcp.stack.tcp.TcpConnection;
import io.fttcp.stack.tcp.TcpEvents;
import io.fttcp.stack.tcp.TcpOutput;
import io.fttcp.stack.tcp.TcpSegment;
import io.fttcp.stack.tcp.TcpState;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The IP layer of one host, sans-I/O: receives IPv4 packets, demultiplexes TCP segments to
 * connections and listeners, answers pings, sends RSTs for segments nobody owns, answers SYNs
 * with cookies under a flood, and serializes what connections emit into packets for the layer
 * below ({@link IpPacketSink}: the Ethernet interface, or the south-side wrapper). Timers of all
 * connections are kept in one queue: {@link #nextDeadline()} / {@link #onTimer(long)}.
 *
 * <p>Not thread-safe; the runtime serializes all calls (one lock per host).
 */
public final class IpHost implements IpPacketSink, TcpOutput, TimerDriven {
    private static final int EPHEMERAL_LOW = 32768, EPHEMERAL_HIGH = 60999;

    private final HostConfig config;
    private final IpPacketSink down;
    /** The sink's offloading view when the config asks for offloads, else null. */
    private final OffloadingPacketSink offloadingDown;
    /** Our addresses: a handful, scanned per packet without boxing. */
    private int[] addresses = new int[0];
    private final ConnectionTable<Connection> connections = new ConnectionTable<>();
    private final Map<Long, Listener> listeners = new HashMap<>();
    private final TimerQueue<Connection> timers = new TimerQueue<>();
    private final InitialSequenceNumbers isns;
    private final SynCookies cookies;
    private final HostStats stats = new HostStats();
    /** What the connections already forgotten counted, so that the host's loss totals never go back. */
    private final LossTotals lossOfClosed = new LossTotals();
    private final PacketCodec codec;
    private final TcpSegment inbound = new TcpSegment();
    private final TcpSegment scratch = new TcpSegment();
    private final List<Connection> deferredAborts = new ArrayList<>();
    private int nextEphemeral;
    private long now;
    private java.util.function.BiConsumer<FourTuple, CloseReason> closedObserver = (t, why) -> { };
    /** When a SYN cookie last went out (Long.MIN_VALUE: never): only then are stray ACKs checked against cookies. */
    private long lastCookieSentAt = Long.MIN_VALUE;

    public IpHost(HostConfig config, IpPacketSink down) {
        this.config = config;
        this.down = down;
        this.isns = new InitialSequenceNumbers(config.secret0(), config.secret1());
        this.cookies = new SynCookies(config.secret1(), config.secret0() ^ 0x5bd1e995L);
        if (config.segmentOffload() > 0 && !config.checksumOffload()) {
            throw new IllegalArgumentException("segmentation offload needs checksum offload too");
        }
        boolean wantsOffload = config.checksumOffload();
        if (wantsOffload && !(down instanceof OffloadingPacketSink)) {
            throw new IllegalArgumentException("offloads configured but the link below cannot do them: " + down);
        }
        this.offloadingDown = wantsOffload ? (OffloadingPacketSink) down : null;
        this.codec = new PacketCodec(config);
        // Start ephemeral ports at a secret-derived place, so a restarted stack does not reuse the
        // four-tuples of its previous life (which a peer may still hold) and ports are not guessable.
        this.nextEphemeral = EPHEMERAL_LOW + (int) Long.remainderUnsigned(config.secret0() ^ config.secret1(), EPHEMERAL_HIGH - EPHEMERAL_LOW + 1);
    }

    public HostConfig config() {
        return config;
    }

    /**
     * Told the four-tuple of every connection the host forgets and how it ended (an orderly
     * close, a reset either way, a timeout), from inside the host's own call; must not call back
     * into it. The primary's south-side wrapper needs this for closes it cannot see in the packets.
     */
    public void setClosedObserver(java.util.function.BiConsumer<FourTuple, CloseReason> observer) {
        this.closedObserver = observer == null ? (t, why) -> { } : observer;
    }

    public HostStats stats() {
        return stats;
    }

    public PacketCodec codec() {
        return codec;
    }

    // ---- addresses ---------------------------------------------------------------------------

    /** This host answers for {@code address} from now on (takeover adds the service address here). */
    public void addAddress(int address) {
        if (!hasAddress(address)) {
            addresses = java.util.Arrays.copyOf(addresses, addresses.length + 1);
            addresses[addresses.length - 1] = address;
        }
    }

    public void removeAddress(int address) {
        int[] kept = java.util.Arrays.stream(addresses).filter(a -> a != address).toArray();
        addresses = kept;
    }

    public boolean hasAddress(int address) {
        for (int a : addresses) if (a == address) return true;
        return false;
    }

    /** One of our addresses, to bind unspecified connects to. */
    private int anyAddress() {
        if (addresses.length > 0) return addresses[0];
        throw new IllegalStateException("this host has no IPv4 address; add one before connecting");
    }

    // ---- time --------------------------------------------------------------------------------

    void enter(long now) {
        this.now = now;
    }

    long now() {
        return now;
    }

    @Override
    public long nextDeadline() {
        return timers.earliest();
    }

    @Override
    public void onTimer(long now) {
        enter(now);
        Connection c;
        while ((c = timers.due(now)) != null) {
            timers.remove(c);
            c.tcp.onTimer(now);
            rearm(c);
        }
        runDeferredAborts();
    }

    void rearm(Connection c) {
        if (c.forgotten) {
            timers.remove(c);
            return;
        }
        if (c.abortRequested) {
            deferredAborts.add(c);
        }
        timers.update(c, c.tcp.nextDeadline());
    }

    private void runDeferredAborts() {
        while (!deferredAborts.isEmpty()) {
            Connection c = deferredAborts.removeLast();
            if (c.forgotten || !c.abortRequested) continue;
            c.abortRequested = false;
            c.tcp.abort(now);
            rearm(c);
        }
    }

    void forget(Connection c) {
        if (c.forgotten) return;
        c.forgotten = true;
        FourTuple t = c.tcp.tuple();
        connections.remove(t.localAddress(), t.localPort(), t.remoteAddress(), t.remotePort(), c);
        timers.remove(c);
        stats.connectionsClosed++;
        lossOfClosed.add(c.tcp.stats());
        closedObserver.accept(t, c.closeReason() == null ? CloseReason.CLOSED : c.closeReason());
    }

    // ---- user operations ---------------------------------------------------------------------

    /** Opens a listener on {@code address} (0: any of ours) and {@code port}. */
    public Listener listen(int address, int port, int backlog, Listener.Events events) {
        if (port <= 0 || port > 65535) throw new IllegalStateException("cannot listen on port " + port + ": give a port 1..65535");
        if (address != 0 && !hasAddress(address)) {
            throw new IllegalStateException("cannot listen on " + FourTuple.dotted(address) + ": not an address of this host");
        }
        long key = listenerKey(address, port);
        if (listeners.containsKey(key)) throw new IllegalStateException("address already in use: " + FourTuple.dotted(address) + ":" + port);
        Listener l = new Listener(address, port, Math.max(1, backlog), events);
        listeners.put(key, l);
        return l;
    }

    /** Closes a listener; connections waiting in its accept queue are reset. */
    public void closeListener(Listener l, long now) {
        enter(now);
        if (l.closed) return;
        l.closed = true;
        listeners.remove(listenerKey(l.address, l.port));
        Connection c;
        while ((c = l.acceptQueue.poll()) != null) {
            c.abort(now);
        }
    }

    /** Active open to {@code remoteAddress:remotePort} from {@code localAddress} (0: one of ours) and an ephemeral port. */
    public Connection connect(int localAddress, int remoteAddress, int remotePort, TcpEvents events, long now) {
        enter(now);
        int local = localAddress == 0 ? anyAddress() : localAddress;
        int port = freeEphemeralPort(local, remoteAddress, remotePort);
        FourTuple t = new FourTuple(local, port, remoteAddress, remotePort);
        Connection c = new Connection(this);
        c.setEvents(events);
        connections.put(t.localAddress(), t.localPort(), t.remoteAddress(), t.remotePort(), c);
        stats.connectionsOpened++;
        c.tcp = TcpConnection.connect(config.tcp().withMss(config.mss()), t, isns.next(t, now), now, this, c);
        afterCreate(c);
        return c;
    }

    /**
     * Repair: materializes a connection from a checkpoint, without a handshake. The checkpoint's
     * local address must be one of ours. Sends nothing by itself.
     */
    public Connection restore(TcpCheckpoint checkpoint, TcpEvents events, long now) {
        enter(now);
        FourTuple t = checkpoint.tuple();
        if (!hasAddress(t.localAddress())) {
            throw new IllegalStateException("cannot restore " + t + ": " + FourTuple.dotted(t.localAddress()) + " is not an address of this host");
        }
        if (connections.get(t.localAddress(), t.localPort(), t.remoteAddress(), t.remotePort()) != null) {
            throw new IllegalStateException("cannot restore " + t + ": a connection with that four-tuple exists");
        }
        Connection c = new Connection(this);
        c.setEvents(events);
        connections.put(t.localAddress(), t.localPort(), t.remoteAddress(), t.remotePort(), c);
        stats.connectionsOpened++;
        try {
            c.tcp = TcpConnection.restore(config.tcp().withMss(config.mss()), checkpoint, now, this, c);
        } catch (RuntimeException e) {
            connections.remove(t.localAddress(), t.localPort(), t.remoteAddress(), t.remotePort(), c);
            stats.connectionsOpened--;
            throw e;
        }
        afterCreate(c);
        return c;
    }

    /**
     * Repair into a listener's accept queue: like {@link #restore}, for a connection the
     * application has not accepted yet, so its next accept() returns it.
     */
    public Connection restoreIntoBacklog(TcpCheckpoint checkpoint, Listener listener, long now) {
        if (listener.closed) throw new IllegalStateException("cannot restore " + checkpoint.tuple() + " into a closed listener");
        Connection c = restore(checkpoint, TcpEvents.NONE, now);
        listener.acceptQueue.add(c);
        listener.events.onAcceptable(listener);
        return c;
    }

    /** Number of connections the host holds (any state but CLOSED). */
    public int connectionCount() {
        return connections.size();
    }

    /** The loss-recovery counters of every connection this host has held, open or closed (call under the host lock). */
    public LossTotals lossTotals() {
        LossTotals t = new LossTotals();
        t.add(lossOfClosed);
        connections.forEach(c -> t.add(c.tcp.stats()));
        return t;
    }

    /** Looks up a connection by four-tuple, or null. */
    public Connection find(FourTuple t) {
        return connections.get(t.localAddress(), t.localPort(), t.remoteAddress(), t.remotePort());
    }

    private void afterCreate(Connection c) {
        if (config.segmentOffload() > 0) c.tcp.setSegmentOffload(config.segmentOffload());
        if (c.tcp.state() == io.fttcp.stack.tcp.TcpState.CLOSED) {
            forget(c);
        } else {
            rearm(c);
        }
    }

    private int freeEphemeralPort(int local, int remote, int remotePort) {
        for (int i = 0; i <= EPHEMERAL_HIGH - EPHEMERAL_LOW; i++) {
            int p = nextEphemeral;
            nextEphemeral = p == EPHEMERAL_HIGH ? EPHEMERAL_LOW : p + 1;
            if (connections.get(local, p, remote, remotePort) == null && !listeners.containsKey(listenerKey(local, p))
                    && !listeners.containsKey(listenerKey(0, p))) {
                return p;
            }
        }
        throw new IllegalStateException("no free ephemeral port toward " + FourTuple.dotted(remote) + ":" + remotePort);
    }

    private static long listenerKey(int address, int port) {
        return (long) address << 16 | port;
    }

    private Listener findListener(int address, int port) {
        Listener l = listeners.get(listenerKey(address, port));
        return l != null ? l : listeners.get(listenerKey(0, port));
    }

    // ---- receive path ------------------------------------------------------------------------

    @Override
    public void accept(ByteBuffer packet, long now) {
        try {
            receive(packet, now);
        } finally {
            codec.markChecksumVerified(false); // the link's verdict was for this packet only
        }
    }

    private void receive(ByteBuffer packet, long now) {
        enter(now);
        stats.packetsReceived++;
        if (!codec.parseIp(packet)) return;
        if (!hasAddress(codec.ipDestination())) {
            stats.notForUs++;
            return;
        }
        if (codec.isFragment()) {
            stats.fragmentsDropped++;
            return;
        }
        switch (codec.ipProtocol()) {
            case PacketCodec.PROTO_TCP -> receiveTcp(packet);
            case PacketCodec.PROTO_ICMP -> receiveIcmp(packet);
            default -> stats.unknownProtocol++;
        }
        runDeferredAborts();
    }

    private void receiveTcp(ByteBuffer packet) {
        if (!codec.parseTcp(packet, inbound)) return;
        int src = codec.ipSource(), dst = codec.ipDestination();
        int sport = codec.sourcePort(), dport = codec.destinationPort();
        Connection c = connections.get(dst, dport, src, sport);
        int f = inbound.flags;
        if (c != null) {
            if (c.tcp.state() == TcpState.TIME_WAIT && (f & (TcpSegment.SYN | TcpSegment.ACK | TcpSegment.RST)) == TcpSegment.SYN) {
                Listener l = findListener(dst, dport); // only here: the lookup boxes its key
                if (l != null && !l.closed && c.tcp.endsForNewIncarnation(inbound, now)) {
                    stats.timeWaitsEndedByNewSyn++;
                    receiveSyn(l, new FourTuple(dst, dport, src, sport), c.tcp.issForNextIncarnation());
                    return;
                }
            }
            c.tcp.onSegment(inbound, now);
            rearm(c);
            return;
        }
        Listener l = findListener(dst, dport);
        if (l != null && !l.closed) {
            if ((f & (TcpSegment.SYN | TcpSegment.ACK | TcpSegment.RST)) == TcpSegment.SYN) {
                FourTuple t = new FourTuple(dst, dport, src, sport);
                receiveSyn(l, t, isns.next(t, now));
                return;
            }
            // A stray ACK is a cookie's answer only if cookies went out lately (as Linux checks):
            // else every stray ACK (a takeover's reset probes draw them) would be a 2^-24 chance
            // of a connection the peer never opened.
            if ((f & (TcpSegment.SYN | TcpSegment.ACK | TcpSegment.RST)) == TcpSegment.ACK && cookiesSentLately()
                    && receiveCookieAck(l, new FourTuple(dst, dport, src, sport))) {
                return;
            }
        }
        if ((f & TcpSegment.RST) == 0) sendReset(dst, dport, src, sport, inbound);
    }

    private void receiveSyn(Listener l, FourTuple t, int iss) {
        if (l.acceptQueue.size() >= l.backlog) {
            stats.synsDroppedBacklogFull++;
            return; // the peer retransmits its SYN; by then the application may have accepted
        }
        if (l.halfOpen >= config.synBacklog()) {
            sendCookieSynAck(t, inbound);
            return;
        }
        Connection c = new Connection(this);
        c.listener = l;
        l.halfOpen++;
        connections.put(t.localAddress(), t.localPort(), t.remoteAddress(), t.remotePort(), c);
        stats.connectionsOpened++;
        c.tcp = TcpConnection.accept(config.tcp().withMss(config.mss()), t, inbound, iss, now, this, c);
        afterCreate(c);
    }

    private boolean cookiesSentLately() {
        return lastCookieSentAt != Long.MIN_VALUE && now - lastCookieSentAt <= SynCookies.VALID_NANOS;
    }

    private void sendCookieSynAck(FourTuple t, TcpSegment syn) {
        lastCookieSentAt = now;
        int peerMss = syn.mss < 0 ? 536 : syn.mss;
        int iss = cookies.encode(t, syn.seq, peerMss, now);
        TcpSegment s = scratch.clear();
        s.seq = iss;
        s.ack = syn.seq + 1;
        s.flags = TcpSegment.SYN | TcpSegment.ACK;
        s.window = Math.min(65535, config.tcp().receiveBuffer());
        s.mss = config.mss();
        if (syn.hasTimestamp && config.tcp().timestamps()) {
            // Without timestamps a cookie cannot carry window scale and SACK: both stay off.
            boolean ws = syn.windowScale >= 0 && config.tcp().windowScaling();
            boolean sack = syn.sackPermitted && config.tcp().sack();
            s.hasTimestamp = true;
            s.tsVal = (cookieClock() & ~SynCookies.OPTION_BITS_MASK) | SynCookies.optionBits(ws ? syn.windowScale : -1, sack);
            s.tsEcr = syn.tsVal;
            if (ws) s.windowScale = config.tcp().receiveWindowShift();
            s.sackPermitted = sack;
        }
        stats.synCookiesSent++;
        emit(t.localAddress(), t.localPort(), t.remoteAddress(), t.remotePort(), s);
    }

    /** Timestamp clock used for cookie SYN-ACKs: milliseconds; connections made from cookies keep using it. */
    private int cookieClock() {
        return (int) (now / 1_000_000L);
    }

    private boolean receiveCookieAck(Listener l, FourTuple t) {
        TcpSegment a = inbound;
        int ourIsn = a.ack - 1, peerIsn = a.seq - 1;
        int peerMss = cookies.validate(t, ourIsn, peerIsn, now);
        if (peerMss < 0) {
            stats.synCookiesRejected++;
            return false;
        }
        if (l.acceptQueue.size() >= l.backlog) {
            stats.synsDroppedBacklogFull++;
            return true; // dropped: the peer's data or retransmission will bring another ACK
        }
        int ws = -1;
        boolean sack = false, ts = false;
        if (a.hasTimestamp) {
            ts = true;
            ws = SynCookies.windowShiftFromBits(a.tsEcr);
            sack = SynCookies.sackFromBits(a.tsEcr);
        }
        stats.synCookiesAccepted++;
        Connection c = new Connection(this);
        c.listener = l;
        l.halfOpen++; // balanced in onEstablished
        connections.put(t.localAddress(), t.localPort(), t.remoteAddress(), t.remotePort(), c);
        stats.connectionsOpened++;
        c.tcp = TcpConnection.fromCookie(config.tcp().withMss(config.mss()), t, a, ourIsn, peerIsn, Math.min(peerMss, config.mss()),
                ws, sack, ts, now, this, c);
        afterCreate(c);
        return true;
    }

    /**
     * Resets a connection this host does not hold (one a takeover could not restore): an RST at
     * {@code seq}, our best guess of the peer's rcv.nxt. A guess inside the peer's window but
     * off is answered with a challenge ACK (RFC 5961), which, belonging to no connection here,
     * is answered with an RST at exactly its acknowledgement. A guess below the peer's rcv.nxt
     * (it received more than we know of) is dropped silently: {@link #probeUnknown} covers that.
     */
    public void resetUnknown(FourTuple t, int seq, long now) {
        enter(now);
        TcpSegment r = scratch.clear();
        r.seq = seq;
        r.flags = TcpSegment.RST;
        stats.resetsSent++;
        emit(t.localAddress(), t.localPort(), t.remoteAddress(), t.remotePort(), r);
    }

    /**
     * Makes the peer of a connection this host does not hold say where it is: an ACK (no data)
     * at {@code oldSeq}, below anything the peer could still expect. An unacceptable segment is
     * answered with an ACK of the peer's rcv.nxt (RFC 9293 §3.10.7.4; Linux answers at most one
     * such segment per 500 ms per connection, `tcp_invalid_ratelimit`), and that ACK, belonging
     * to no connection here, is reset at exactly its acknowledgement. So a peer that holds more
     * than we know of, which drops an RST at our guess, is reset too. No data: the south-side
     * wrapper lets no byte of a connection it does not track leave.
     */
    public void probeUnknown(FourTuple t, int oldSeq, int ack, long now) {
        enter(now);
        TcpSegment p = scratch.clear();
        p.seq = oldSeq;
        p.ack = ack;
        p.flags = TcpSegment.ACK;
        p.window = 0;
        stats.resetProbesSent++;
        emit(t.localAddress(), t.localPort(), t.remoteAddress(), t.remotePort(), p);
    }

    /** RFC 9293 reset generation for a segment that belongs to no connection. */
    private void sendReset(int local, int localPort, int remote, int remotePort, TcpSegment in) {
        TcpSegment r = scratch.clear();
        if (in.has(TcpSegment.ACK)) {
            r.seq = in.ack;
            r.flags = TcpSegment.RST;
        } else {
            r.seq = 0;
            r.ack = in.seq + in.sequenceLength();
            r.flags = TcpSegment.RST | TcpSegment.ACK;
        }
        stats.resetsSent++;
        emit(local, localPort, remote, remotePort, r);
    }

    private void receiveIcmp(ByteBuffer packet) {
        switch (codec.parseIcmp(packet)) {
            case ECHO_REQUEST -> {
                codec.turnEchoIntoReply(packet);
                stats.echoRepliesSent++;
                stats.packetsSent++;
                down.accept(packet, now);
            }
            case ERROR -> {
                stats.icmpErrorsReceived++;
                receiveIcmpError(codec.icmp());
            }
            case OTHER, INVALID -> { }
        }
    }

    /** An ICMP error about one of our TCP segments: path MTU, or a hard error while opening. */
    private void receiveIcmpError(IcmpPacket e) {
        if (e.originalProtocol() != PacketCodec.PROTO_TCP || !hasAddress(e.originalSource())) return;
        Connection c = connections.get(e.originalSource(), e.originalSourcePort(), e.originalDestination(), e.originalDestinationPort());
        if (c == null) return;
        int mtu = 0;
        boolean hard = false;
        if (e.isFragmentationNeeded()) {
            // RFC 1191; an old router that sends no MTU (0) gets the next plateau down: 576.
            mtu = e.nextHopMtu() >= 68 ? e.nextHopMtu() : 576;
        } else if (e.type() == IcmpPacket.TYPE_DESTINATION_UNREACHABLE) {
            hard = e.code() == IcmpPacket.CODE_PROTOCOL_UNREACHABLE || e.code() == IcmpPacket.CODE_PORT_UNREACHABLE;
        }
        if (c.tcp.onIcmpError(e.originalTcpSequence(), mtu, hard, now)) stats.icmpErrorsApplied++;
        else stats.icmpErrorsIgnored++;
        rearm(c);
    }

    // ---- send path ---------------------------------------------------------------------------

    @Override
    public void transmit(TcpConnection connection, TcpSegment segment) {
        FourTuple t = connection.tuple();
        ByteBuffer packet = codec.writeTcp(t.localAddress(), t.localPort(), t.remoteAddress(), t.remotePort(), segment);
        stats.packetsSent++;
        if (offloadingDown != null) {
            int payload = segment.payloadLength();
            int mss = connection.maxSegmentPayload();
            int headers = packet.remaining() - payload;
            offloadingDown.acceptTcpOffloaded(packet, PacketCodec.IP_HEADER_LENGTH, headers, payload > mss ? mss : 0, now);
        } else {
            down.accept(packet, now);
        }
    }

    /** Segments the host emits itself (RSTs, cookie SYN-ACKs): never segmented. */
    private void emit(int src, int sport, int dst, int dport, TcpSegment s) {
        ByteBuffer packet = codec.writeTcp(src, sport, dst, dport, s);
        stats.packetsSent++;
        if (offloadingDown != null) {
            offloadingDown.acceptTcpOffloaded(packet, PacketCodec.IP_HEADER_LENGTH, packet.remaining() - s.payloadLength(), 0, now);
        } else {
            down.accept(packet, now);
        }
    }
}
