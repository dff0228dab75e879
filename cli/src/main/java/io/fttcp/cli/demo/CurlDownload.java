package io.fttcp.cli.demo;

import io.fttcp.testbed.ExecResult;
import io.fttcp.testbed.Host;
import io.fttcp.testbed.Topology;

import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A download with curl inside a host's namespace, piped through sha256sum there, so neither the
 * bytes nor the hash pass through this JVM.
 *
 * @param bytes   bytes curl received
 * @param seconds curl's total transfer time
 * @param sha256  what sha256sum printed
 */
public record CurlDownload(long bytes, double seconds, String sha256) {
    private static final Pattern SHA = Pattern.compile("(?m)^([0-9a-f]{64})  -$");
    private static final Pattern STATS = Pattern.compile("(?m)^curl: bytes=(\\d+) seconds=([0-9.]+)$");

    /** Throughput in megabits per second (10^6 bits). */
    public double megabitsPerSecond() {
        return seconds > 0 ? bytes * 8 / seconds / 1e6 : 0;
    }

    /**
     * Runs {@code curl URL | sha256sum} in {@code client}'s namespace; throws
     * {@link IllegalStateException} with curl's output if curl or the pipe failed.
     */
    public static CurlDownload run(Topology topology, Host client, String url, Duration timeout) {
        String script = "set -o pipefail; curl --silent --show-error --fail --max-time " + timeout.toSeconds()
                + " --output - --write-out '%{stderr}curl: bytes=%{size_download} seconds=%{time_total}\\n' '" + url + "' | sha256sum";
        ExecResult r = topology.exec(client, timeout.plusSeconds(10), "bash", "-c", script);
        Optional<CurlDownload> parsed = parse(r.output());
        if (!r.succeeded() || parsed.isEmpty()) {
            String hint = r.exitCode() == 127 ? " (is curl installed?)" : "";
            throw new IllegalStateException("curl " + url + " failed (exit " + r.exitCode() + ")" + hint + ":\n" + r.output().strip());
        }
        return parsed.get();
    }

    static Optional<CurlDownload> parse(String output) {
        Matcher sha = SHA.matcher(output);
        Matcher stats = STATS.matcher(output);
        if (!sha.find() || !stats.find()) {
            return Optional.empty();
        }
        return Optional.of(new CurlDownload(Long.parseLong(stats.group(1)), Double.parseDouble(stats.group(2)), sha.group(1)));
    }
}
