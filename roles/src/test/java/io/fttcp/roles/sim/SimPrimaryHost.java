package io.fttcp.roles.sim;

import io.fttcp.link.FrameLink;
import io.fttcp.link.FrameReceiver;
import io.fttcp.link.ethernet.EthernetConfig;
import io.fttcp.roles.StackHost;
import io.fttcp.link.ethernet.EthernetInterface;
import io.fttcp.link.ethernet.MacAddress;
import io.fttcp.sim.DeadlineTimer;
import io.fttcp.sim.HostIncarnation;
import io.fttcp.stack.host.HostConfig;
import io.fttcp.stack.host.IpHost;
import io.fttcp.stack.host.IpPacketSink;
import io.fttcp.stack.runtime.TimerDriven;
import io.fttcp.stack.tcp.TcpConfig;
import io.fttcp.wrappers.ssw.ProtectedService;
import io.fttcp.wrappers.ssw.RecordSink;
import io.fttcp.wrappers.ssw.SouthSideWrapper;

import java.nio.ByteBuffer;
import java.util.SplittableRandom;
import java.util.function.Supplier;

/**
 * The primary of primary/backup on one life of a simulated host: Ethernet interface, then the
 * {@link SouthSideWrapper}, then our {@link IpHost}, answering for the host's own address and the
 * protected service address. The wrapper logs into {@code log}; every frame the host sends passes
 * {@code egress} first (the promise's checks), then the link.
 *
 * <p>As in {@code SimStackHost}, every call into the stack or the wrapper goes through
 * {@link #call} (or {@link #post}), which re-arms the host's one deadline timer.
 */
final class SimPrimaryHost {
    static final int PREFIX_LENGTH = 24;

    /** Sees each frame the host sends, before the link does; must not modify it. */
    @FunctionalInterface
    interface FrameTap {
        void sent(ByteBuffer frame, long now);
    }

    /** Investigation aid: sees every IP packet the stack emits, before the wrapper (null: none). */
    static IpPacketSink stackTap;

    private final HostIncarnation life;
    private final ProtectedService service;
    private final EthernetInterface ethernet;
    private final SouthSideWrapper ssw;
    private final IpHost ip;
    private final DeadlineTimer timer;

    SimPrimaryHost(HostIncarnation life, TcpConfig tcp, int hostAddress, ProtectedService service, RecordSink log,
                   FrameTap egress) {
        this.life = life;
        this.service = service;
        SplittableRandom random = life.newRandom();
        HostConfig config = HostConfig.defaults(random.nextLong(), random.nextLong()).withTcp(tcp).withMtu(life.link().mtu());
        ethernet = new EthernetInterface(tapped(life.link(), egress),
                EthernetConfig.defaults(new MacAddress(life.mac()), PREFIX_LENGTH));
        ssw = new SouthSideWrapper(service, log, ethernet, false);
        IpPacketSink fromStack = ssw.stackSide();
        ip = new IpHost(config, stackTap == null ? fromStack : (packet, now) -> {
            stackTap.accept(packet, now);
            fromStack.accept(packet, now);
        });
        StackHost.interpose(ethernet, ssw, ip); // as on a TAP
        for (int address : new int[] {hostAddress, service.address()}) {
            ethernet.addAddress(address);
            ip.addAddress(address);
        }
        timer = life.timer(TimerDriven.both(ethernet, ip));
        FrameReceiver live = timer.wrap(ethernet);
        life.link().setReceiver((frame, now) -> {
            if (!life.host().simulation().scheduler().isFrozen(life)) {
                live.receive(frame, now);
                return;
            }
            // Frozen (a stopped process): the frame waits in the receive buffer until the thaw, if there is room.
            if (buffered >= receiveBufferFrames) {
                droppedWhileFrozen++;
                return;
            }
            buffered++;
            ByteBuffer copy = ByteBuffer.allocate(frame.remaining()).put(frame.duplicate()).flip();
            life.after(0, () -> {
                buffered--;
                live.receive(copy, life.now());
            });
        });
    }

    /** How many frames wait for a frozen process (the socket's receive buffer); more are dropped. */
    int receiveBufferFrames = Integer.MAX_VALUE;
    private int buffered;
    long droppedWhileFrozen;

    /** The host's process stops (SIGSTOP, a long pause) until {@code until}: nothing it does happens meanwhile, its timers fire late, frames to it wait. */
    void freezeUntil(long until) {
        life.host().simulation().scheduler().freeze(life, until);
    }

    EthernetInterface ethernet() {
        return ethernet;
    }

    private FrameLink tapped(FrameLink link, FrameTap egress) {
        return new FrameLink() {
            @Override
            public void send(ByteBuffer frame) {
                egress.sent(frame, life.now());
                link.send(frame);
            }

            @Override
            public int mtu() {
                return link.mtu();
            }

            @Override
            public void setReceiver(FrameReceiver receiver) {
                link.setReceiver(receiver);
            }
        };
    }

    HostIncarnation incarnation() {
        return life;
    }

    long now() {
        return life.now();
    }

    ProtectedService service() {
        return service;
    }

    SouthSideWrapper ssw() {
        return ssw;
    }

    IpHost ip() {
        return ip;
    }

    /** Runs {@code interaction} (calls into the stack or the wrapper), then re-arms the timer. */
    void call(Runnable interaction) {
        timer.run(interaction);
    }

    <T> T call(Supplier<T> interaction) {
        try {
            return interaction.get();
        } finally {
            timer.rearm();
        }
    }

    /** Runs {@code action} at this instant, after the current event, unless the host crashes first. */
    void post(Runnable action) {
        after(0, action);
    }

    /** Runs {@code action} after {@code delayNanos}, unless the host crashes first. */
    void after(long delayNanos, Runnable action) {
        life.after(delayNanos, () -> timer.run(action));
    }

    /** The replication stream says records up to {@code lsn} are stable. */
    void stable(long lsn) {
        call(() -> ssw.onStable(lsn, now()));
    }

    /** The lease expired (or came back): the wrapper lets nothing protected leave while fenced. */
    void setFenced(boolean fenced) {
        call(() -> ssw.setFenced(fenced));
    }
}
