package io.fttcp.roles.primary;

import io.fttcp.replication.channel.BackupChannel;
import io.fttcp.replication.channel.ChannelConfig;
import io.fttcp.replication.channel.ChannelListener;
import io.fttcp.replication.channel.CloseReason;
import io.fttcp.replication.channel.PrimaryChannel;
import io.fttcp.replication.log.LogConfig;
import io.fttcp.replication.record.Record;
import io.fttcp.replication.retention.RetentionPolicy;
import io.fttcp.roles.logger.Events;
import io.fttcp.roles.logger.LoggerConfig;
import io.fttcp.roles.logger.LoggerHost;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * For tests of a primary and its logger in one process: a logger on a loopback port, started
 * and restarted on a directory; the primary's dial as {@code PrimaryHost}'s dial loop does it
 * under the continue policy; a recovering server's fetch. Closes everything it opened.
 */
final class LoopbackLogger implements AutoCloseable {
    private static final Duration HEARTBEAT = Duration.ofMillis(20);
    private static final Duration DETECTION = Duration.ofMillis(450);
    private static final Duration LEASE = Duration.ofMillis(300);
    private static final Duration MARGIN = Duration.ofMillis(150);
    private static final long WAIT_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final List<AutoCloseable> toClose = new ArrayList<>();
    /** Where the logger listens now (the machine is shared: a port freed by a stopped logger may be taken meanwhile). */
    private InetSocketAddress at;

    LoopbackLogger() throws IOException {
        at = freeLoopbackPort();
    }

    static ChannelConfig channel(String cluster) {
        return ChannelConfig.defaults(cluster).withWarmup(Duration.ZERO).withTimings(HEARTBEAT, DETECTION, LEASE, MARGIN);
    }

    private static InetSocketAddress freeLoopbackPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return new InetSocketAddress(InetAddress.getLoopbackAddress(), s.getLocalPort());
        }
    }

    /** A logger of connection-scoped retention on {@code dir}. */
    LoggerHost start(Path dir) throws IOException {
        for (int attempt = 0; ; attempt++) {
            try {
                LoggerHost host = LoggerHost.start(new LoggerConfig(dir, at, LogConfig.defaults().withBatchBufferBytes(1 << 16), channel("logger"),
                        RetentionPolicy.CONNECTION_SCOPED));
                toClose.add(host);
                return host;
            } catch (IOException e) {
                if (attempt == 5 || !e.getMessage().contains("cannot listen")) throw e;
                at = freeLoopbackPort(); // the logger comes back elsewhere; the primary dials it there
            }
        }
    }

    /** The primary of cluster "alpha" takes the logger; a lost logger leaves it unprotected (the continue policy). */
    PrimaryChannel dial(ReplicationLog log) throws Exception {
        long end = System.nanoTime() + WAIT_NANOS;
        while (true) {
            CompletableFuture<PrimaryChannel> mine = new CompletableFuture<>();
            ChannelListener events = new ChannelListener() {
                @Override
                public void onClosed(CloseReason reason) {
                    PrimaryChannel lost = mine.join();
                    if (!log.unprotected(lost) && log.awaiting(lost)) log.unprotected(null);
                }
            };
            try {
                PrimaryChannel c = LoggerDial.attempt(at, Duration.ofSeconds(5), channel("alpha"), 1, log, events);
                assertNotNull(c, "the primary takes the logger");
                mine.complete(c);
                return c;
            } catch (IOException e) {
                assertTrue(System.nanoTime() - end < 0, "the logger never answered: " + e);
                Thread.sleep(100);
            }
        }
    }

    /** A recovering server's fetch of cluster "alpha", once the logger serves it (after the primary's lease), caught up. */
    Events fetchUntilServed() throws Exception {
        long end = System.nanoTime() + WAIT_NANOS;
        while (true) {
            Events f = new Events();
            BackupChannel c = BackupChannel.connect(at, null, Duration.ofSeconds(5), channel("alpha"), 1, 0, f);
            toClose.add(c);
            while (!f.connected.isDone() && !f.closed.isDone()) Thread.sleep(1);
            if (f.connected.isDone()) {
                f.caughtUp.get(10, TimeUnit.SECONDS);
                return f;
            }
            assertTrue(System.nanoTime() - end < 0, "no recovery served: " + f.closed.get());
        }
    }

    /** Appends {@code records}; returns the last LSN (the log's last if there are none). */
    static long append(ReplicationLog log, List<Record> records) {
        long last = log.lastLsn();
        for (Record r : records) last = log.append(r);
        return last;
    }

    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + WAIT_NANOS;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - end > 0) fail("timed out waiting for " + what);
            Thread.sleep(1);
        }
    }

    @Override
    public void close() throws Exception {
        for (AutoCloseable c : toClose.reversed()) c.close();
    }
}
