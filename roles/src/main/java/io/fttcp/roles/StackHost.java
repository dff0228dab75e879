package io.fttcp.roles;

import io.fttcp.link.FrameOffload;
import io.fttcp.link.ethernet.EthernetConfig;
import io.fttcp.link.ethernet.EthernetInterface;
import io.fttcp.link.tap.TapDevice;
import io.fttcp.stack.host.HostConfig;
import io.fttcp.stack.host.IpHost;
import io.fttcp.stack.host.IpPacketSink;
import io.fttcp.stack.host.OffloadingPacketSink;
import io.fttcp.stack.runtime.ThreadedHostLoop;
import io.fttcp.stack.runtime.TimerDriven;
import io.fttcp.stack.socket.StackNetwork;
import io.fttcp.wrappers.ssw.SouthSideWrapper;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.security.SecureRandom;

/**
 * The user-space stack running unprotected on a TAP device: TAP ↔ Ethernet/ARP ↔ IP/TCP, one
 * host lock, a timer thread, and the socket interface on top. Applications get a
 * {@link io.fttcp.api.Network} from {@link #network()}. A primary places its south-side wrapper
 * between the link and the stack ({@link #start(StackHostConfig, Interposer)}); a backup starts
 * with no address, silent, until takeover adds the service address.
 */
public final class StackHost implements AutoCloseable {
    /** Largest TCP super-segment handed to the TAP when it segments for us. */
    private static final int SEGMENT_OFFLOAD_BYTES = 62 * 1024;

    private final TapDevice tap;
    private final EthernetInterface ethernet;
    private final IpHost ip;
    private final ThreadedHostLoop loop;
    private final StackNetwork network;

    private StackHost(TapDevice tap, EthernetInterface ethernet, IpHost ip, ThreadedHostLoop loop) {
        this.tap = tap;
        this.ethernet = ethernet;
        this.ip = ip;
        this.loop = loop;
        this.network = new StackNetwork(ip, loop);
    }

    /**
     * Something placed between the Ethernet interface and the stack: the primary's south-side
     * wrapper. Built once the link exists, under the host lock.
     */
    @FunctionalInterface
    public interface Interposer {
        /**
         * @param link                  where the wrapper sends packets (an {@link OffloadingPacketSink} when the TAP offloads)
         * @param stackChecksumsPartial the stack writes partial (device-completed) TCP checksums
         */
        SouthSideWrapper create(IpPacketSink link, boolean stackChecksumsPartial);
    }

    /** Opens the TAP device and starts the stack on it, unprotected. */
    public static StackHost start(StackHostConfig config) throws IOException {
        return start(config, null);
    }

    /**
     * Opens the TAP device and starts the stack on it, with {@code interposer}'s wrapper (if not
     * null) between the link and the stack: every packet either way passes through it.
     */
    public static StackHost start(StackHostConfig config, Interposer interposer) throws IOException {
        TapDevice tap = TapDevice.open(config.tapDevice(), config.offloads());
        ThreadedHostLoop loop = new ThreadedHostLoop("fttcp-" + config.tapDevice());
        try {
            EthernetInterface ethernet = new EthernetInterface(tap, EthernetConfig.defaults(config.mac(), config.prefixLength()));
            // The TAP's reader already runs: from here on every frame is handled under the host
            // lock, and the wiring below is done under it too, so no frame sees half a host.
            tap.setReceiver((frame, now) -> {
                loop.lock().lock();
                try {
                    ethernet.receive(frame, now);
                    loop.timersChanged();
                } finally {
                    loop.lock().unlock();
                }
            });
            StackHost host;
            loop.lock().lock();
            try {
                HostConfig hostConfig = withSecrets(config.host().withMtu(tap.mtu()));
                if (tap.offloadsEnabled()) hostConfig = hostConfig.withOffload(SEGMENT_OFFLOAD_BYTES, true);
                IpPacketSink link = tap.offloadsEnabled() ? new OffloadingEthernet(ethernet) : ethernet;
                SouthSideWrapper ssw = interposer == null ? null : interposer.create(link, hostConfig.checksumOffload());
                IpHost ip = new IpHost(hostConfig, ssw == null ? link : ssw.stackSide());
                for (int a : config.addresses()) {
                    ethernet.addAddress(a);
                    ip.addAddress(a);
                }
                if (ssw == null) {
                    ethernet.setUpward((packet, now) -> {
                        ip.codec().markChecksumVerified(ethernet.receivedChecksumTrusted());
                        ip.accept(packet, now);
                    });
                } else {
                    interpose(ethernet, ssw, ip);
                }
                host = new StackHost(tap, ethernet, ip, loop);
                loop.start(TimerDriven.both(ethernet, ip));
            } finally {
                loop.lock().unlock();
            }
            host.announce();
            return host;
        } catch (RuntimeException e) {
            loop.close();
            tap.close();
            throw e;
        }
    }

