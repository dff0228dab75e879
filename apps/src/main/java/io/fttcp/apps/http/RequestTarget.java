package io.fttcp.apps.http;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * A request target split into its percent-decoded path and raw query.
 *
 * @param path decoded, starts with '/'
 * @param query raw query string, or null
 */
record RequestTarget(String path, String query) {

    static RequestTarget parse(String target) throws HttpException {
        String rest = target;
        if (rest.regionMatches(true, 0, "http://", 0, 7) || rest.regionMatches(true, 0, "https://", 0, 8)) {
            int authorityStart = rest.indexOf("//") + 2;
            int authorityEnd = authorityStart;
            // RFC 3986 §3.2: the authority ends at the first '/', '?' or '#' (a '/' in the query is not the path).
            while (authorityEnd < rest.length() && "/?#".indexOf(rest.charAt(authorityEnd)) < 0) {
                authorityEnd++;
            }
            String afterAuthority = rest.substring(authorityEnd);
            rest = afterAuthority.startsWith("/") ? afterAuthority : "/" + afterAuthority;
        }
        if (!rest.startsWith("/")) {
            throw HttpException.badRequest("request target must be an absolute path");
        }
        int hash = rest.indexOf('#');
        if (hash >= 0) {
            rest = rest.substring(0, hash);
        }
        int question = rest.indexOf('?');
        String rawPath = question < 0 ? rest : rest.substring(0, question);
        String query = question < 0 ? null : rest.substring(question + 1);
        return new RequestTarget(decode(rawPath), query);
    }

    /** The value of {@code name} in the query ({@code a=1&b=2}), or null. */
    String queryParameter(String name) {
        if (query == null) {
            return null;
        }
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            String key = eq < 0 ? pair : pair.substring(0, eq);
            if (key.equals(name)) {
                return eq < 0 ? "" : pair.substring(eq + 1);
            }
        }
        return null;
    }

    private static String decode(String raw) throws HttpException {
        if (raw.indexOf('%') < 0) {
            return raw;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c != '%') {
                if (c > 0x7F) {
                    throw HttpException.badRequest("non-ASCII character in request target");
                }
                bytes.write(c);
                continue;
            }
            if (i + 2 >= raw.length()) {
                throw HttpException.badRequest("truncated percent-encoding in path");
            }
            int high = Character.digit(raw.charAt(i + 1), 16);
            int low = Character.digit(raw.charAt(i + 2), 16);
            if (high < 0 || low < 0) {
                throw HttpException.badRequest("malformed percent-encoding in path");
            }
            int b = high * 16 + low;
            if (b < 0x20 || b == 0x7F) {
                throw HttpException.badRequest("control character in path");
            }
            bytes.write(b);
            i += 2;
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray()))
                    .toString();
        } catch (CharacterCodingException e) {
            throw HttpException.badRequest("path is not valid UTF-8 after percent-decoding");
        }
    }
}
