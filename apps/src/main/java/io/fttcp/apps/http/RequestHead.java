package io.fttcp.apps.http;

import java.util.Map;

/**
 * A parsed request line and header fields. Header names are lower-case; repeated fields are
 * joined with ", " (RFC 9110 §5.3).
 *
 * @param minorVersion 0 for HTTP/1.0, 1 for HTTP/1.1
 */
record RequestHead(String method, String target, int minorVersion, Map<String, String> headers) {

    String header(String lowerCaseName) {
        return headers.get(lowerCaseName);
    }

    /** HTTP/1.1 keeps the connection unless told to close; HTTP/1.0 closes unless told to keep it (and has no Transfer-Encoding). */
    boolean wantsKeepAlive() {
        if (minorVersion == 0 && header("transfer-encoding") != null) {
            return false; // RFC 9112 §6.1: faulty framing in HTTP/1.0; serve it, then close
        }
        String connection = header("connection");
        if (minorVersion >= 1) {
            return !HeaderTokens.contains(connection, "close");
        }
        return HeaderTokens.contains(connection, "keep-alive");
    }
}