    /**
     * Puts the south-side wrapper between the Ethernet interface and the stack, both ways (the
     * stack already sends through the wrapper: it was built with {@link SouthSideWrapper#stackSide}).
     * The simulated primary is wired by the same code.
     */
    public static void interpose(EthernetInterface ethernet, SouthSideWrapper ssw, IpHost ip) {
        ssw.attachStack((packet, trusted, now) -> {
            ip.codec().markChecksumVerified(trusted);
            ip.accept(packet, now);
        });
        ethernet.setUpward((packet, now) -> ssw.receive(packet, ethernet.receivedChecksumTrusted(), now));
        // Closes the wrapper cannot see in the packets (timeouts) must reach it too.
        ip.setClosedObserver(ssw::connectionClosed);
        // Past the lease nothing leaves, checked per frame (ARP included) and again at the TAP's (later) write.
        ethernet.setEmissionDeadline(ssw::emissionDeadline);
    }

    private static HostConfig withSecrets(HostConfig c) {
        SecureRandom r = new SecureRandom();
        return new HostConfig(c.tcp(), c.mtu(), c.synBacklog(), c.segmentOffload(), c.checksumOffload(), c.ttl(), r.nextLong(), r.nextLong());
    }

    /** Gratuitous ARP for every address, so switches and peers learn where the stack is at once. */
    private void announce() {
        loop.lock().lock();
        try {
            for (int a : ethernet.addresses()) ethernet.sendGratuitousArp(a, 3, 200_000_000L, loop.now());
            loop.timersChanged();
        } finally {
            loop.lock().unlock();
        }
    }

    public StackNetwork network() {
        return network;
    }

    public IpHost ip() {
        return ip;
    }

    public EthernetInterface ethernet() {
        return ethernet;
    }

    public TapDevice tap() {
        return tap;
    }

    public ThreadedHostLoop loop() {
        return loop;
    }

    @Override
    public void close() {
        network.close(); // wakes application threads blocked on the stack's sockets
        loop.close();
        tap.close();
    }

    /** Passes the stack's offload requests to the Ethernet interface as virtio-net metadata. */
    private static final class OffloadingEthernet implements OffloadingPacketSink {
        private final EthernetInterface ethernet;
        private final FrameOffload offload = new FrameOffload();

        OffloadingEthernet(EthernetInterface ethernet) {
            this.ethernet = ethernet;
        }

        @Override
        public void accept(ByteBuffer packet, long now) {
            ethernet.accept(packet, now);
        }

        @Override
        public void acceptTcpOffloaded(ByteBuffer packet, int tcpOffset, int headerLength, int segmentSize, long now) {
            offload.set(FrameOffload.FLAG_NEEDS_CSUM, segmentSize > 0 ? FrameOffload.GSO_TCPV4 : FrameOffload.GSO_NONE,
                    headerLength, segmentSize, tcpOffset, TCP_CHECKSUM_OFFSET);
            ethernet.send(packet, offload, now);
        }

        private static final int TCP_CHECKSUM_OFFSET = io.fttcp.stack.packet.TcpCodec.CHECKSUM_OFFSET;
    }
}
