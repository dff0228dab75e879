package io.fttcp.bench.recovery;

import io.fttcp.bench.LogClock;

import java.util.Locale;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A recovery as the logger saw it, from its log lines about one cluster (their millisecond wall
 * clock): when the old primary's channel closed, when it learned the primary's process was gone
 * (its liveness port refused), and when it served the recovery, each after the kill.
 */
final class LoggerView {
    private static final String TIME = "(?m)^(\\d\\d:\\d\\d:\\d\\d\\.\\d{3}) .*";

    private LoggerView() {}

    /** One line, or "" when the logger's output has none of them. */
    static String describe(String loggerOutput, String cluster, long killedAtNanos) {
        double killed = LogClock.epochMillisOf(killedAtNanos);
        String c = Pattern.quote("cluster '" + cluster + "'");
        StringBuilder line = new StringBuilder();
        append(line, "channel closed", lastAfter(TIME + c + ": primary's channel closed", loggerOutput, killed));
        append(line, "primary gone", lastAfter(TIME + c + ": the primary's process is gone", loggerOutput, killed));
        append(line, "served", lastAfter(TIME + c + ": serving a recovery", loggerOutput, killed));
        return line.isEmpty() ? "" : "          logger: " + line + " ms after the kill";
    }

    private static void append(StringBuilder line, String what, OptionalLong millis) {
        if (millis.isEmpty()) return;
        if (!line.isEmpty()) line.append(", ");
        line.append(what).append(String.format(Locale.ROOT, " %+d", millis.getAsLong()));
    }

    /** The last such line's time after {@code killed} (wall ms), if any came after it. */
    private static OptionalLong lastAfter(String regex, String output, double killed) {
        Matcher m = Pattern.compile(regex).matcher(output);
        OptionalLong found = OptionalLong.empty();
        while (m.find()) {
            OptionalLong at = LogClock.epochMillis(m.group(1));
            if (at.isPresent() && at.getAsLong() + 1 >= killed) found = OptionalLong.of(Math.round(at.getAsLong() - killed));
        }
        return found;
    }
}
