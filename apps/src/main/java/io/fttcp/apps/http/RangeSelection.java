package io.fttcp.apps.http;

/**
 * What a Range header selects from a representation of known size (RFC 9110 §14). Only a
 * single byte range is honoured; multiple ranges or a malformed header select the whole
 * representation, as the RFC allows.
 */
sealed interface RangeSelection {

    record Whole() implements RangeSelection {
    }

    /** Bytes {@code first..last}, inclusive. */
    record Partial(long first, long last) implements RangeSelection {
        long length() {
            return last - first + 1;
        }
    }

    record Unsatisfiable() implements RangeSelection {
    }

    static RangeSelection of(String rangeHeader, long size) {
        if (rangeHeader == null) {
            return new Whole();
        }
        String value = rangeHeader.trim();
        if (!value.regionMatches(true, 0, "bytes=", 0, 6)) {
            return new Whole();
        }
        String spec = value.substring(6).trim();
        if (spec.indexOf(',') >= 0) {
            return new Whole();
        }
        int dash = spec.indexOf('-');
        if (dash < 0) {
            return new Whole();
        }
        String firstText = spec.substring(0, dash).trim();
        String lastText = spec.substring(dash + 1).trim();
        long first = parse(firstText);
        long last = parse(lastText);
        if (firstText.isEmpty()) {
            // Suffix range: the last N bytes.
            if (last < 0) {
                return new Whole();
            }
            if (last == 0 || size == 0) {
                return new Unsatisfiable();
            }
            return new Partial(Math.max(0, size - last), size - 1);
        }
        if (first < 0 || (!lastText.isEmpty() && (last < 0 || last < first))) {
            return new Whole();
        }
        if (first >= size) {
            return new Unsatisfiable();
        }
        long end = lastText.isEmpty() ? size - 1 : Math.min(last, size - 1);
        return new Partial(first, end);
    }

    /** A non-negative decimal, or -1 if empty or malformed. */
    private static long parse(String digits) {
        if (digits.isEmpty() || digits.length() > 18) {
            return -1;
        }
        for (int i = 0; i < digits.length(); i++) {
            if (digits.charAt(i) < '0' || digits.charAt(i) > '9') {
                return -1;
            }
        }
        return Long.parseLong(digits);
    }
}
