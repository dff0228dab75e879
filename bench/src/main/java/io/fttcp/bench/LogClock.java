package io.fttcp.bench;

import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.OptionalLong;

/**
 * The clock of the replicas' log lines (HH:mm:ss.SSS, today, this host's zone) against the
 * benchmark's own {@link System#nanoTime()} instants: both as epoch milliseconds.
 */
public final class LogClock {
    private LogClock() {}

    /** A log line's time as epoch milliseconds; empty if it is not a time. */
    public static OptionalLong epochMillis(String clock) {
        try {
            return OptionalLong.of(LocalTime.parse(clock).atDate(LocalDate.now()).atZone(ZoneId.systemDefault()).toInstant().toEpochMilli());
        } catch (DateTimeParseException e) {
            return OptionalLong.empty();
        }
    }

    /** A {@link System#nanoTime()} instant as epoch milliseconds (this moment's offset between the two clocks). */
    public static double epochMillisOf(long nanoTime) {
        return nanoTime / 1e6 + System.currentTimeMillis() - System.nanoTime() / 1e6;
    }
}
