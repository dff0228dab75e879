package io.fttcp.replication.channel;

import io.fttcp.replication.CollectingHandler;
import io.fttcp.replication.codec.FrameDecoder;
import io.fttcp.replication.codec.FrameEncoder;
import io.fttcp.replication.record.Record;
import io.fttcp.replication.record.Segment;
import io.fttcp.replication.stream.RecordStream;
import io.fttcp.stack.tcp.FourTuple;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static io.fttcp.replication.channel.ChannelTesting.acceptingPrimary;
import static org.junit.jupiter.api.Assertions.*;

/** Prints (does not assert) what the codec and the channel move with 1 KiB SEGMENT records. */
class ThroughputReportTest {
    private static final Segment ONE_KIB = new Segment(new FourTuple(0xc6120001, 80, 0xc6120063, 40000), 1, 2, 0x18, 512,
            0, 0, new byte[1024]);

    private static String rate(String what, long records, long bytes, long nanos) {
        double seconds = nanos / 1e9;
        return String.format("THROUGHPUT %s: %d records of %d bytes in %.3f s: %.0f records/s, %.1f MB/s", what, records,
                bytes / records, seconds, records / seconds, bytes / seconds / 1e6);
    }

    @Test
    void codec() throws Exception {
        FrameEncoder encoder = new FrameEncoder();
        FrameDecoder decoder = new FrameDecoder();
        ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 20);
        long[] decoded = {0};
        CollectingHandler counter = new CollectingHandler() {
            @Override
            public void onRecord(long lsn, Record record) {
                decoded[0]++;
            }
        };
        int total = 300_000;
        long frame = FrameEncoder.frameLength(ONE_KIB);
        long lsn = 1;
        long start = System.nanoTime();
        while (lsn <= total) {
            buffer.clear();
            while (lsn <= total && encoder.encode(lsn, ONE_KIB, buffer)) {
                lsn++;
            }
            buffer.flip();
            decoder.decodeAll(buffer, counter);
        }
        long nanos = System.nanoTime() - start;
        assertEquals(total, decoded[0]);
        System.out.println(rate("codec encode+decode (one thread)", total, total * frame, nanos));
    }

    @Test
    void channelOnLoopback() throws Exception {
        ChannelConfig config = ChannelConfig.defaults("throughput").withTimings(Duration.ofMillis(20), Duration.ofMillis(1000),
                Duration.ofMillis(500), Duration.ofMillis(500));
        int total = 200_000;
        try (ServerSocketChannel server = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            RecordStream stream = config.newRecordStream();
            Recorder primaryEvents = new Recorder();
            CompletableFuture<PrimaryChannel> accepting = acceptingPrimary(server, config, 1, stream, primaryEvents);
            AtomicLong received = new AtomicLong();
            ChannelListener counting = new ChannelListener() {
                @Override
                public void onRecords(long firstLsn, List<Record> records) {
                    received.addAndGet(records.size());
                }

                @Override
                public void onClosed(CloseReason reason) {
                }
            };
            try (BackupChannel backup = BackupChannel.connect((InetSocketAddress) server.getLocalAddress(), null,
                    Duration.ofSeconds(5), config, 1, 0, counting);
                 PrimaryChannel primary = accepting.get(5, TimeUnit.SECONDS)) {
                primaryEvents.connected.get(5, TimeUnit.SECONDS);
                long start = System.nanoTime();
                for (int i = 0; i < total; i++) {
                    primary.append(ONE_KIB);
                }
                long end = System.nanoTime() + 60_000_000_000L;
                while (primary.stableLsn() < total && System.nanoTime() - end < 0 && !primaryEvents.closed.isDone()) {
                    Thread.sleep(1);
                }
                long nanos = System.nanoTime() - start;
                assertEquals(total, primary.stableLsn(), () -> "closed: " + primaryEvents.closed.getNow(null));
                assertEquals(total, received.get());
                assertEquals(total, backup.heldLsn());
                System.out.println(rate("channel primary->backup on loopback, appended and acknowledged", total,
                        total * FrameEncoder.frameLength(ONE_KIB), nanos));
            }
        }
    }
}
