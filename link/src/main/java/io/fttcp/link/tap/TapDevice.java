package io.fttcp.link.tap;

import io.fttcp.link.FrameLink;
import io.fttcp.link.FrameOffload;
import io.fttcp.link.FrameReceiver;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A Linux TAP device (/dev/net/tun, IFF_TAP|IFF_NO_PI) as a {@link FrameLink}, through
 * java.lang.foreign. Bringing the interface up and bridging it is not done here (the testbed does
 * that with {@code ip}); opening a name that does not exist creates a transient device.
 *
 * <p>Receiving: a daemon platform thread polls the descriptor (so {@link #close} can stop it)
 * and pushes each frame to the receiver with {@code now = System.nanoTime()}; the buffer is a
 * reused view of native memory (frames read before a receiver is set are discarded). Sending:
 * the frame is copied into the next slot of a {@link TransmitRing} and a daemon writer thread
 * makes the write(2), so the sender (who holds the stack's host lock) does not wait in the
 * kernel; a sender waits only while every slot is queued. Frames leave in the order sent.
 * Nothing is allocated per frame.
 *
 * <p>With offloads, the device is opened with IFF_VNET_HDR: every frame carries a virtio-net
 * header, the kernel may hand us frames with a partial checksum (NEEDS_CSUM) and TCP frames
 * larger than the MTU (GSO), and we may send the same.
 */
public final class TapDevice implements FrameLink, AutoCloseable {
    private static final long TUNSETIFF = 0x400454caL;
    private static final long TUNSETOFFLOAD = 0x400454d0L;
    private static final long TUNSETVNETHDRSZ = 0x400454d8L;
    private static final long SIOCGIFMTU = 0x8921L;
    private static final short IFF_TAP = 0x0002;
    private static final short IFF_NO_PI = 0x1000;
    private static final short IFF_VNET_HDR = 0x4000;
    private static final int TUN_F_CSUM = 0x01;
    private static final int TUN_F_TSO4 = 0x02;
    private static final int IFREQ_SIZE = 40;
    private static final int IFNAME_MAX = 15;
    /** virtio_net_hdr_mrg_rxbuf: the 10-byte header plus num_buffers. */
    public static final int VNET_HEADER_LENGTH = 12;
    /** Largest frame we read or write: a 64 KiB GSO packet plus headers. */
    public static final int MAX_FRAME = 65536 + 14 + 4;
    private static final int POLL_TIMEOUT_MILLIS = 100;
    /** Frames queued for the writer: enough for a burst of 64 KiB GSO frames (about 4 MiB of native memory). */
    private static final int TRANSMIT_SLOTS = 64;

    private final String name;
    private final int fd;
    private final boolean offloads;
    private final int headerLength;
    private final int mtu;
    private final Arena arena = Arena.ofShared();
    private final TapStats stats = new TapStats();

    /** Serializes senders (the ring takes one at a time) and orders close against them. */
    private final ReentrantLock sendLock = new ReentrantLock();
    private final TransmitRing transmitRing;
    private final MemorySegment txErrno;
    private final Thread writer;

    private final MemorySegment rxSegment;
    private final ByteBuffer rxView;
    private final MemorySegment rxErrno;
    private final MemorySegment pollFd;
    private final FrameOffload rxOffload = new FrameOffload();
    private final Thread reader;

    private volatile FrameReceiver receiver = (frame, now) -> { };
    private volatile boolean closed;
    private volatile String readFailure;
    private volatile String writeFailure;

    private TapDevice(String name, int fd, boolean offloads, int mtu) {
        this.name = name;
        this.fd = fd;
        this.offloads = offloads;
        this.headerLength = offloads ? VNET_HEADER_LENGTH : 0;
        this.mtu = mtu;
        this.transmitRing = new TransmitRing(arena, TRANSMIT_SLOTS, VNET_HEADER_LENGTH + MAX_FRAME, stats.sendsWaitedForRoom);
        this.txErrno = LinuxCalls.newErrnoState(arena);
        this.rxSegment = arena.allocate(VNET_HEADER_LENGTH + MAX_FRAME, 64);
        this.rxView = rxSegment.asByteBuffer();
        this.rxErrno = LinuxCalls.newErrnoState(arena);
        this.pollFd = arena.allocate(8, 4);
        this.reader = Thread.ofPlatform().daemon().name("tap-reader-" + name).unstarted(this::readLoop);
        this.writer = Thread.ofPlatform().daemon().name("tap-writer-" + name).unstarted(this::writeLoop);
    }

    /** Opens (attaches to, or creates) the TAP device {@code name} without offloads. */
    public static TapDevice open(String name) throws IOException {
        return open(name, false);
    }

    /**
     * Opens the TAP device {@code name}; with {@code offloads}, enables the virtio-net header,
     * partial checksums and TCPv4 segmentation offload. Starts the reader thread.
     */
    public static TapDevice open(String name, boolean offloads) throws IOException {
        byte[] nameBytes = name == null ? new byte[0] : name.getBytes(StandardCharsets.US_ASCII);
        if (nameBytes.length == 0 || nameBytes.length > IFNAME_MAX) {
            throw new IllegalArgumentException("TAP device name must be 1.." + IFNAME_MAX + " ASCII characters, got '" + name + "'");
        }
        try (Arena setup = Arena.ofConfined()) {
            MemorySegment errno = LinuxCalls.newErrnoState(setup);
            int fd = LinuxCalls.open(errno, setup.allocateFrom("/dev/net/tun"), LinuxCalls.O_RDWR | LinuxCalls.O_CLOEXEC);
            TapDevice tap;
            if (fd < 0) {
                int e = LinuxCalls.errno(errno);
                throw new IOException(switch (e) {
                    case LinuxCalls.EACCES, LinuxCalls.EPERM -> "cannot open /dev/net/tun: permission denied; run as root (or with CAP_NET_ADMIN)";
                    case LinuxCalls.ENOENT, LinuxCalls.ENODEV -> "cannot open /dev/net/tun: " + LinuxCalls.strerror(e)
                            + "; the tun driver is missing (modprobe tun, or create the device node)";
                    default -> "cannot open /dev/net/tun: " + LinuxCalls.strerror(e);
                });
            }
            try {
                MemorySegment ifreq = setup.allocate(IFREQ_SIZE, 8);
                MemorySegment.copy(nameBytes, 0, ifreq, ValueLayout.JAVA_BYTE, 0, nameBytes.length);
                short flags = (short) (IFF_TAP | IFF_NO_PI | (offloads ? IFF_VNET_HDR : 0));
                ifreq.set(ValueLayout.JAVA_SHORT, 16, flags);
                if (LinuxCalls.ioctl(errno, fd, TUNSETIFF, ifreq) < 0) {
                    int e = LinuxCalls.errno(errno);
                    throw new IOException("cannot attach to TAP device " + name + ": " + LinuxCalls.strerror(e) + switch (e) {
                        case LinuxCalls.EPERM, LinuxCalls.EACCES -> "; run as root (or with CAP_NET_ADMIN), or create it owned by this user";
                        case LinuxCalls.EBUSY -> "; another process holds it (single-queue TAP devices take one reader)";
                        case LinuxCalls.EINVAL -> "; a device of that name exists with other flags (TUN rather than TAP, or multi-queue?)";
                        default -> "";
                    });
                }
                if (offloads) {
                    MemorySegment size = setup.allocateFrom(ValueLayout.JAVA_INT, VNET_HEADER_LENGTH);
                    if (LinuxCalls.ioctl(errno, fd, TUNSETVNETHDRSZ, size) < 0) {
                        throw new IOException("cannot set the virtio-net header size on TAP device " + name + ": "
                                + LinuxCalls.strerror(LinuxCalls.errno(errno)));
                    }
                }
                // A persistent TAP keeps the offloads of its previous opener: set them every time,
                // off included, or a plain reader gets partial checksums and GSO frames.
                long offloadFlags = offloads ? (TUN_F_CSUM | TUN_F_TSO4) : 0L;
                if (LinuxCalls.ioctl(errno, fd, TUNSETOFFLOAD, offloadFlags) < 0) {
                    throw new IOException("cannot " + (offloads ? "enable" : "disable") + " checksum/TSO offload on TAP device " + name + ": "
                            + LinuxCalls.strerror(LinuxCalls.errno(errno)));
                }
                String actualName = ifreq.getString(0, StandardCharsets.US_ASCII);
                tap = new TapDevice(actualName, fd, offloads, queryMtu(setup, errno, nameBytes));
            } catch (IOException | RuntimeException e) {
                LinuxCalls.close(errno, fd);
                throw e;
            }
            try {
                tap.writer.start();
                tap.reader.start();
            } catch (RuntimeException | Error e) {
                tap.close(); // the descriptor now belongs to the device (and a thread may use it)
                throw e;
            }
            return tap;
        }
    }

    /** The interface MTU from SIOCGIFMTU in our network namespace; 1500 if it cannot be read. */
    private static int queryMtu(Arena setup, MemorySegment errno, byte[] nameBytes) {
        int sock = LinuxCalls.socket(errno, 2 /* AF_INET */, 2 /* SOCK_DGRAM */, 0);
        if (sock < 0) {
            return 1500;
        }
        try {
            MemorySegment ifreq = setup.allocate(IFREQ_SIZE, 8);
            MemorySegment.copy(nameBytes, 0, ifreq, ValueLayout.JAVA_BYTE, 0, nameBytes.length);
            return LinuxCalls.ioctl(errno, sock, SIOCGIFMTU, ifreq) < 0 ? 1500 : ifreq.get(ValueLayout.JAVA_INT, 16);
        } finally {
            LinuxCalls.close(errno, sock);
        }
    }

    public String name() {
        return name;
    }

    public TapStats stats() {
        return stats;
    }

    /** Why the reader stopped on its own (the device went away), or null. */
    public String readFailure() {
        return readFailure;
    }

    /** Why the writer stopped before close (a bug: it should not), or null. */
    public String writeFailure() {
        return writeFailure;
    }

    @Override
    public int mtu() {
        return mtu;
    }

    @Override
    public boolean offloadsEnabled() {
        return offloads;
    }

    @Override
    public void setReceiver(FrameReceiver receiver) {
        this.receiver = receiver == null ? (frame, now) -> { } : receiver;
    }

    /** During a receive callback (reader thread): the frame's virtio-net header; null without offloads. */
    @Override
    public FrameOffload receivedOffload() {
        return offloads ? rxOffload : null;
    }

    @Override
    public void send(ByteBuffer frame) {
        send(frame, null);
    }

    /**
     * Writes one frame. With offloads, {@code offload} (offsets from the frame start) becomes
     * the virtio-net header: e.g. NEEDS_CSUM with checksumStart/Offset for a partial TCP
     * checksum, and GSO_TCPV4 with gsoSize (the MSS) and headerLength for a large TCP frame the
     * kernel segments. Failures are counted, not thrown: a lost frame is TCP's to recover.
     */
    @Override
    public void send(ByteBuffer frame, FrameOffload offload) {
        send(frame, offload, Long.MAX_VALUE);
    }

    /** As {@link #send(ByteBuffer, FrameOffload)}; the writer drops the frame if it takes it at or after {@code deadline}. */
    @Override
    public void send(ByteBuffer frame, FrameOffload offload, long deadline) {
        int length = frame.remaining();
        if (!offloads && offload != null && !offload.isPlain()) {
            throw new UnsupportedOperationException("TAP device " + name + " was opened without offloads; cannot send " + offload);
        }
        if (length > MAX_FRAME || (!offloads && length > mtu + 14 + 4)) {
            stats.droppedTooLarge.incrementAndGet();
            return;
        }
        sendLock.lock();
        try {
            int slot = closed ? -1 : transmitRing.awaitFree();
            if (slot < 0) {
                stats.droppedClosed.incrementAndGet();
                return;
            }
            if (offloads) {
                writeVnetHeader(transmitRing.segment(slot), offload);
            }
            transmitRing.view(slot).put(headerLength, frame, frame.position(), length);
            if (!transmitRing.publish(headerLength + length, deadline)) {
                stats.droppedClosed.incrementAndGet();
            }
        } finally {
            sendLock.unlock();
        }
    }

    /**
     * The writer thread: writes queued frames in order until the device is closed and the ring
     * drained. The deadline is checked just before each write(2); a stop between the two (a
     * SIGSTOP landing exactly there) can still make one frame late, which no user-space check
     * closes.
     */
    private void writeLoop() {
        try {
            TransmitRing.Outcome o;
            while ((o = transmitRing.writeNext(System::nanoTime, this::writeFrame)) != TransmitRing.Outcome.CLOSED) {
                switch (o) {
                    case WRITTEN -> stats.framesWritten.incrementAndGet();
                    case WRITE_FAILED -> stats.writeErrors.incrementAndGet();
                    case PAST_DEADLINE -> stats.droppedPastDeadline.incrementAndGet();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            writeFailure = "TAP device " + name + ": the writer was interrupted";
        } catch (RuntimeException | Error e) {
            writeFailure = "TAP device " + name + ": the writer stopped: " + e;
            System.err.println(writeFailure + "; nothing more is sent on " + name + " (frames handed over from now on are counted as dropped)");
            e.printStackTrace();
            throw e;
        } finally {
            transmitRing.close(); // whatever stopped the writer, senders must not wait for it
            stats.droppedClosed.addAndGet(transmitRing.queued()); // never written
        }
    }

    private boolean writeFrame(MemorySegment slot, int length) {
        return LinuxCalls.write(txErrno, fd, slot, length) >= 0;
    }

    private void writeVnetHeader(MemorySegment h, FrameOffload o) {
        if (o == null || o.isPlain()) {
            h.asSlice(0, VNET_HEADER_LENGTH).fill((byte) 0);
            return;
        }
        h.set(ValueLayout.JAVA_BYTE, 0, (byte) o.flags());
        h.set(ValueLayout.JAVA_BYTE, 1, (byte) o.gsoType());
        h.set(ValueLayout.JAVA_SHORT_UNALIGNED, 2, (short) o.headerLength());
        h.set(ValueLayout.JAVA_SHORT_UNALIGNED, 4, (short) o.gsoSize());
        h.set(ValueLayout.JAVA_SHORT_UNALIGNED, 6, (short) o.checksumStart());
        h.set(ValueLayout.JAVA_SHORT_UNALIGNED, 8, (short) o.checksumOffset());
        h.set(ValueLayout.JAVA_SHORT_UNALIGNED, 10, (short) 0);
    }

    private void readLoop() {
        pollFd.set(ValueLayout.JAVA_INT, 0, fd);
        pollFd.set(ValueLayout.JAVA_SHORT, 4, LinuxCalls.POLLIN);
        while (!closed) {
            pollFd.set(ValueLayout.JAVA_SHORT, 6, (short) 0);
            int ready = LinuxCalls.poll(rxErrno, pollFd, 1, POLL_TIMEOUT_MILLIS);
            if (closed) {
                return;
            }
            if (ready < 0) {
                if (LinuxCalls.errno(rxErrno) == LinuxCalls.EINTR) {
                    continue;
                }
                stopReading("poll failed: " + LinuxCalls.strerror(LinuxCalls.errno(rxErrno)));
                return;
            }
            if (ready == 0) {
                continue;
            }
            short revents = pollFd.get(ValueLayout.JAVA_SHORT, 6);
            if ((revents & LinuxCalls.POLLIN) == 0 && (revents & (LinuxCalls.POLLERR | LinuxCalls.POLLHUP | LinuxCalls.POLLNVAL)) != 0) {
                stopReading("the device reported an error or hang-up (revents=0x" + Integer.toHexString(revents & 0xffff)
                        + "); was it deleted?");
                return;
            }
            long n = LinuxCalls.read(rxErrno, fd, rxSegment, rxSegment.byteSize());
            if (n < 0) {
                int e = LinuxCalls.errno(rxErrno);
                if (e == LinuxCalls.EINTR || e == LinuxCalls.EAGAIN) {
                    continue;
                }
                stats.readErrors.incrementAndGet();
                if (e == LinuxCalls.EBADFD || e == LinuxCalls.EBADF || e == LinuxCalls.EIO) {
                    stopReading("read failed: " + LinuxCalls.strerror(e) + "; the device is gone");
                    return;
                }
                continue;
            }
            deliver((int) n);
        }
    }

    private void stopReading(String why) {
        readFailure = "TAP device " + name + ": " + why;
    }

    private void deliver(int n) {
        if (n < headerLength) {
            stats.droppedShortReads.incrementAndGet();
            return;
        }
        if (offloads) {
            rxOffload.set(rxSegment.get(ValueLayout.JAVA_BYTE, 0) & 0xff,
                    rxSegment.get(ValueLayout.JAVA_BYTE, 1) & 0xff,
                    rxSegment.get(ValueLayout.JAVA_SHORT_UNALIGNED, 2) & 0xffff,
                    rxSegment.get(ValueLayout.JAVA_SHORT_UNALIGNED, 4) & 0xffff,
                    rxSegment.get(ValueLayout.JAVA_SHORT_UNALIGNED, 6) & 0xffff,
                    rxSegment.get(ValueLayout.JAVA_SHORT_UNALIGNED, 8) & 0xffff);
            if (rxOffload.needsChecksum()) {
                stats.partialChecksumFrames.incrementAndGet();
            }
            if (rxOffload.gsoType() != FrameOffload.GSO_NONE) {
                stats.gsoFramesRead.incrementAndGet();
            }
        }
        stats.framesRead.incrementAndGet();
        rxView.limit(n).position(headerLength);
        try {
            receiver.receive(rxView, System.nanoTime());
        } catch (RuntimeException e) {
            if (stats.receiverErrors.getAndIncrement() == 0) {
                System.err.println("TAP device " + name + ": the frame receiver threw (first of possibly many; counted in stats):");
                e.printStackTrace();
            }
        } finally {
            rxView.clear();
        }
    }

    /**
     * Stops the reader, lets the writer write what was already sent (deadlines still apply),
     * closes the descriptor and frees native memory. Idempotent. Both only once the reader and
     * the writer have stopped (the descriptor's number could otherwise be reused by another file
     * and read or written); a thread that does not stop within the join's bound leaves them leaked.
     */
    @Override
    public void close() {
        transmitRing.close(); // first: a sender waiting for room (holding the send lock) gives up
        sendLock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
        } finally {
            sendLock.unlock();
        }
        boolean interrupted = Thread.interrupted(); // joined regardless: freeing memory in use is worse than waiting
        join(reader);
        join(writer);
        if (!writer.isAlive() && !reader.isAlive()) {
            try (Arena a = Arena.ofConfined()) {
                LinuxCalls.close(LinuxCalls.newErrnoState(a), fd);
            }
            arena.close();
        }
        // else: a thread is stuck or we are on it; what it may still use (the descriptor's number
        // included: another file could get it) is left, not freed.
        if (interrupted) Thread.currentThread().interrupt();
    }

    /** Waits up to 5 s for {@code t} to end, not ended by interrupts (they are kept for the caller). */
    private static void join(Thread t) {
        if (Thread.currentThread() == t) return;
        long until = System.nanoTime() + 5_000_000_000L;
        boolean interrupted = false;
        while (t.isAlive()) {
            long left = until - System.nanoTime();
            if (left <= 0) break;
            try {
                t.join(Math.max(1, left / 1_000_000));
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
    }

    @Override
    public String toString() {
        return "TapDevice[" + name + (offloads ? ", offloads" : "") + ", mtu=" + mtu + "]";
    }
}
