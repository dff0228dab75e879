package io.fttcp.replication.channel;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;
import java.util.stream.Stream;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

/**
 * Lowers the kernel's minimum retransmission timeout on a replication connection (Linux's
 * {@code TCP_RTO_MIN_US}). Linux waits at least 200 ms before it retransmits a segment that fast
 * retransmission could not recover (the retransmission itself lost, or the last segment of a
 * burst): longer than the failure detection timeout (150 ms by default). The heartbeats travel
 * in the same byte stream, behind that segment, so one unlucky loss on the replicas' link
 * silenced the channel past the timeout and the backup took over a live primary: safely (the
 * primary's lease had run out, it was fenced, and it stepped down), but needlessly, leaving the
 * service unprotected (measured: 1% loss and 3% reordering on the backup's link broke a pair
 * up during an upload in 3 of 4 end-to-end runs). The replicas share one Ethernet segment (the
 * takeover moves a MAC), a logger usually the same LAN, where round trips are well under a
 * millisecond: with a floor of {@link #FLOOR} (12 ms at 250 Hz: the kernel counts in ticks),
 * a silence that long takes the same segment lost four times in a row.
 *
 * <p>Java has no way to set the option; the socket's descriptor is found among the process's
 * by its two endpoints ({@code getsockname}, {@code getpeername}) and the option set with
 * {@code setsockopt}. A kernel without the option (before Linux 6.15) keeps its floor: the
 * {@code net.ipv4.tcp_rto_min_us} sysctl (6.11 and later) or a route's {@code rto_min} sets it
 * there (a route's {@code rto_min}, where set, also overrides the option).
 */
@SuppressWarnings("restricted") // native calls are the point of this class; run with --enable-native-access
final class RetransmissionFloor {
    static final Duration FLOOR = Duration.ofMillis(10);

    private static final int IPPROTO_TCP = 6;
    private static final int TCP_RTO_MIN_US = 45;
    private static final int AF_INET = 2;
    private static final int AF_INET6 = 10;
    private static final int ENOPROTOOPT = 92;
    private static final int EINVAL = 22;
    private static final int SOCKADDR_STORAGE = 128;

