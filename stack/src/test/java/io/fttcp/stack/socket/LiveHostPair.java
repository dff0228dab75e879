package io.fttcp.stack.socket;

import io.fttcp.stack.host.HostConfig;
import io.fttcp.stack.host.IpHost;
import io.fttcp.stack.runtime.ThreadedHostLoop;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * Two stacks with real threads and clocks, joined by an in-memory wire: each direction has a
 * delivery thread that hands packets to the other host under its lock. Tests the socket layer
 * as applications use it.
 */
final class LiveHostPair implements AutoCloseable {
    static final int A = 0xC6120001, B = 0xC6120002;

    final ThreadedHostLoop loopA = new ThreadedHostLoop("a"), loopB = new ThreadedHostLoop("b");
    final IpHost a, b;
    final StackNetwork netA, netB;
    private final LinkedBlockingQueue<ByteBuffer> toA = new LinkedBlockingQueue<>(), toB = new LinkedBlockingQueue<>();
    private final Thread deliverA, deliverB;
    /** When false, packets are dropped on the wire (a cut cable). */
    volatile boolean connected = true;

    LiveHostPair() {
        a = new IpHost(HostConfig.defaults(1, 2), (p, now) -> send(toB, p));
        b = new IpHost(HostConfig.defaults(3, 4), (p, now) -> send(toA, p));
        a.addAddress(A);
        b.addAddress(B);
        loopA.start(a);
        loopB.start(b);
        netA = new StackNetwork(a, loopA);
        netB = new StackNetwork(b, loopB);
        deliverA = Thread.ofPlatform().daemon().start(() -> deliver(toA, a, loopA));
        deliverB = Thread.ofPlatform().daemon().start(() -> deliver(toB, b, loopB));
    }

    private void send(LinkedBlockingQueue<ByteBuffer> q, ByteBuffer p) {
        if (!connected) return;
        ByteBuffer copy = ByteBuffer.allocate(p.remaining());
        copy.put(p.duplicate()).flip();
        q.add(copy);
    }

    private static void deliver(LinkedBlockingQueue<ByteBuffer> q, IpHost host, ThreadedHostLoop loop) {
        try {
            while (true) {
                ByteBuffer p = q.take();
                loop.lock().lock();
                try {
                    host.accept(p, loop.now());
                    loop.timersChanged();
                } finally {
                    loop.lock().unlock();
                }
            }
        } catch (InterruptedException e) {
            // closed
        }
    }

    static InetSocketAddress address(int ip, int port) throws Exception {
        return new InetSocketAddress(InetAddress.getByAddress(new byte[]{(byte) (ip >>> 24), (byte) (ip >>> 16), (byte) (ip >>> 8), (byte) ip}), port);
    }

    @Override
    public void close() {
        deliverA.interrupt();
        deliverB.interrupt();
        loopA.close();
        loopB.close();
    }
}
