package io.fttcp.bench.failover;

import io.fttcp.bench.LogClock;

import java.util.Locale;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What a backup's output says about a takeover: why and when it lost the primary, and when it had taken over. */
final class BackupLog {
    private static final Pattern LOST = Pattern.compile(
            "(?m)^(?:(\\d\\d:\\d\\d:\\d\\d\\.\\d{3}) )?.*?replication channel to \\S+ lost: ([A-Z_]+)(?:: heard nothing from \\S+ for (\\d+) ms)?");
    private static final Pattern TOOK_OVER = Pattern.compile("(?m)^(?:(\\d\\d:\\d\\d:\\d\\d\\.\\d{3}) )?.*?took over \\S+ (\\d+) us after losing the primary");
    /** The takeover's own report: when it began after the loss, and how long the takeover sequence took (clients resume at its end). */
    private static final Pattern PARTS = Pattern.compile("took over \\S+ \\d+ us after losing the primary \\(began after (\\d+) us\\).*?total (\\d+) us");
    /** The takeover sequence's steps (Takeover.Report): the application's drain, the host lock, restoring, announcing. */
    private static final Pattern STEPS = Pattern.compile("drain (\\d+) us.*?lock (\\d+) us, restore (\\d+) us, announce (\\d+) us");

    private BackupLog() {
    }

    /** For example {@code backup: PEER_SILENT after 152 ms, took over in 5.7 ms}; parts the output lacks are left out. */
    static String summary(String output) {
        StringBuilder s = new StringBuilder("backup: ");
        Matcher lost = LOST.matcher(output);
        if (lost.find()) {
            s.append(lost.group(2));
            if (lost.group(3) != null) {
                s.append(" after ").append(lost.group(3)).append(" ms");
            }
        } else {
            s.append("loss not logged");
        }
        Matcher took = TOOK_OVER.matcher(output);
        if (took.find()) {
            s.append(String.format(Locale.ROOT, ", took over in %.1f ms", Long.parseLong(took.group(2)) / 1e3));
            Matcher parts = PARTS.matcher(output);
            if (parts.find()) {
                s.append(String.format(Locale.ROOT, " (began %.1f ms after the loss; the takeover sequence %.1f ms", Long.parseLong(parts.group(1)) / 1e3,
                        Long.parseLong(parts.group(2)) / 1e3));
                Matcher steps = STEPS.matcher(output);
                if (steps.find()) {
                    s.append(String.format(Locale.ROOT, ": drain %.1f, lock %.1f, restore %.1f, announce %.1f", Long.parseLong(steps.group(1)) / 1e3,
                            Long.parseLong(steps.group(2)) / 1e3, Long.parseLong(steps.group(3)) / 1e3, Long.parseLong(steps.group(4)) / 1e3));
                }
                s.append(", clients resume at its end)");
            }
        }
        return s.toString();
    }

    /** When (epoch milliseconds, as logged today in this time zone) the backup logged the primary's loss. */
    static OptionalLong lostAt(String output) {
        Matcher m = LOST.matcher(output);
        return m.find() && m.group(1) != null ? LogClock.epochMillis(m.group(1)) : OptionalLong.empty();
    }

    /** When (epoch milliseconds) the backup logged that it had taken over. */
    static OptionalLong tookOverAt(String output) {
        Matcher m = TOOK_OVER.matcher(output);
        return m.find() && m.group(1) != null ? LogClock.epochMillis(m.group(1)) : OptionalLong.empty();
    }

    /** The takeover's duration as the backup measured it: from its noticing the loss (channel closed) to serving. */
    static OptionalLong takeoverMicros(String output) {
        Matcher m = TOOK_OVER.matcher(output);
        return m.find() ? OptionalLong.of(Long.parseLong(m.group(2))) : OptionalLong.empty();
    }
}
