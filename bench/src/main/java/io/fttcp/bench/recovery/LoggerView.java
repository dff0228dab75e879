package io.fttcp.bench.recovery;

import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
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
        double killed = killedAtNanos / 1e6 + System.currentTimeMillis() - System.nanoTime() / 1e6;
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
            try {
                long at = LocalTime.parse(m.group(1)).atDate(LocalDate.now()).atZone(ZoneId.systemDefault()).toInstant().toEpochMilli();
                if (at + 1 >= killed) found = OptionalLong.of(Math.round(at - killed));
            } catch (DateTimeParseException e) {
                // not a time: skip the line
            }
        }
        return found;
    }
}
