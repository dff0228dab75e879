package io.fttcp.replication.channel;

import io.fttcp.replication.codec.Handshake;
import io.fttcp.replication.record.LoggedRecord;
import io.fttcp.replication.RandomRecords;
import io.fttcp.replication.stream.RecordStream;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import java.util.function.LongFunction;

import static org.junit.jupiter.api.Assertions.fail;

/** What the channel tests share: settings that survive a loaded machine, waiting, retained sets, a primary's accept. */
final class ChannelTesting {
    static final Duration CONNECT = Duration.ofSeconds(5);
    /** Default heartbeat; detection and lease three times the defaults (see ReplicationChannelTest). */
    static final ChannelConfig TOLERANT = ChannelConfig.defaults("test-cluster").withWarmup(Duration.ZERO)
            .withTimings(Duration.ofMillis(20), Duration.ofMillis(450), Duration.ofMillis(300), Duration.ofMillis(150));
    /** A small in-flight window, so that a catch-up of a few hundred KiB must wait for acknowledgements many times. */
    static final ChannelConfig WINDOWED = TOLERANT.withBatches(8 * 1024, 64, 32 * 1024);

    /** Sessions that refuse every join and fetch: for loggers whose peers never get that far. */
    static final LoggerSessions NO_SESSIONS = new LoggerSessions() {
        @Override
        public Join join(Handshake primary) throws HandshakeException {
            throw new HandshakeException("not in this test");
        }

        @Override
        public Fetch fetch(Handshake requester, long answerBy) throws HandshakeException {
            throw new HandshakeException("not in this test");
        }

        @Override
        public void fetchNotAnswered(Handshake requester, Fetch fetch) {
        }
    };

    private ChannelTesting() {
    }

    /** The primary's side of the next backup to connect to {@code server}, accepted in the background while the test plays that backup. */
    static CompletableFuture<PrimaryChannel> acceptingPrimary(ServerSocketChannel server, ChannelConfig config, long epoch,
                                                              RecordStream stream, ChannelListener listener) {
        return acceptingPrimary(server, config, epoch, stream, null, listener);
    }

    /** As {@link #acceptingPrimary(ServerSocketChannel, ChannelConfig, long, RecordStream, ChannelListener)}, with a catch-up source. */
    static CompletableFuture<PrimaryChannel> acceptingPrimary(ServerSocketChannel server, ChannelConfig config, long epoch,
                                                              RecordStream stream, LongFunction<List<LoggedRecord>> catchUp,
                                                              ChannelListener listener) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return PrimaryChannel.accept(server, config, epoch, stream, catchUp, listener);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    static void await(String what, long millis, BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + millis * 1_000_000;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - end > 0) {
                fail("timed out waiting for " + what);
            }
            Thread.sleep(2);
        }
    }

    /** Records at a random subset of LSNs 1..through (each kept with probability keep). */
    static List<LoggedRecord> retained(SplittableRandom random, long through, double keep) {
        RandomRecords gen = new RandomRecords(random, 3000);
        List<LoggedRecord> kept = new ArrayList<>();
        for (long lsn = 1; lsn <= through; lsn++) {
            if (random.nextDouble() < keep) {
                kept.add(new LoggedRecord(lsn, gen.next()));
            }
        }
        return kept;
    }

    static long frameBytes(List<LoggedRecord> records) {
        return records.stream().mapToLong(r -> io.fttcp.replication.codec.FrameEncoder.frameLength(r.record())).sum();
    }
}
