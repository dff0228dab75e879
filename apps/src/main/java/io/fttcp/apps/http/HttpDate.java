package io.fttcp.apps.http;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** The Date header value, formatted once per second rather than once per response. */
final class HttpDate {

    /** IMF-fixdate (RFC 9110 §5.6.7): unlike the JDK's RFC_1123_DATE_TIME, the day always has two digits. */
    private static final DateTimeFormatter IMF_FIXDATE = DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    private record Cached(long epochSecond, String text) {
    }

    private static volatile Cached cached = new Cached(-1, "");

    private HttpDate() {
    }

    static String of(Instant instant) {
        return IMF_FIXDATE.format(instant.truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
    }

    /** The Date header for wall-clock time {@code epochMillis} (from the network's runtime, so a backup replays it). */
    static String at(long epochMillis) {
        long second = Math.floorDiv(epochMillis, 1000);
        Cached c = cached;
        if (c.epochSecond() != second) {
            c = new Cached(second, IMF_FIXDATE.format(Instant.ofEpochSecond(second)));
            cached = c;
        }
        return c.text();
    }
}
