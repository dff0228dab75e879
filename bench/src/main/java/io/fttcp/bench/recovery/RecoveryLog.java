package io.fttcp.bench.recovery;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a recovering server's output says about its recovery: what it fetched from the logger and
 * how long the fetch took ({@code fetched N record(s) (B client bytes) through LSN L from the
 * logger in X us (the first after F us), replay lag at most G bytes: TAKING OVER}, the two
 * parentheses optional), and its takeover ({@code TOOK OVER <addr>: restored K
 * connection(s); drain D us, ... total T us}).
 *
 * @param records      records fetched
 * @param clientBytes  client bytes among them (the logged bytes of the live connections)
 * @param fetchMicros  from the fetch's start (the logger's handshake answered) to the last record applied
 * @param firstRecordsMicros from the fetch's start to its first records' arrival, -1 if not said
 * @param restored     connections restored
 * @param refused      the connections refused (their clients reset) and why, as the server said; empty if none
 * @param drainMicros  the application consuming the logged determinants
 * @param totalMicros  the takeover, from its start to the resumed connections
 * @param largestLagBytes the most client bytes fetched and not yet replayed, as the server saw it; -1 if not said
 */
record RecoveryLog(long records, long clientBytes, long fetchMicros, long firstRecordsMicros, int restored, String refused, long drainMicros, long totalMicros,
                   long largestLagBytes) {
    private static final Pattern FETCHED = Pattern.compile(
            "fetched (\\d+) record\\(s\\) \\((\\d+) client bytes\\) through LSN \\d+ from the logger in (\\d+) us(?: \\(the first after (\\d+) us\\))?(?:, replay lag at most (\\d+) bytes)?: TAKING OVER");
    private static final Pattern TOOK_OVER = Pattern.compile(
            "TOOK OVER \\S+: restored (\\d+) connection\\(s\\)(, refused .*?)?; drain (\\d+) us.*?total (\\d+) us");

    /** Parses the output of a server that recovered; empty if a line is missing. */
    static Optional<RecoveryLog> parse(String output) {
        Matcher f = FETCHED.matcher(output);
        Matcher t = TOOK_OVER.matcher(output);
        if (!f.find() || !t.find()) {
            return Optional.empty();
        }
        return Optional.of(new RecoveryLog(Long.parseLong(f.group(1)), Long.parseLong(f.group(2)), Long.parseLong(f.group(3)),
                f.group(4) == null ? -1 : Long.parseLong(f.group(4)), Integer.parseInt(t.group(1)), t.group(2) == null ? "" : t.group(2).substring(", refused ".length()), Long.parseLong(t.group(3)), Long.parseLong(t.group(4)),
                f.group(5) == null ? -1 : Long.parseLong(f.group(5))));
    }

    /** Fetching and replaying the log: the fetch plus the application's drain, in microseconds. */
    long replayMicros() {
        return fetchMicros + drainMicros;
    }
}
