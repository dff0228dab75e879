package io.fttcp.bench.failover;

import io.fttcp.bench.Figures;
import io.fttcp.bench.ControlReply;

import java.util.List;
import java.util.OptionalDouble;

/**
 * The last line of {@code ./fttcp bench failover}:
 * {@code RESULT failover kill_stall_ms_p50=… kill_stall_ms_max=… linkdown_stall_ms_p50=… detect_timeout_ms=…
 * down_ratio=… up_ratio=… rr_p50_added_us=… intact=<ok>/<trials>}. A value that could not be measured is {@code nan}.
 */
public record FailoverResultLine(OptionalDouble killStallP50, OptionalDouble killStallMax, OptionalDouble linkDownStallP50,
                                 long detectTimeoutMillis, OptionalDouble downRatio, OptionalDouble upRatio,
                                 OptionalDouble rrP50AddedMicros, int intact, int trials) {

    public static final String PREFIX = "RESULT failover ";
    private static final List<String> KEYS = List.of("kill_stall_ms_p50", "kill_stall_ms_max", "linkdown_stall_ms_p50",
            "detect_timeout_ms", "down_ratio", "up_ratio", "rr_p50_added_us", "intact");

    public FailoverResultLine {
        if (intact < 0 || trials < 0 || intact > trials || detectTimeoutMillis < 0) {
            throw new IllegalArgumentException("intact " + intact + " of " + trials + " trials, detection " + detectTimeoutMillis + " ms");
        }
    }

    public String format() {
        return PREFIX + "kill_stall_ms_p50=" + Figures.number(killStallP50, 1) + " kill_stall_ms_max=" + Figures.number(killStallMax, 1)
                + " linkdown_stall_ms_p50=" + Figures.number(linkDownStallP50, 1) + " detect_timeout_ms=" + detectTimeoutMillis
                + " down_ratio=" + Figures.number(downRatio, 3) + " up_ratio=" + Figures.number(upRatio, 3)
                + " rr_p50_added_us=" + Figures.number(rrP50AddedMicros, 1) + " intact=" + intact + "/" + trials;
    }

    /** Parses a line made by {@link #format()}; throws {@link IllegalArgumentException} otherwise. */
    public static FailoverResultLine parse(String line) {
        if (line == null || !line.startsWith(PREFIX)) {
            throw new IllegalArgumentException("not a RESULT failover line: " + line);
        }
        ControlReply r = ControlReply.parse(line.substring("RESULT ".length()));
        if (!List.copyOf(r.fields().keySet()).containsAll(KEYS) || r.fields().size() != KEYS.size()) {
            throw new IllegalArgumentException("a RESULT failover line has exactly the fields " + KEYS + ": " + line);
        }
        String[] intact = r.field("intact").split("/", -1);
        if (intact.length != 2) {
            throw new IllegalArgumentException("intact is <ok>/<trials>: " + line);
        }
        return new FailoverResultLine(parse(r, "kill_stall_ms_p50"), parse(r, "kill_stall_ms_max"), parse(r, "linkdown_stall_ms_p50"),
                Long.parseLong(r.field("detect_timeout_ms")), parse(r, "down_ratio"), parse(r, "up_ratio"),
                parse(r, "rr_p50_added_us"), Integer.parseInt(intact[0]), Integer.parseInt(intact[1]));
    }

    private static OptionalDouble parse(ControlReply r, String key) {
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
