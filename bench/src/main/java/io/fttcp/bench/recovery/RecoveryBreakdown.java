package io.fttcp.bench.recovery;

import io.fttcp.bench.LogClock;

import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a recovery's time went, from the recovering server's log lines (their millisecond wall
 * clock, so ±1 ms) and the bench's instants: until the logger served the fetch (its wait for the
 * old primary's lease; for a restart in place also the new JVM's start), the fetch, the takeover,
 * and the rest until the client's first byte (the resumed connection's first exchange: the
 * client's retransmission of the probe, the echo).
 *
 * @param servedMillis   from the kill to the logger serving the fetch
 * @param fetchMillis    the fetch, as the server logged it
 * @param takeoverMillis from the fetch's end to the server serving
 * @param restMillis     from then to the client's first byte: when the server had nothing in flight at the
 *                       failure, the client's own retransmission timer (RTO, 200 ms and more, doubling) decides
 */
record RecoveryBreakdown(double servedMillis, double fetchMillis, double takeoverMillis, double restMillis) {
    private static final Pattern SERVED = Pattern.compile("(?m)^(\\d\\d:\\d\\d:\\d\\d\\.\\d{3}) .*fetching the live connections' records from the logger");
    private static final Pattern TOOK_OVER = Pattern.compile("(?m)^(\\d\\d:\\d\\d:\\d\\d\\.\\d{3}) .*took over \\S+ \\d+ us after losing the primary");

    /**
     * The breakdown of a recovery whose primary was killed at {@code killedAtNanos} and whose client
     * got its first byte at {@code firstByteNanos} (both {@link System#nanoTime()}); empty without the lines.
     */
    static Optional<RecoveryBreakdown> of(String serverOutput, RecoveryLog log, long killedAtNanos, long firstByteNanos) {
        OptionalLong served = wallMillis(SERVED, serverOutput);
        OptionalLong tookOver = wallMillis(TOOK_OVER, serverOutput);
        if (served.isEmpty() || tookOver.isEmpty() || firstByteNanos < 0) {
            return Optional.empty();
        }
        double killed = LogClock.epochMillisOf(killedAtNanos);
        double first = LogClock.epochMillisOf(firstByteNanos);
        double fetch = log.fetchMicros() / 1e3;
        double servedAfter = served.getAsLong() - killed;
        double takeover = tookOver.getAsLong() - served.getAsLong() - fetch;
        return Optional.of(new RecoveryBreakdown(servedAfter, fetch, takeover, first - tookOver.getAsLong()));
    }

    private static OptionalLong wallMillis(Pattern p, String output) {
        Matcher m = p.matcher(output);
        return m.find() ? LogClock.epochMillis(m.group(1)) : OptionalLong.empty();
    }

    /** From the kill to the recovering server serving (its "took over" line). */
    double serverReadyMillis() {
        return servedMillis + fetchMillis + takeoverMillis;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "= %.0f ms until the logger served + %.0f fetch + %.0f takeover (to its log line) + %.0f until the client's"
                + " first byte%s", servedMillis, fetchMillis, takeoverMillis, restMillis,
                restMillis > 50 ? " (the client's retransmission timer: nothing of the server's was in flight)"
                        : restMillis < 0 ? " (it came before the line was logged)" : "");
    }
}
