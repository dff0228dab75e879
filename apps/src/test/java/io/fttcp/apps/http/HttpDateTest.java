package io.fttcp.apps.http;

import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;

class HttpDateTest {

    @Test
    void datesAreImfFixdateWithATwoDigitDay() {
        // RFC 9110 §5.6.7: day = 2DIGIT; the JDK's RFC_1123_DATE_TIME writes "6 Nov".
        Instant sixthOfNovember = Instant.parse("1994-11-06T08:49:37Z");
        assertEquals("Sun, 06 Nov 1994 08:49:37 GMT", HttpDate.at(sixthOfNovember.toEpochMilli()));
        assertEquals("Sun, 06 Nov 1994 08:49:37 GMT", HttpDate.of(sixthOfNovember.plusMillis(999)));
        assertEquals("Sat, 28 Nov 2026 00:00:00 GMT", HttpDate.at(Instant.parse("2026-11-28T00:00:00.5Z").toEpochMilli()));
    }
}
