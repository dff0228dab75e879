package io.fttcp.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Many concurrent HTTP downloads of {@code /gen/<bytes>} on the kernel's TCP, one thread per
 * connection, all released together: the aggregate throughput is all body bytes over the wall
 * time from release to the last connection's end. A short body or a non-200 answer is a failure.
 */
public final class AggregateDownload {
    private static final int BUFFER_BYTES = 256 * 1024;
    private static final int MAX_HEAD_BYTES = 16 * 1024;

    /** Body bytes received in all, wall time, failed connections, and the first failure's reason (or empty). */
    public record Result(long bytes, long nanos, int failures, String firstFailure) {
    }

    private AggregateDownload() {
    }

    public static Result run(InetSocketAddress server, int connections, long bytesPerConnection) throws InterruptedException {
        CountDownLatch start = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(connections);
        AtomicLong bytes = new AtomicLong();
        AtomicLong failures = new AtomicLong();
        AtomicReference<String> firstFailure = new AtomicReference<>("");
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            threads.add(Thread.ofPlatform().daemon().name("agg-" + i).start(() -> {
                try {
                    start.await();
                    long got = download(server, bytesPerConnection);
                    bytes.addAndGet(got);
                    if (got != bytesPerConnection) {
                        failures.incrementAndGet();
                        firstFailure.compareAndSet("", "short body: " + got + " of " + bytesPerConnection);
                    }
                } catch (IOException | RuntimeException e) {
                    failures.incrementAndGet();
                    firstFailure.compareAndSet("", e.toString());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    done.countDown();
                }
            }));
        }
        long t0 = System.nanoTime();
        start.countDown();
        done.await();
        long nanos = System.nanoTime() - t0;
        for (Thread t : threads) {
            t.join();
        }
        return new Result(bytes.get(), nanos, (int) failures.get(), firstFailure.get());
    }

    /** One GET; returns the body bytes received (the connection is closed by the server after it). */
    static long download(InetSocketAddress server, long bytes) throws IOException {
        try (SocketChannel channel = SocketChannel.open(server)) {
            String request = "GET /gen/" + bytes + " HTTP/1.1\r\nHost: " + server.getAddress().getHostAddress()
                    + "\r\nConnection: close\r\n\r\n";
            ByteBuffer out = ByteBuffer.wrap(request.getBytes(StandardCharsets.US_ASCII));
            while (out.hasRemaining()) {
                channel.write(out);
            }
            ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER_BYTES);
            StringBuilder head = new StringBuilder();
            boolean inBody = false;
            long body = 0;
            while (channel.read(buffer) >= 0) {
                buffer.flip();
                while (!inBody && buffer.hasRemaining()) {
                    head.append((char) (buffer.get() & 0xff));
                    if (head.length() >= 4 && head.lastIndexOf("\r\n\r\n") == head.length() - 4) {
                        inBody = true;
                        if (head.indexOf("HTTP/1.1 200 ") != 0) {
                            throw new IOException("answer is not 200: " + head.substring(0, head.indexOf("\r\n")));
                        }
                    } else if (head.length() > MAX_HEAD_BYTES) {
                        throw new IOException("response head longer than " + MAX_HEAD_BYTES + " bytes");
                    }
                }
                body += buffer.remaining();
                buffer.clear();
                if (body > bytes) {
                    throw new IOException("body longer than " + bytes + " bytes");
                }
            }
            return body;
        }
    }
}
