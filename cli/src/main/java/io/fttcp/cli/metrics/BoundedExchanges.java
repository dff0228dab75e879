package io.fttcp.cli.metrics;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs the metrics server's exchanges (reading a request, answering it) each on a virtual
 * thread, at most {@code maxExchanges} at once, and interrupts one that takes longer than its
 * bound: its blocking socket channel then closes, and the connection ends. The Prometheus
 * server's own pool had ten threads and, when all were busy, made the JDK server's dispatcher
 * wait for one: ten clients that sent half a request held them for as long as they liked (the
 * JDK's server has no request timeout by default), and no scrape was answered. An exchange
 * beyond the bound is refused, and the server closes its connection.
 */
final class BoundedExchanges extends AbstractExecutorService {
    private final Semaphore slots;
    private final long limitNanos;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "fttcp-metrics-exchange-timer");
        t.setDaemon(true);
        return t;
    });
    private final AtomicInteger running = new AtomicInteger();
    private final CountDownLatch terminated = new CountDownLatch(1);
    private volatile boolean shutdown;

    BoundedExchanges(int maxExchanges, Duration limit) {
        this.slots = new Semaphore(maxExchanges);
        this.limitNanos = limit.toNanos();
    }

    @Override
    public void execute(Runnable exchange) {
        if (shutdown) throw new RejectedExecutionException("the metrics endpoint is closed");
        if (!slots.tryAcquire()) throw new RejectedExecutionException("too many metrics requests at once");
        running.incrementAndGet();
        Thread.ofVirtual().name("fttcp-metrics-exchange").start(() -> {
            Thread self = Thread.currentThread();
            ScheduledFuture<?> bound = timer.schedule(self::interrupt, limitNanos, TimeUnit.NANOSECONDS);
            try {
                exchange.run();
            } finally {
                bound.cancel(false);
                slots.release();
                if (running.decrementAndGet() == 0 && shutdown) terminated.countDown();
            }
        });
    }

    @Override
    public void shutdown() {
        shutdown = true;
        timer.shutdown();
        if (running.get() == 0) terminated.countDown();
    }

    @Override
    public List<Runnable> shutdownNow() {
        shutdown();
        return List.of();
    }

    @Override
    public boolean isShutdown() {
        return shutdown;
    }

    @Override
    public boolean isTerminated() {
        return terminated.getCount() == 0;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        return terminated.await(timeout, unit);
    }
}
