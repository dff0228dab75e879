package io.fttcp.apps.http;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** Reads and validates a request line and header fields (RFC 9112 §2-5), with size limits. */
final class RequestHeadReader {

    static final int MAX_LINE = 8 * 1024;
    static final int MAX_FIELDS = 100;
    private static final int MAX_LEADING_EMPTY_LINES = 4;

    private RequestHeadReader() {
    }

    /** Returns the next request head, or null if the connection ended cleanly between requests. */
    static RequestHead read(SocketInput in) throws IOException, HttpException {
        String requestLine = in.readLine(MAX_LINE);
        // RFC 9112 §2.2: ignore empty lines before a request line (some clients send a CRLF after a body).
        for (int i = 0; requestLine != null && requestLine.isEmpty(); i++) {
            if (i == MAX_LEADING_EMPTY_LINES) {
                throw HttpException.badRequest("empty lines instead of a request line");
            }
            requestLine = in.readLine(MAX_LINE);
        }
        if (requestLine == null) {
            return null;
        }
        int firstSpace = requestLine.indexOf(' ');
        int lastSpace = requestLine.lastIndexOf(' ');
        if (firstSpace <= 0 || lastSpace == firstSpace) {
            throw HttpException.badRequest("malformed request line");
        }
        String method = requestLine.substring(0, firstSpace);
        String target = requestLine.substring(firstSpace + 1, lastSpace);
        String version = requestLine.substring(lastSpace + 1);
        if (!isToken(method)) {
            throw HttpException.badRequest("malformed method");
        }
        if (target.isEmpty() || target.indexOf(' ') >= 0 || hasControlCharacters(target)) {
            throw HttpException.badRequest("malformed request target");
        }
        int minorVersion = switch (version) {
            case "HTTP/1.1" -> 1;
            case "HTTP/1.0" -> 0;
            default -> {
                if (version.matches("HTTP/[0-9]\\.[0-9]")) {
                    throw new HttpException(505, "only HTTP/1.0 and HTTP/1.1 are supported", true);
                }
                throw HttpException.badRequest("malformed HTTP version");
            }
        };
        Map<String, String> headers = new LinkedHashMap<>();
        for (int count = 0; ; count++) {
            String line = in.readLine(MAX_LINE);
            if (line == null) {
                throw HttpException.badRequest("connection closed in the request head");
            }
            if (line.isEmpty()) {
                break;
            }
            if (count == MAX_FIELDS) {
                throw new HttpException(431, "more than " + MAX_FIELDS + " header fields", true);
            }
            if (line.charAt(0) == ' ' || line.charAt(0) == '\t') {
                throw HttpException.badRequest("obsolete line folding in header fields");
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw HttpException.badRequest("header field without a name and colon");
            }
            String name = line.substring(0, colon);
            if (!isToken(name)) {
                throw HttpException.badRequest("malformed header field name");
            }
            String value = trimOptionalWhitespace(line.substring(colon + 1));
            if (hasControlCharacters(value)) {
                throw HttpException.badRequest("control characters in header field " + name);
            }
            String lowerCaseName = name.toLowerCase(Locale.ROOT);
            if (lowerCaseName.equals("host") && headers.containsKey("host")) {
                throw HttpException.badRequest("more than one Host header field"); // RFC 9112 §3.2
            }
            headers.merge(lowerCaseName, value, (a, b) -> a + ", " + b);
        }
        if (minorVersion == 1 && !headers.containsKey("host")) {
            throw HttpException.badRequest("HTTP/1.1 request without a Host header");
        }
        return new RequestHead(method, target, minorVersion, headers);
    }

    private static boolean isToken(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /**
     * Without the optional whitespace around a field value: SP and HTAB only (RFC 9110 §5.6.3).
     * Trimming any other control character would accept what a stricter parser rejects.
     */
    static String trimOptionalWhitespace(String s) {
        int start = 0;
        int end = s.length();
        while (start < end && (s.charAt(start) == ' ' || s.charAt(start) == '\t')) {
            start++;
        }
        while (end > start && (s.charAt(end - 1) == ' ' || s.charAt(end - 1) == '\t')) {
            end--;
        }
        return s.substring(start, end);
    }

    private static boolean hasControlCharacters(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if ((c < 0x20 && c != '\t') || c == 0x7F) {
                return true;
            }
        }
        return false;
    }
}
