package io.fttcp.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/** Opens many connections that then send nothing, a few at a time so no backlog overflows, and closes them on request. */
public final class IdleClients implements AutoCloseable {
    private static final int CONNECTING_THREADS = 16;

    private final ConcurrentLinkedQueue<SocketChannel> open = new ConcurrentLinkedQueue<>();

    /** Connections opened and failed by one {@link #open} call, with the first failure's reason. */
    public record Opened(int opened, int failed, String firstFailure) {
    }

    public Opened open(InetSocketAddress server, int count) throws InterruptedException {
        AtomicInteger next = new AtomicInteger();
        AtomicInteger opened = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        AtomicReference<String> firstFailure = new AtomicReference<>("");
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < CONNECTING_THREADS; t++) {
            threads.add(Thread.ofPlatform().daemon().name("idle-connect-" + t).start(() -> {
                while (next.getAndIncrement() < count) {
                    try {
                        open.add(SocketChannel.open(server));
                        opened.incrementAndGet();
                    } catch (IOException e) {
                        failed.incrementAndGet();
                        firstFailure.compareAndSet("", e.toString());
                    }
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        return new Opened(opened.get(), failed.get(), firstFailure.get());
    }

    /** Closes every open connection; returns how many. */
    public int closeAll() {
        int closed = 0;
        SocketChannel channel;
        while ((channel = open.poll()) != null) {
            try {
                channel.close();
            } catch (IOException e) {
                // A socket we are done with; its close error changes nothing.
            }
            closed++;
        }
        return closed;
    }

    @Override
    public void close() {
        closeAll();
    }
}
