package io.fttcp.apps.http;

import java.util.Locale;

/** Comma-separated, case-insensitive token lists in header values (Connection, Transfer-Encoding, Expect). */
final class HeaderTokens {

    private HeaderTokens() {
    }

    static boolean contains(String value, String token) {
        if (value == null) {
            return false;
        }
        for (String part : value.split(",")) {
            if (part.trim().toLowerCase(Locale.ROOT).equals(token)) {
                return true;
            }
        }
        return false;
    }
}
