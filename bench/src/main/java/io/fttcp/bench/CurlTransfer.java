package io.fttcp.bench;

import java.util.List;

/**
 * Single-connection transfers with curl in the client namespace: the command lines, and the
 * checks of what curl reports (status, byte count, and for uploads the server's sha256 answer).
 * Throughput is curl's own byte count over its own total time, so process start-up is not counted.
 */
public final class CurlTransfer {
    static final String STATS_MARKER = "CURLSTATS";
    /** A server that is gone fails the trial in seconds, not after the SYN retries. */
    private static final String CONNECT_TIMEOUT_SECONDS = "10";
    private static final String WRITE_OUT = "\n" + STATS_MARKER + " %{http_code} %{size_download} %{size_upload} %{time_total}\n";

    /** Bytes moved and seconds taken by one transfer. */
    public record Transfer(long bytes, double seconds) {
        public double megabytesPerSecond() {
            return bytes / seconds / 1e6;
        }
    }

    private CurlTransfer() {
    }

    public static List<String> downloadCommand(String host, int port, long bytes) {
        return List.of("curl", "-sS", "--fail", "--connect-timeout", CONNECT_TIMEOUT_SECONDS, "-o", "/dev/null", "-w", WRITE_OUT,
                "http://" + host + ":" + port + "/gen/" + bytes);
    }

    /** PUT of {@code file} without {@code Expect: 100-continue}, so no round trip waits before the body. */
    public static List<String> uploadCommand(String host, int port, String file) {
        return List.of("curl", "-sS", "--fail", "--connect-timeout", CONNECT_TIMEOUT_SECONDS, "-H", "Expect:", "-T", file, "-w", WRITE_OUT,
                "http://" + host + ":" + port + "/upload/bench");
    }

    /** Checks a download's curl output; throws {@link TransferFailedException} saying what was wrong. */
    public static Transfer parseDownload(String output, long expectedBytes) {
        String[] stats = stats(output);
        long bytes = Long.parseLong(stats[2]);
        if (bytes != expectedBytes) {
            throw new TransferFailedException("downloaded " + bytes + " bytes, expected " + expectedBytes);
        }
        return new Transfer(bytes, seconds(stats[4]));
    }

    /** Checks an upload's curl output, including the server's {@code sha256=<hex> bytes=<n>} answer. */
    public static Transfer parseUpload(String output, long expectedBytes, String expectedSha256) {
        String[] stats = stats(output);
        long sent = Long.parseLong(stats[3]);
        if (sent != expectedBytes) {
            throw new TransferFailedException("uploaded " + sent + " bytes, expected " + expectedBytes);
        }
        String answer = output.lines().filter(l -> l.startsWith("sha256=")).findFirst()
                .orElseThrow(() -> new TransferFailedException("no sha256 answer from the server in: " + output.strip()));
        ControlReply reply;
        try {
            reply = ControlReply.parse("upload " + answer);
        } catch (IllegalArgumentException e) {
            throw new TransferFailedException("malformed upload answer: " + answer);
        }
        String sha = reply.fields().getOrDefault("sha256", "");
        String received = reply.fields().getOrDefault("bytes", "");
        if (!received.equals(String.valueOf(expectedBytes))) {
            throw new TransferFailedException("server received " + received + " bytes, expected " + expectedBytes);
        }
        if (!sha.equalsIgnoreCase(expectedSha256)) {
            throw new TransferFailedException("sha256 mismatch: server " + sha + ", expected " + expectedSha256);
        }
        return new Transfer(sent, seconds(stats[4]));
    }

    /** The fields of curl's statistics line: marker, status, downloaded, uploaded, seconds. */
    private static String[] stats(String output) {
        String line = output.lines().filter(l -> l.startsWith(STATS_MARKER + " ")).reduce((first, second) -> second)
                .orElseThrow(() -> new TransferFailedException("curl failed: " + output.strip()));
        String[] f = line.strip().split("\\s+");
        if (f.length != 5) {
            throw new TransferFailedException("malformed curl statistics: " + line);
        }
        if (!f[1].equals("200")) {
            throw new TransferFailedException("HTTP status " + f[1] + ": " + output.strip());
        }
        try {
            Long.parseLong(f[2]);
            Long.parseLong(f[3]);
        } catch (NumberFormatException e) {
            throw new TransferFailedException("malformed curl statistics: " + line);
        }
        return f;
    }

    private static double seconds(String s) {
        double seconds;
        try {
            seconds = Double.parseDouble(s);
        } catch (NumberFormatException e) {
            throw new TransferFailedException("malformed curl time: " + s);
        }
        if (!(seconds > 0) || !Double.isFinite(seconds)) {
            throw new TransferFailedException("curl time must be positive: " + s);
        }
        return seconds;
    }

    /** A transfer that did not complete correctly: counted as a failed trial. */
    public static final class TransferFailedException extends RuntimeException {
        public TransferFailedException(String message) {
            super(message);
        }
    }
}
