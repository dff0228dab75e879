package io.fttcp.bench;

import io.fttcp.bench.failover.HttpRoundTrips;
import io.fttcp.bench.failover.TimedDownload;

import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * The Java client of the stack benchmark, run in the client namespace on the kernel's TCP.
 * Prints {@code ready}, then answers commands on stdin, one reply line each:
 * <ul>
 *   <li>{@code agg <host> <port> <connections> <bytesPerConnection>} →
 *       {@code agg bytes=<n> nanos=<n> failures=<n>};</li>
 *   <li>{@code rr <host> <port> <warmup> <roundTrips> <messageBytes>} →
 *       {@code rr p50=<ns> p99=<ns> max=<ns> mean=<ns> count=<n>};</li>
 *   <li>{@code idle-open <host> <port> <n>} → {@code idle opened=<n> failed=<n>};
 *       {@code idle-close} → {@code idle closed=<n>};</li>
 *   <li>{@code httprr <host> <port> <warmup> <requests> <bodyBytes>} → as {@code rr}, small GETs on one keep-alive connection;</li>
 *   <li>{@code fetch <host> <port> <bytes> <markBytes>} → {@code marked received=<n>} once {@code markBytes} of a
 *       {@link TimedDownload} arrived (it goes on); {@code fetched <timeoutSeconds> <timelineFile>} →
 *       {@code fetched received=<n> expected=<n> mismatch=<offset or -1> intact=<true|false>} at its end, the
 *       read timeline written to the file;</li>
 *   <li>{@code quit} → {@code bye}.</li>
 * </ul>
 * Failures are {@code error <message>}.
 */
public final class BenchClient {

    /** The download of the current failover trial, between {@code fetch} and {@code fetched}. */
    private static TimedDownload download;

    private BenchClient() {
    }

    public static void main(String[] args) throws Exception {
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
        System.setOut(System.err);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        try (IdleClients idle = new IdleClients()) {
            out.println("ready");
            String line;
            while ((line = in.readLine()) != null) {
                String[] words = line.strip().split("\\s+");
                if (words[0].equals("quit")) {
                    out.println("bye");
                    break;
                }
                try {
                    out.println(answer(words, idle));
                } catch (Exception e) {
                    out.println("error " + String.valueOf(e).replace('\n', ' '));
                }
            }
        }
        System.exit(0);
    }

    private static String answer(String[] w, IdleClients idle) throws Exception {
        return switch (w[0]) {
            case "agg" -> {
                AggregateDownload.Result r = AggregateDownload.run(address(w), Integer.parseInt(w[3]), Long.parseLong(w[4]));
                if (r.failures() > 0) {
                    throw new java.io.IOException(r.failures() + " of " + w[3] + " downloads failed, first: " + r.firstFailure());
                }
                yield "agg bytes=" + r.bytes() + " nanos=" + r.nanos() + " failures=" + r.failures();
            }
            case "rr" -> {
                EchoLatency.Result r = EchoLatency.run(address(w), Integer.parseInt(w[3]), Integer.parseInt(w[4]), Integer.parseInt(w[5]));
                yield "rr p50=" + r.p50Nanos() + " p99=" + r.p99Nanos() + " max=" + r.maxNanos()
                        + " mean=" + Math.round(r.meanNanos()) + " count=" + r.count();
            }
            case "idle-open" -> {
                IdleClients.Opened r = idle.open(address(w), Integer.parseInt(w[3]));
                if (r.failed() > 0) {
                    throw new java.io.IOException(r.failed() + " of " + w[3] + " idle connections failed, first: " + r.firstFailure());
                }
                yield "idle opened=" + r.opened() + " failed=" + r.failed();
            }
            case "idle-close" -> "idle closed=" + idle.closeAll();
            case "httprr" -> {
                HttpRoundTrips.Result r = HttpRoundTrips.run(address(w), Integer.parseInt(w[3]), Integer.parseInt(w[4]), Integer.parseInt(w[5]));
                yield "httprr p50=" + r.p50Nanos() + " p99=" + r.p99Nanos() + " max=" + r.maxNanos()
                        + " mean=" + Math.round(r.meanNanos()) + " count=" + r.count();
            }
            case "fetch" -> {
                if (download != null) {
                    download.abandon();
                }
                download = TimedDownload.start(address(w), Long.parseLong(w[3]), Long.parseLong(w[4]));
                yield "marked received=" + download.awaitMark(java.time.Duration.ofSeconds(60));
            }
            case "fetched" -> {
                if (download == null) {
                    throw new IllegalStateException("no download: fetch first");
                }
                TimedDownload.Outcome o = download.finish(java.time.Duration.ofSeconds(Long.parseLong(w[1])), java.nio.file.Path.of(w[2]));
                download = null;
                yield "fetched received=" + o.received() + " expected=" + o.expected() + " mismatch=" + o.mismatchAt()
                        + " intact=" + o.intact() + (o.failure() == null ? "" : " failure=" + o.failure().replaceAll("\\s+", "_"));
            }
            default -> throw new IllegalArgumentException("unknown command: " + String.join(" ", w));
        };
    }

    private static InetSocketAddress address(String[] w) throws java.net.UnknownHostException {
        if (w.length < 3) {
            throw new IllegalArgumentException("missing host and port");
        }
        return new InetSocketAddress(InetAddress.getByName(w[1]), Integer.parseInt(w[2]));
    }
}
