package io.fttcp.bench;

import java.util.Locale;
import java.util.OptionalDouble;

/** How the benchmarks' reports write numbers, sizes and messages. */
public final class Figures {
    private Figures() {}

    /** {@code v} with {@code decimals} decimals, or "nan" when there is no value. */
    public static String number(OptionalDouble v, int decimals) {
        return v.isPresent() ? String.format(Locale.ROOT, "%." + decimals + "f", v.getAsDouble()) : "nan";
    }

    /** Whole MiB: "256 MiB". */
    public static String mib(long bytes) {
        return (bytes >> 20) + " MiB";
    }

    /** A message on one line of the report (curl's command line carries a newline). */
    public static String oneLine(String message) {
        return String.valueOf(message).replaceAll("\\s*\\n\\s*", " ");
    }
}
