package io.fttcp.bench.recovery;

import io.fttcp.bench.Figures;
import io.fttcp.bench.ControlReply;

import java.util.List;
import java.util.OptionalDouble;

/**
 * The last line of {@code ./fttcp bench recovery}: {@code RESULT recovery replay_mib_per_s=…
 * recovery_ms_1mib=… detect_timeout_ms=… down_ratio_batch=… up_ratio_batch=… intact=<ok>/<trials>}.
 * A value that could not be measured is {@code nan}.
 */
public record RecoveryResultLine(OptionalDouble replayMibPerSecond, OptionalDouble recoveryMillis1Mib, long detectTimeoutMillis,
                                 OptionalDouble downRatioBatch, OptionalDouble upRatioBatch, int intact, int trials) {

    public static final String PREFIX = "RESULT recovery ";
    private static final List<String> KEYS = List.of("replay_mib_per_s", "recovery_ms_1mib", "detect_timeout_ms",
            "down_ratio_batch", "up_ratio_batch", "intact");

    public RecoveryResultLine {
        if (intact < 0 || trials < 0 || intact > trials || detectTimeoutMillis < 0) {
            throw new IllegalArgumentException("intact " + intact + " of " + trials + " trials, detection " + detectTimeoutMillis + " ms");
        }
    }

    public String format() {
        return PREFIX + "replay_mib_per_s=" + Figures.number(replayMibPerSecond, 1) + " recovery_ms_1mib=" + Figures.number(recoveryMillis1Mib, 1)
                + " detect_timeout_ms=" + detectTimeoutMillis + " down_ratio_batch=" + Figures.number(downRatioBatch, 3)
                + " up_ratio_batch=" + Figures.number(upRatioBatch, 3) + " intact=" + intact + "/" + trials;
    }

    /** Parses a line made by {@link #format()}; throws {@link IllegalArgumentException} otherwise. */
    public static RecoveryResultLine parse(String line) {
        if (line == null || !line.startsWith(PREFIX)) {
            throw new IllegalArgumentException("not a RESULT recovery line: " + line);
        }
        ControlReply r = ControlReply.parse(line.substring("RESULT ".length()));
        if (!r.fields().keySet().containsAll(KEYS) || r.fields().size() != KEYS.size()) {
            throw new IllegalArgumentException("a RESULT recovery line has exactly the fields " + KEYS + ": " + line);
        }
        String[] intact = r.field("intact").split("/", -1);
        if (intact.length != 2) {
            throw new IllegalArgumentException("intact is <ok>/<trials>: " + line);
        }
        try {
            return new RecoveryResultLine(value(r, "replay_mib_per_s"), value(r, "recovery_ms_1mib"), Long.parseLong(r.field("detect_timeout_ms")),
                    value(r, "down_ratio_batch"), value(r, "up_ratio_batch"), Integer.parseInt(intact[0]), Integer.parseInt(intact[1]));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("a malformed number in " + line, e);
        }
    }

    private static OptionalDouble value(ControlReply r, String key) {
        String s = r.field(key);
        if (s.equals("nan")) {
            return OptionalDouble.empty();
        }
        double v = Double.parseDouble(s);
        if (!Double.isFinite(v)) {
            throw new IllegalArgumentException(key + " must be finite: " + s);
        }
        return OptionalDouble.of(v);
    }
}
