package io.fttcp.bench.recovery;

import io.fttcp.bench.failover.TimedDownload;

import java.io.BufferedReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The recovery benchmark's client, run in the client namespace on the kernel's TCP. Prints
 * {@code ready}, then answers commands on stdin, one reply line each:
 * <ul>
 *   <li>{@code open <host> <port> <count> <bytes> <timeoutSeconds>}: {@code count} more {@link EchoConnections}, each
 *       echoing {@code bytes} first → {@code opened connections=<n> bytes=<n> nanos=<n>};</li>
 *   <li>{@code probe <timeoutSeconds>}: a line on every open connection, answers timed →
 *       {@code probed count=<n> failed=<n> first=<ns> p50=<ns> max=<ns>} (instants of
 *       {@link System#nanoTime()}: the earliest first byte of an answer, the median and the
 *       latest completed answer), then {@code failure=...} if some failed;</li>
 *   <li>{@code flow <periodMicros>}: an {@link EchoFlow} on the first connection → {@code flowing};
 *       {@code flowed <timeoutSeconds> <timelineFile>}: stops it, waits for every echo, writes the echoes'
 *       timeline → {@code flowed written=<n> read=<n> mismatch=<offset or -1> intact=<true|false>}, then
 *       {@code failure=...} if it failed;</li>
 *   <li>{@code close} → {@code closed count=<n>};</li>
 *   <li>{@code downloads <bytes> <timeoutSeconds> <host:port>...}: a {@link TimedDownload} of {@code bytes}
 *       from each at once, every byte checked → {@code downloaded bytes=<n> nanos=<n> intact=<n> count=<n>}
 *       (the wall time of the whole), then {@code failure=...} if some failed;</li>
 *   <li>{@code quit} → {@code bye}.</li>
 * </ul>
 * Failures are {@code error <message>}.
 */
public final class RecoveryClient {
    private static final EchoConnections connections = new EchoConnections();

    private RecoveryClient() {
    }

    public static void main(String[] args) throws Exception {
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
        System.setOut(System.err);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        out.println("ready");
        String line;
        while ((line = in.readLine()) != null) {
            String[] words = line.strip().split("\\s+");
            if (words[0].equals("quit")) {
                out.println("bye");
                break;
            }
            try {
                out.println(answer(words));
            } catch (Exception e) {
                out.println("error " + String.valueOf(e).replace('\n', ' '));
            }
        }
        connections.close();
        System.exit(0);
    }

    private static String answer(String[] w) throws Exception {
        return switch (w[0]) {
            case "open" -> {
                EchoConnections.Opened o = connections.open(address(w[1], w[2]), Integer.parseInt(w[3]), Long.parseLong(w[4]),
                        Duration.ofSeconds(Long.parseLong(w[5])));
                yield "opened connections=" + o.connections() + " bytes=" + o.bytes() + " nanos=" + o.nanos();
            }
            case "probe" -> {
                EchoConnections.Probed p = connections.probe(Duration.ofSeconds(Long.parseLong(w[1])));
                long[] answered = Arrays.stream(p.answeredNanos()).filter(t -> t >= 0).sorted().toArray();
                long first = Arrays.stream(p.firstByteNanos()).filter(t -> t >= 0).min().orElse(-1);
                String times = answered.length == 0 ? " first=-1 p50=-1 max=-1"
                        : " first=" + first + " p50=" + answered[(answered.length - 1) / 2] + " max=" + answered[answered.length - 1];
                yield "probed count=" + connections.size() + " failed=" + p.failed() + times
                        + (p.firstFailure() == null ? "" : " failure=" + p.firstFailure().replaceAll("\\s+", "_"));
            }
            case "flow" -> {
                connections.startFlow(Duration.ofNanos(Long.parseLong(w[1]) * 1000));
                yield "flowing";
            }
            case "flowed" -> {
                EchoFlow.Outcome o = connections.stopFlow(Duration.ofSeconds(Long.parseLong(w[1])));
                try (var out = Files.newOutputStream(Path.of(w[2]))) {
                    o.timeline().writeTo(out);
                }
                yield "flowed written=" + o.written() + " read=" + o.read() + " mismatch=" + o.mismatchAt() + " intact=" + o.intact()
                        + (o.failure() == null ? "" : " failure=" + o.failure().replaceAll("\\s+", "_"));
            }
            case "close" -> {
                int n = connections.size();
                connections.close();
                yield "closed count=" + n;
            }
            case "downloads" -> downloads(Long.parseLong(w[1]), Duration.ofSeconds(Long.parseLong(w[2])), Arrays.copyOfRange(w, 3, w.length));
            default -> throw new IllegalArgumentException("unknown command: " + String.join(" ", w));
        };
    }

    private static String downloads(long bytes, Duration timeout, String[] servers) throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("fttcp-recovery-client-");
        try {
            long t0 = System.nanoTime();
            List<TimedDownload> running = new ArrayList<>();
            for (String s : servers) {
                int colon = s.lastIndexOf(':');
                running.add(TimedDownload.start(address(s.substring(0, colon), s.substring(colon + 1)), bytes, bytes));
            }
            long total = 0;
            int intact = 0;
            String failure = null;
            for (int i = 0; i < running.size(); i++) {
                Path timeline = dir.resolve("timeline-" + i + ".bin");
                TimedDownload.Outcome o = running.get(i).finish(timeout, timeline);
                Files.deleteIfExists(timeline);
                total += o.received();
                if (o.intact()) {
                    intact++;
                } else if (failure == null) {
                    failure = servers[i] + ": " + o.received() + " of " + o.expected() + " B, mismatch at " + o.mismatchAt() + ", " + o.failure();
                }
            }
            long nanos = System.nanoTime() - t0;
            return "downloaded bytes=" + total + " nanos=" + nanos + " intact=" + intact + " count=" + servers.length
                    + (failure == null ? "" : " failure=" + failure.replaceAll("\\s+", "_"));
        } finally {
            Files.deleteIfExists(dir);
        }
    }

    private static InetSocketAddress address(String host, String port) throws java.net.UnknownHostException {
        return new InetSocketAddress(InetAddress.getByName(host), Integer.parseInt(port));
    }
}