    /** The native calls, set up on first use inside {@link #apply}'s guard (a JVM denying native access must not fail a channel). */
    private static final class Native {
        static final Linker LINKER = Linker.nativeLinker();
        static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
        static final VarHandle ERRNO = CAPTURE_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));
        static final Linker.Option ERRNO_CAPTURE = Linker.Option.captureCallState("errno");
        static final MethodHandle GETSOCKNAME = downcall("getsockname", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
        static final MethodHandle GETPEERNAME = downcall("getpeername", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
        static final MethodHandle SETSOCKOPT = downcall("setsockopt",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
        static final MethodHandle GETSOCKOPT = downcall("getsockopt",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));

        private static MethodHandle downcall(String name, FunctionDescriptor descriptor) {
            return LINKER.downcallHandle(LINKER.defaultLookup().find(name).orElseThrow(), descriptor, ERRNO_CAPTURE);
        }
    }

    private RetransmissionFloor() {
    }

    /** Sets the floor on the connected {@code socket}; returns null if set, else why not (for the log). Never throws. */
    static String apply(SocketChannel socket, Duration floor) {
        try (Arena arena = Arena.ofConfined()) {
            OptionalInt fd = descriptorOf(socket, arena);
            if (fd.isEmpty()) {
                return "its descriptor was not found among the process's";
            }
            int e = set(fd.getAsInt(), floor, arena);
            if (e == EINVAL && floor.compareTo(Duration.ofMillis(20)) < 0) {
                e = set(fd.getAsInt(), Duration.ofMillis(20), arena); // a kernel ticking at 100 Hz takes two ticks at least
            }
            return switch (e) {
                case 0 -> null;
                case ENOPROTOOPT -> "this kernel has no TCP_RTO_MIN_US (Linux 6.15 and later have it)";
                default -> "setsockopt(TCP_RTO_MIN_US) failed, errno " + e;
            };
        } catch (VirtualMachineError e) {
            throw e;
        } catch (Throwable t) {
            return t.toString();
        }
    }

    /** Sets the option; 0, or the errno. */
    private static int set(int fd, Duration floor, Arena arena) throws Throwable {
        MemorySegment errno = arena.allocate(Native.CAPTURE_LAYOUT);
        MemorySegment value = arena.allocateFrom(JAVA_INT, (int) Math.min(Integer.MAX_VALUE, floor.toNanos() / 1000));
        int r = (int) Native.SETSOCKOPT.invokeExact(errno, fd, IPPROTO_TCP, TCP_RTO_MIN_US, value, 4);
        return r == 0 ? 0 : (int) Native.ERRNO.get(errno, 0L);
    }

    /** The floor the kernel holds for {@code socket}, in microseconds (for tests); empty if unknown. */
    static OptionalInt currentMicros(SocketChannel socket) {
        try (Arena arena = Arena.ofConfined()) {
            OptionalInt fd = descriptorOf(socket, arena);
            if (fd.isEmpty()) {
                return OptionalInt.empty();
            }
            MemorySegment errno = arena.allocate(Native.CAPTURE_LAYOUT);
            MemorySegment value = arena.allocate(JAVA_INT);
            MemorySegment length = arena.allocateFrom(JAVA_INT, 4);
            int r = (int) Native.GETSOCKOPT.invokeExact(errno, fd.getAsInt(), IPPROTO_TCP, TCP_RTO_MIN_US, value, length);
            return r == 0 ? OptionalInt.of(value.get(JAVA_INT, 0)) : OptionalInt.empty();
        } catch (VirtualMachineError e) {
            throw e;
        } catch (Throwable t) {
            return OptionalInt.empty();
        }
    }

    /** The descriptor whose local and peer addresses are the socket's (a connection has one). */
    private static OptionalInt descriptorOf(SocketChannel socket, Arena arena) throws Throwable {
        SocketAddress local = socket.getLocalAddress();
        SocketAddress remote = socket.getRemoteAddress();
        if (!(local instanceof InetSocketAddress l) || !(remote instanceof InetSocketAddress r)) {
            return OptionalInt.empty();
        }
        List<Integer> candidates;
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            candidates = fds.filter(RetransmissionFloor::isSocket).map(p -> Integer.parseInt(p.getFileName().toString())).toList();
        }
        MemorySegment errno = arena.allocate(Native.CAPTURE_LAYOUT);
        MemorySegment address = arena.allocate(SOCKADDR_STORAGE, 8);
        MemorySegment length = arena.allocate(JAVA_INT);
        for (int fd : candidates) {
            if (endpointIs(Native.GETSOCKNAME, fd, l, errno, address, length) && endpointIs(Native.GETPEERNAME, fd, r, errno, address, length)) {
                return OptionalInt.of(fd);
            }
        }
        return OptionalInt.empty();
    }

    private static boolean isSocket(Path fd) {
        try {
            return Files.readSymbolicLink(fd).toString().startsWith("socket:");
        } catch (IOException | UnsupportedOperationException e) {
            return false; // closed meanwhile, or not a link
        }
    }

    private static boolean endpointIs(MethodHandle call, int fd, InetSocketAddress expected, MemorySegment errno,
                                      MemorySegment address, MemorySegment length) throws Throwable {
        length.set(JAVA_INT, 0, SOCKADDR_STORAGE);
        int r = (int) call.invokeExact(errno, fd, address, length);
        if (r != 0) {
            return false;
        }
        int port = (address.get(JAVA_BYTE, 2) & 0xff) << 8 | (address.get(JAVA_BYTE, 3) & 0xff);
        byte[] ip = switch (address.get(JAVA_SHORT, 0)) { // sa_family, in the machine's byte order
            case AF_INET -> address.asSlice(4, 4).toArray(JAVA_BYTE);
            case AF_INET6 -> address.asSlice(8, 16).toArray(JAVA_BYTE);
            default -> null;
        };
        return ip != null && port == expected.getPort() && sameAddress(ip, expected.getAddress());
    }

    /** Equal, or the IPv4-mapped IPv6 form of each other (a Java socket is dual-stack by default). */
    private static boolean sameAddress(byte[] ip, InetAddress expected) {
        byte[] want = expected.getAddress();
        if (Arrays.equals(ip, want)) {
            return true;
        }
        byte[] v4 = ip.length == 16 ? mappedV4(ip) : ip;
        byte[] w4 = want.length == 16 ? mappedV4(want) : want;
        return v4 != null && w4 != null && Arrays.equals(v4, w4);
    }

    private static byte[] mappedV4(byte[] v6) {
        for (int i = 0; i < 10; i++) {
            if (v6[i] != 0) {
                return null;
            }
        }
        return (v6[10] == (byte) 0xff && v6[11] == (byte) 0xff) ? Arrays.copyOfRange(v6, 12, 16) : null;
    }
}
