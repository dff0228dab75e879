package io.fttcp.bench.failover;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What a backup's output says about a takeover: why it lost the primary and how long taking over took. */
final class BackupLog {
    private static final Pattern LOST = Pattern.compile("replication channel to \\S+ lost: ([A-Z_]+)(?:: heard nothing from \\S+ for (\\d+) ms)?");
    private static final Pattern TOOK_OVER = Pattern.compile("took over \\S+ (\\d+) us after losing the primary");

    private BackupLog() {
    }

    /** For example {@code backup: PEER_SILENT after 152 ms, took over in 5.7 ms}; parts the output lacks are left out. */
    static String summary(String output) {
        StringBuilder s = new StringBuilder("backup: ");
        Matcher lost = LOST.matcher(output);
        if (lost.find()) {
            s.append(lost.group(1));
            if (lost.group(2) != null) {
                s.append(" after ").append(lost.group(2)).append(" ms");
            }
        } else {
            s.append("loss not logged");
        }
        Matcher took = TOOK_OVER.matcher(output);
        if (took.find()) {
            s.append(String.format(Locale.ROOT, ", took over in %.1f ms", Long.parseLong(took.group(1)) / 1e3));
        }
        return s.toString();
    }
}
