package io.fttcp.sim.stack;

import io.fttcp.stack.runtime.TimerDriven;
import io.fttcp.link.ethernet.EthernetConfig;
import io.fttcp.link.ethernet.EthernetInterface;
import io.fttcp.link.ethernet.MacAddress;
import io.fttcp.sim.DeadlineTimer;
import io.fttcp.sim.HostIncarnation;
import io.fttcp.stack.host.Connection;
import io.fttcp.stack.host.HostConfig;
import io.fttcp.stack.host.IpHost;
import io.fttcp.stack.host.Listener;
import io.fttcp.stack.tcp.TcpCheckpoint;
import io.fttcp.stack.tcp.TcpConfig;
import io.fttcp.stack.tcp.TcpEvents;

import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import java.util.function.Supplier;

/**
 * Our user-space stack running on one life of a simulated host: an {@link EthernetInterface} on
 * the incarnation's link (its MAC, our IPv4 addresses, a /24) below an {@link IpHost}, with one
 * {@link DeadlineTimer} for both. Build it in the host's boot function, so a restarted host comes
 * back with an empty stack (no connections), as after a real reboot.
 *
 * <p>Every call into the stack moves some deadline, so user calls go through this class, which
 * re-arms the timer after each; received frames re-arm it by themselves. {@link TcpEvents} are
 * delivered from inside the stack, where calling back into the connection is not allowed:
 * applications {@link #post} their reaction instead, which runs at the same virtual instant.
 */
public final class SimStackHost {
    public static final int PREFIX_LENGTH = 24;

    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    private final HostIncarnation life;
    private final EthernetInterface ethernet;
    private final IpHost ip;
    private final DeadlineTimer timer;
    private long resetsSent;

    /** A stack with default TCP settings answering for {@code addresses}. */
    public SimStackHost(HostIncarnation life, int... addresses) {
        this(life, TcpConfig.defaults(), addresses);
    }

    /** A stack with TCP settings {@code tcp} answering for {@code addresses}. */
    public SimStackHost(HostIncarnation life, TcpConfig tcp, int... addresses) {
        this.life = life;
        SplittableRandom random = life.newRandom();
        HostConfig config = HostConfig.defaults(random.nextLong(), random.nextLong())
                .withTcp(tcp)
                .withMtu(life.link().mtu());
        ethernet = new EthernetInterface(life.link(), EthernetConfig.defaults(new MacAddress(life.mac()), PREFIX_LENGTH));
        ip = new IpHost(config, this::sendDown);
        ethernet.setUpward(ip);
        for (int address : addresses) {
            ethernet.addAddress(address);
            ip.addAddress(address);
        }
        timer = life.timer(TimerDriven.both(ethernet, ip));
        life.link().setReceiver(timer.wrap(ethernet));
    }

    public HostIncarnation incarnation() {
        return life;
    }

    public String name() {
        return life.toString();
    }

    public boolean isAlive() {
        return life.isAlive();
    }

    public long now() {
        return life.now();
    }

    /** The IP layer, for inspection (stats, connection count); change it only through {@link #call}. */
    public IpHost ip() {
        return ip;
    }

    public EthernetInterface ethernet() {
        return ethernet;
    }

    /** TCP resets this host has sent (from connections and for segments nobody owns). */
    public long resetsSent() {
        return resetsSent;
    }

    /**
     * Resets sent by connections themselves (aborts, refusals in a connection's state), leaving out
     * the host's answers to segments of no connection, which are normal after an orderly close
     * when a duplicated or late segment arrives once the connection is gone (RFC 9293 3.10.7.1).
     */
    public long connectionResetsSent() {
        return resetsSent - ip.stats().resetsSent;
    }

    public int connectionCount() {
        return ip.connectionCount();
    }

    // ---- calls into the stack, each followed by re-arming the timer ---------------------------

    /** Runs {@code interaction} (any calls into the stack), then re-arms the timer. */
    public void call(Runnable interaction) {
        timer.run(interaction);
    }

    /** As {@link #call(Runnable)}, returning the interaction's result. */
    public <T> T call(Supplier<T> interaction) {
        try {
            return interaction.get();
        } finally {
            timer.rearm();
        }
    }

    /** Runs {@code action} at this instant, after the current event, unless the host crashes first. */
    public void post(Runnable action) {
        life.after(0, () -> timer.run(action));
    }

    /** Runs {@code action} after {@code delayNanos}, unless the host crashes first. */
    public void after(long delayNanos, Runnable action) {
        life.after(delayNanos, () -> timer.run(action));
    }

    public Listener listen(int port, int backlog, Listener.Events events) {
        return call(() -> ip.listen(0, port, backlog, events));
    }

    public Connection connect(int remoteAddress, int remotePort, TcpEvents events) {
        return call(() -> ip.connect(0, remoteAddress, remotePort, events, now()));
    }

    public int write(Connection connection, ByteBuffer src) {
        return call(() -> connection.write(src, now()));
    }

    public int read(Connection connection, ByteBuffer dst) {
        return call(() -> connection.read(dst, now()));
    }

    public void shutdownOutput(Connection connection) {
        call(() -> connection.shutdownOutput(now()));
    }

    public void close(Connection connection) {
        call(() -> connection.close(now()));
    }

    public void abort(Connection connection) {
        call(() -> connection.abort(now()));
    }

    public TcpCheckpoint checkpoint(Connection connection) {
        return connection.checkpoint(now());
    }

    /** Repair: recreates a connection from {@code checkpoint} (taken on this or another host). */
    public Connection restore(TcpCheckpoint checkpoint, TcpEvents events) {
        return call(() -> ip.restore(checkpoint, events, now()));
    }

    /**
     * After a restore: resend what is outstanding and acknowledge what we have, so the peer need
     * not wait for a timeout. Connection has no wrappers for these two yet, so this enters the
     * host through a zero-byte read afterwards, which re-arms the connection in the host's timer
     * queue (the calls may move its deadline); call it right after {@link #restore}.
     */
    public void kickAfterRestore(Connection connection) {
        call(() -> {
            connection.tcp().retransmitNow(now());
            connection.tcp().sendAck(now());
            connection.read(EMPTY, now());
        });
    }

    /**
     * Takeover: this host answers for {@code address} from now on and announces it with
     * {@code announcements} gratuitous ARPs {@code intervalNanos} apart, so that neighbours send
     * to our MAC.
     */
    public void takeOver(int address, int announcements, long intervalNanos) {
        call(() -> {
            ethernet.addAddress(address);
            ip.addAddress(address);
            ethernet.sendGratuitousArp(address, announcements, intervalNanos, now());
        });
    }

    // ---- send path -------------------------------------------------------------------------

    private void sendDown(ByteBuffer packet, long now) {
        if (isTcpReset(packet)) {
            resetsSent++;
        }
        ethernet.accept(packet, now);
    }

    private static boolean isTcpReset(ByteBuffer packet) {
        int ip = packet.position();
        if (packet.remaining() < 20 || packet.get(ip + 9) != 6) {
            return false;
        }
        int tcp = ip + ((packet.get(ip) & 0x0F) << 2);
        return tcp + 14 <= packet.limit() && (packet.get(tcp + 13) & 0x04) != 0;
    }

    @Override
    public String toString() {
        return "SimStackHost[" + name() + ", " + ip.connectionCount() + " connections]";
    }
}
