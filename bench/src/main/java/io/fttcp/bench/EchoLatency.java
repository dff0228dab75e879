package io.fttcp.bench;

import org.HdrHistogram.Histogram;

import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * Request/response latency on one connection to the line echo server: send one line, wait for
 * all of its echo, repeat. The warm-up round trips are not recorded.
 */
public final class EchoLatency {
    private static final long HIGHEST_NANOS = TimeUnit.SECONDS.toNanos(10);

    /** Latency percentiles in nanoseconds and the number of round trips recorded. */
    public record Result(long p50Nanos, long p99Nanos, long maxNanos, double meanNanos, long count) {
    }

    private EchoLatency() {
    }

    public static Result run(InetSocketAddress server, int warmup, int roundTrips, int messageBytes) throws IOException {
        byte[] message = new byte[messageBytes];
        Arrays.fill(message, (byte) 'x');
        message[messageBytes - 1] = '\n';
        ByteBuffer request = ByteBuffer.wrap(message);
        ByteBuffer reply = ByteBuffer.allocate(messageBytes);
        Histogram histogram = new Histogram(HIGHEST_NANOS, 3);
        try (SocketChannel channel = SocketChannel.open(server)) {
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            for (int i = 0; i < warmup + roundTrips; i++) {
                request.clear();
                reply.clear();
                long t0 = System.nanoTime();
                while (request.hasRemaining()) {
                    channel.write(request);
                }
                while (reply.hasRemaining()) {
                    if (channel.read(reply) < 0) {
                        throw new EOFException("echo server closed the connection after " + i + " round trips");
                    }
                }
                long nanos = System.nanoTime() - t0;
                if (!Arrays.equals(reply.array(), message)) {
                    throw new IOException("echo differs from the request at round trip " + i);
                }
                if (i >= warmup) {
                    histogram.recordValue(Math.min(nanos, HIGHEST_NANOS));
                }
            }
        }
        return new Result(histogram.getValueAtPercentile(50), histogram.getValueAtPercentile(99),
                histogram.getMaxValue(), histogram.getMean(), histogram.getTotalCount());
    }
}
