package io.fttcp.bench;

import java.util.Locale;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * The last line of {@code ./fttcp bench stack}:
 * {@code RESULT stack down_ratio=<b/a> up_ratio=<b/a> agg_ratio=<b/a> rr_p50_ratio=<b/a> idle_conn_bytes=<n>}.
 * A value that could not be measured is {@code nan}.
 */
public record ResultLine(OptionalDouble downRatio, OptionalDouble upRatio, OptionalDouble aggRatio,
                         OptionalDouble rrP50Ratio, OptionalLong idleConnectionBytes) {

    public static final String PREFIX = "RESULT stack ";

    public static ResultLine of(Measurements m) {
        OptionalDouble idle = m.median(Metric.IDLE_CONNECTION_BYTES, Variant.STACK);
        return new ResultLine(m.ratio(Metric.DOWNLOAD), m.ratio(Metric.UPLOAD), m.ratio(Metric.AGGREGATE),
                m.ratio(Metric.RR_P50), idle.isPresent() ? OptionalLong.of(Math.round(idle.getAsDouble())) : OptionalLong.empty());
    }

    public String format() {
        return PREFIX + "down_ratio=" + ratio(downRatio) + " up_ratio=" + ratio(upRatio) + " agg_ratio=" + ratio(aggRatio)
                + " rr_p50_ratio=" + ratio(rrP50Ratio)
                + " idle_conn_bytes=" + (idleConnectionBytes.isPresent() ? String.valueOf(idleConnectionBytes.getAsLong()) : "nan");
    }

    private static String ratio(OptionalDouble r) {
        return r.isPresent() ? String.format(Locale.ROOT, "%.3f", r.getAsDouble()) : "nan";
    }

    /** Parses a line made by {@link #format()}; throws {@link IllegalArgumentException} otherwise. */
    public static ResultLine parse(String line) {
        if (line == null || !line.startsWith(PREFIX)) {
            throw new IllegalArgumentException("not a RESULT stack line: " + line);
        }
        ControlReply fields = ControlReply.parse(line.substring("RESULT ".length()));
        if (fields.fields().size() != 5) {
            throw new IllegalArgumentException("a RESULT stack line has exactly 5 fields: " + line);
        }
        String idle = fields.field("idle_conn_bytes");
        return new ResultLine(parseRatio(fields.field("down_ratio")), parseRatio(fields.field("up_ratio")),
                parseRatio(fields.field("agg_ratio")), parseRatio(fields.field("rr_p50_ratio")),
                idle.equals("nan") ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(idle)));
    }

    private static OptionalDouble parseRatio(String s) {
        if (s.equals("nan")) {
            return OptionalDouble.empty();
        }
        double v = Double.parseDouble(s);
        if (!Double.isFinite(v) || v < 0) {
            throw new IllegalArgumentException("a ratio is finite and not negative: " + s);
        }
        return OptionalDouble.of(v);
    }
}
