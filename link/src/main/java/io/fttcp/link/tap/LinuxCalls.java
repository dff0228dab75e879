package io.fttcp.link.tap;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The few libc calls a TAP device needs, through java.lang.foreign. Every call takes an errno
 * capture segment ({@link #newErrnoState}) so errno is read reliably after a failure; each
 * thread uses its own.
 */
@SuppressWarnings("restricted") // native calls are the point of this class; run with --enable-native-access
final class LinuxCalls {
    static final int O_RDWR = 2;
    static final int O_CLOEXEC = 0x80000;
    static final int EINTR = 4;
    static final int EIO = 5;
    static final int EBADF = 9;
    static final int EAGAIN = 11;
    static final int EACCES = 13;
    static final int EBUSY = 16;
    static final int ENODEV = 19;
    static final int EINVAL = 22;
    static final int EPERM = 1;
    static final int ENOENT = 2;
    static final int EBADFD = 77;
    static final short POLLIN = 0x1;
    static final short POLLERR = 0x8;
    static final short POLLHUP = 0x10;
    static final short POLLNVAL = 0x20;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option ERRNO_CAPTURE = Linker.Option.captureCallState("errno");

    private static final MethodHandle OPEN = downcall("open",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), ERRNO_CAPTURE, Linker.Option.firstVariadicArg(2));
    private static final MethodHandle IOCTL_POINTER = downcall("ioctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS), ERRNO_CAPTURE, Linker.Option.firstVariadicArg(2));
    private static final MethodHandle IOCTL_VALUE = downcall("ioctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG), ERRNO_CAPTURE, Linker.Option.firstVariadicArg(2));
    private static final MethodHandle READ = downcall("read",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG), ERRNO_CAPTURE);
    private static final MethodHandle WRITE = downcall("write",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG), ERRNO_CAPTURE);
    private static final MethodHandle POLL = downcall("poll",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT), ERRNO_CAPTURE);
    private static final MethodHandle CLOSE = downcall("close",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT), ERRNO_CAPTURE);
    private static final MethodHandle SOCKET = downcall("socket",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), ERRNO_CAPTURE);
    private static final MethodHandle STRERROR = downcall("strerror",
            FunctionDescriptor.of(ADDRESS, JAVA_INT));

    private LinuxCalls() {
    }

    private static MethodHandle downcall(String name, FunctionDescriptor descriptor, Linker.Option... options) {
        MemorySegment symbol = LIBC.find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("libc function " + name + " not found; TAP devices need Linux"));
        return LINKER.downcallHandle(symbol, descriptor, options);
    }

    static MemorySegment newErrnoState(Arena arena) {
        return arena.allocate(CAPTURE_LAYOUT);
    }

    static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }

    static String strerror(int errno) {
        try {
            MemorySegment s = (MemorySegment) STRERROR.invokeExact(errno);
            return s.reinterpret(256).getString(0);
        } catch (Throwable t) {
            return "errno " + errno;
        }
    }

    static int open(MemorySegment errno, MemorySegment path, int flags) {
        try {
            return (int) OPEN.invokeExact(errno, path, flags, 0);
        } catch (Throwable t) {
            throw new IllegalStateException("native open failed to run", t);
        }
    }

    static int ioctl(MemorySegment errno, int fd, long request, MemorySegment arg) {
        try {
            return (int) IOCTL_POINTER.invokeExact(errno, fd, request, arg);
        } catch (Throwable t) {
            throw new IllegalStateException("native ioctl failed to run", t);
        }
    }

    static int ioctl(MemorySegment errno, int fd, long request, long arg) {
        try {
            return (int) IOCTL_VALUE.invokeExact(errno, fd, request, arg);
        } catch (Throwable t) {
            throw new IllegalStateException("native ioctl failed to run", t);
        }
    }

    static long read(MemorySegment errno, int fd, MemorySegment buf, long count) {
        try {
            return (long) READ.invokeExact(errno, fd, buf, count);
        } catch (Throwable t) {
            throw new IllegalStateException("native read failed to run", t);
        }
    }

    static long write(MemorySegment errno, int fd, MemorySegment buf, long count) {
        try {
            return (long) WRITE.invokeExact(errno, fd, buf, count);
        } catch (Throwable t) {
            throw new IllegalStateException("native write failed to run", t);
        }
    }

    static int poll(MemorySegment errno, MemorySegment fds, long count, int timeoutMillis) {
        try {
            return (int) POLL.invokeExact(errno, fds, count, timeoutMillis);
        } catch (Throwable t) {
            throw new IllegalStateException("native poll failed to run", t);
        }
    }

    static int close(MemorySegment errno, int fd) {
        try {
            return (int) CLOSE.invokeExact(errno, fd);
        } catch (Throwable t) {
            throw new IllegalStateException("native close failed to run", t);
        }
    }

    static int socket(MemorySegment errno, int domain, int type, int protocol) {
        try {
            return (int) SOCKET.invokeExact(errno, domain, type, protocol);
        } catch (Throwable t) {
            throw new IllegalStateException("native socket failed to run", t);
        }
    }
}
