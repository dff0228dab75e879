package io.fttcp.apps.http;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** The Date header value, formatted once per second rather than once per response. */
final class HttpDate {

    private record Cached(long epochSecond, String text) {
    }

    private static volatile Cached cached = new Cached(-1, "");

    private HttpDate() {
    }

    static String of(Instant instant) {
        return DateTimeFormatter.RFC_1123_DATE_TIME.format(instant.truncatedTo(java.time.temporal.ChronoUnit.SECONDS).atOffset(ZoneOffset.UTC));
    }

    /** The Date header for wall-clock time {@code epochMillis} (from the network's runtime, so a backup replays it). */
    static String at(long epochMillis) {
        long second = epochMillis / 1000;
        Cached c = cached;
        if (c.epochSecond() != second) {
            c = new Cached(second, DateTimeFormatter.RFC_1123_DATE_TIME.format(Instant.ofEpochSecond(second).atOffset(ZoneOffset.UTC)));
            cached = c;
        }
        return c.text();
    }
}
