package io.fttcp.replication.channel;

import io.fttcp.replication.record.LoggedRecord;
import io.fttcp.replication.RandomRecords;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.fail;

/** What the channel tests share: settings that survive a loaded machine, waiting, retained sets. */
final class ChannelTesting {
    static final Duration CONNECT = Duration.ofSeconds(5);
    /** Default heartbeat; detection and lease three times the defaults (see ReplicationChannelTest). */
    static final ChannelConfig TOLERANT = ChannelConfig.defaults("test-cluster").withWarmup(Duration.ZERO)
            .withTimings(Duration.ofMillis(20), Duration.ofMillis(450), Duration.ofMillis(300), Duration.ofMillis(150));
    /** A small in-flight window, so that a catch-up of a few hundred KiB must wait for acknowledgements many times. */
    static final ChannelConfig WINDOWED = TOLERANT.withBatches(8 * 1024, 64, 32 * 1024);

    private ChannelTesting() {
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
