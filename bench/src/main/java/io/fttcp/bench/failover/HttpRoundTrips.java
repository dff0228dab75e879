package io.fttcp.bench.failover;

import io.fttcp.apps.http.Generator;
import org.HdrHistogram.Histogram;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * Small-request latency of an HTTP server: {@code GET /gen/<bodyBytes>} again and again on one
 * keep-alive connection, each answer read completely (head and body, the body checked) before the
 * next request. The warm-up requests are not recorded.
 */
public final class HttpRoundTrips {
    private static final long HIGHEST_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final int BUFFER = 64 * 1024;

    /** Latency percentiles in nanoseconds and the number of requests recorded. */
    public record Result(long p50Nanos, long p99Nanos, long maxNanos, double meanNanos, long count) {
    }

    private final InputStream in;
    private final byte[] buffer = new byte[BUFFER];
    private int start;
    private int end;

    private HttpRoundTrips(InputStream in) {
        this.in = in;
    }

    public static Result run(InetSocketAddress server, int warmup, int requests, int bodyBytes) throws IOException {
        if (bodyBytes < 0 || bodyBytes > BUFFER / 2 || requests < 1 || warmup < 0) {
            throw new IllegalArgumentException("need requests >= 1, warmup >= 0 and 0 <= bodyBytes <= " + BUFFER / 2);
        }
        byte[] request = ("GET /gen/" + bodyBytes + " HTTP/1.1\r\nHost: " + server.getHostString() + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        byte[] expectedBody = new byte[bodyBytes];
        new Generator(0).fill(0, expectedBody, 0, bodyBytes);
        Histogram histogram = new Histogram(HIGHEST_NANOS, 3);
        try (Socket socket = new Socket()) {
            socket.setTcpNoDelay(true);
            socket.connect(server, (int) Duration.ofSeconds(10).toMillis());
            socket.setSoTimeout((int) Duration.ofSeconds(10).toMillis());
            OutputStream out = socket.getOutputStream();
            HttpRoundTrips reader = new HttpRoundTrips(socket.getInputStream());
            for (int i = 0; i < warmup + requests; i++) {
                long t0 = System.nanoTime();
                out.write(request);
                out.flush();
                reader.readResponse(expectedBody, i);
                long nanos = System.nanoTime() - t0;
                if (i >= warmup) {
                    histogram.recordValue(Math.min(nanos, HIGHEST_NANOS));
                }
            }
        }
        return new Result(histogram.getValueAtPercentile(50), histogram.getValueAtPercentile(99),
                histogram.getMaxValue(), histogram.getMean(), histogram.getTotalCount());
    }

    /** Reads one response: a 200 head with a Content-Length equal to the expected body, then that body. */
    private void readResponse(byte[] expectedBody, int index) throws IOException {
        int blank;
        while ((blank = blankLine()) < 0) {
            fill(index);
        }
        String head = new String(buffer, start, blank - start, StandardCharsets.ISO_8859_1);
        start = blank + 4;
        if (!head.startsWith("HTTP/1.1 200")) {
            throw new IOException("request " + index + ": unexpected response " + head.lines().findFirst().orElse(""));
        }
        if (!head.toLowerCase(java.util.Locale.ROOT).contains("\r\ncontent-length: " + expectedBody.length)) {
            throw new IOException("request " + index + ": expected Content-Length " + expectedBody.length + " in:\n" + head);
        }
        while (end - start < expectedBody.length) {
            fill(index);
        }
        if (!Arrays.equals(buffer, start, start + expectedBody.length, expectedBody, 0, expectedBody.length)) {
            throw new IOException("request " + index + ": the body differs from the generated stream");
        }
        start += expectedBody.length;
    }

    private int blankLine() {
        for (int i = start; i + 3 < end; i++) {
            if (buffer[i] == '\r' && buffer[i + 1] == '\n' && buffer[i + 2] == '\r' && buffer[i + 3] == '\n') {
                return i;
            }
        }
        return -1;
    }

    private void fill(int index) throws IOException {
        if (start > 0) {
            System.arraycopy(buffer, start, buffer, 0, end - start);
            end -= start;
            start = 0;
        }
        if (end == buffer.length) {
            throw new IOException("request " + index + ": response head too long");
        }
        int n = in.read(buffer, end, buffer.length - end);
        if (n < 0) {
            throw new EOFException("the server closed the connection at request " + index);
        }
        end += n;
    }
}
